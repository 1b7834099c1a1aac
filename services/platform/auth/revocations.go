package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/revocation"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Revocations is the deny-list of access tokens. The database is the source of truth; each
// process mirrors the unexpired entries in memory and polls for new ones, so a revocation
// made by one replica reaches the others within PollInterval and the token check itself
// never leaves the process. When a notifier is set (Redis publish/subscribe), the others
// are told at once and sync immediately; polling remains the fallback.
type Revocations struct {
	st     *store.Store
	wake   chan struct{}
	notify func()

	mu       sync.RWMutex
	tokens   map[string]time.Time // jti → token expiry
	subjects map[string]time.Time // subject → tokens issued before this are revoked
	since    time.Time
	now      func() time.Time
}

// PollInterval is how often a process picks up revocations made elsewhere.
const PollInterval = 2 * time.Second

// NewRevocations loads the unexpired revocations.
func NewRevocations(ctx context.Context, st *store.Store) (*Revocations, error) {
	r := &Revocations{st: st, wake: make(chan struct{}, 1), tokens: map[string]time.Time{}, subjects: map[string]time.Time{}, now: time.Now}
	return r, r.sync(ctx)
}

// UseClock makes r date its revocations by now instead of the wall clock: a test's
// replica whose clock is off.
func (r *Revocations) UseClock(now func() time.Time) { r.now = now }

// SubjectRevokedUntil is when subject's tokens were last revoked as a whole: tokens
// issued before it are refused. It is the zero time when they never were.
func (r *Revocations) SubjectRevokedUntil(subject string) time.Time {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.subjects[subject].Truncate(time.Millisecond)
}

// Notify sets what to call after this process commits a revocation, to tell the others.
func (r *Revocations) Notify(fn func()) { r.notify = fn }

// Wake makes Run sync now: another process committed a revocation.
func (r *Revocations) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run polls for new revocations until ctx ends.
func (r *Revocations) Run(ctx context.Context) {
	t := time.NewTicker(PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
		if err := r.sync(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("revocations: sync failed", "err", err)
		}
	}
}

func (r *Revocations) sync(ctx context.Context) error {
	r.mu.RLock()
	// Look back a little: rows committed late by a slow transaction still get seen.
	since := r.since.Add(-30 * time.Second)
	r.mu.RUnlock()
	now := r.now()
	rows, err := r.st.Client.Revocation.Query().
		Where(revocation.CreateTimeGT(since), revocation.ExpireTimeGT(now)).
		All(store.System(ctx))
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, row := range rows {
		r.addLocked(row)
	}
	for k, exp := range r.tokens {
		if exp.Before(now) {
			delete(r.tokens, k)
		}
	}
	r.since = now
	return nil
}

func (r *Revocations) addLocked(row *ent.Revocation) {
	switch row.Kind {
	case revocation.KindTOKEN:
		r.tokens[row.Value] = row.ExpireTime
	case revocation.KindSUBJECT:
		if row.CreateTime.After(r.subjects[row.Value]) {
			r.subjects[row.Value] = row.CreateTime
		}
	}
}

// Revoked reports whether the token jti of subject and session family, issued at iat, is
// revoked. Issue and revocation times are compared to the millisecond, the precision of
// a token's issue time.
func (r *Revocations) Revoked(jti, subject, family string, iat time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.tokens[jti]; ok {
		return true
	}
	if _, ok := r.tokens[familyKey(family)]; ok && family != "" {
		return true
	}
	t, ok := r.subjects[subject]
	return ok && iat.Before(t.Truncate(time.Millisecond))
}

// RevokeToken revokes one access token, in tx, and at once in this process.
func (r *Revocations) RevokeToken(ctx context.Context, tx *ent.Tx, jti string, exp time.Time) error {
	return r.add(ctx, tx, revocation.KindTOKEN, jti, exp)
}

// RevokeFamily revokes every access token of one login session.
func (r *Revocations) RevokeFamily(ctx context.Context, tx *ent.Tx, family string) error {
	return r.add(ctx, tx, revocation.KindTOKEN, familyKey(family), r.now().Add(AccessTokenTTL+time.Minute))
}

func familyKey(family string) string { return "family:" + family }

// RevokeSubject revokes every access token of subject issued until now.
func (r *Revocations) RevokeSubject(ctx context.Context, tx *ent.Tx, subject string) error {
	return r.add(ctx, tx, revocation.KindSUBJECT, subject, r.now().Add(AccessTokenTTL+time.Minute))
}

func (r *Revocations) add(ctx context.Context, tx *ent.Tx, kind revocation.Kind, value string, exp time.Time) error {
	row, err := tx.Revocation.Create().SetID(uuid.Must(uuid.NewV7()).String()).
		SetKind(kind).SetValue(value).SetCreateTime(r.now()).SetExpireTime(exp).
		Save(store.System(ctx))
	if err != nil {
		return err
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			r.mu.Lock()
			r.addLocked(row)
			r.mu.Unlock()
			if r.notify != nil {
				go r.notify()
			}
			return nil
		})
	})
	return nil
}

package store

import (
	"context"
	"time"

	"github.com/wenming-platform/wenming/ent/idempotencyrecord"
	"github.com/wenming-platform/wenming/ent/refreshtoken"
	"github.com/wenming-platform/wenming/ent/revocation"
)

// expiryGrace keeps expired rows a little longer than they matter, so clocks a few minutes
// apart across replicas never drop a row another replica still relies on.
const expiryGrace = 10 * time.Minute

// DeleteExpired removes rows that can no longer matter: refresh tokens, access-token
// revocations and idempotency records past their expiry. It returns how many it removed.
// Every replica may run it; the deletes are idempotent.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	ctx = System(ctx)
	cut := now.Add(-expiryGrace)
	n1, err := s.Client.RefreshToken.Delete().Where(refreshtoken.ExpireTimeLT(cut)).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n2, err := s.Client.Revocation.Delete().Where(revocation.ExpireTimeLT(cut)).Exec(ctx)
	if err != nil {
		return n1, err
	}
	n3, err := s.Client.IdempotencyRecord.Delete().Where(idempotencyrecord.ExpireTimeLT(cut)).Exec(ctx)
	return n1 + n2 + n3, err
}

// Every calls fn with the time every interval until ctx ends: the loop of the background
// cleanups every process runs.
func Every(ctx context.Context, interval time.Duration, fn func(now time.Time)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			fn(now)
		}
	}
}

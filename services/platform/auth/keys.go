package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/structpb"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/signingkey"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Keyring holds the Ed25519 keys that sign and verify access tokens. The newest unretired
// key signs; every key retired less than a token lifetime ago still verifies.
type Keyring struct {
	st *store.Store

	mu      sync.RWMutex
	signer  *key
	keys    map[string]*key
	loaded  time.Time
	refresh time.Duration
}

type key struct {
	id     string
	priv   ed25519.PrivateKey
	pub    ed25519.PublicKey
	retire *time.Time
}

// NewKeyring loads the keys, creating the first one when there is none.
func NewKeyring(ctx context.Context, st *store.Store) (*Keyring, error) {
	k := &Keyring{st: st, refresh: 30 * time.Second}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	if k.signer == nil {
		if _, err := Rotate(ctx, st); err != nil {
			return nil, err
		}
		if err := k.load(ctx); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Rotate creates a new signing key and retires the current ones; it returns the new kid.
// Tokens signed by the retired keys stay valid until they expire.
func Rotate(ctx context.Context, st *store.Store) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	id := uuid.Must(uuid.NewV7()).String()
	ctx = store.System(ctx)
	err = st.Tx(ctx, func(tx *ent.Tx) error {
		now := time.Now()
		if err := tx.SigningKey.Update().Where(signingkey.RetireTimeIsNil()).SetRetireTime(now).Exec(ctx); err != nil {
			return err
		}
		if err := tx.SigningKey.Create().SetID(id).SetPrivateKey(priv).SetPublicKey(pub).SetCreateTime(now).Exec(ctx); err != nil {
			return err
		}
		// The trail records the new public key, never the private one.
		after, err := structpb.NewStruct(map[string]any{"kid": id, "public_key": base64.RawURLEncoding.EncodeToString(pub)})
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, st.Dialect, audit.Event{
			OfficeID: audit.PlatformOffice, ScopePath: "/" + audit.PlatformOffice + "/", Action: "platform.rotate_keys",
			ResourceType: "signing_key", ResourceID: id, After: after,
		})
	})
	return id, err
}

func (k *Keyring) load(ctx context.Context) error {
	horizon := time.Now().Add(-2 * AccessTokenTTL)
	rows, err := k.st.Client.SigningKey.Query().
		Where(signingkey.Or(signingkey.RetireTimeIsNil(), signingkey.RetireTimeGT(horizon))).
		Order(ent.Asc(signingkey.FieldCreateTime)).All(store.System(ctx))
	if err != nil {
		return fmt.Errorf("auth: load keys: %w", err)
	}
	keys := make(map[string]*key, len(rows))
	var signer *key
	for _, r := range rows {
		kk := &key{id: r.ID, priv: ed25519.PrivateKey(r.PrivateKey), pub: ed25519.PublicKey(r.PublicKey), retire: r.RetireTime}
		keys[r.ID] = kk
		if r.RetireTime == nil {
			signer = kk
		}
	}
	k.mu.Lock()
	k.keys, k.signer, k.loaded = keys, signer, time.Now()
	k.mu.Unlock()
	return nil
}

// maybeReload reloads the keys when they are older than the refresh interval, so a
// rotation by another process is picked up.
func (k *Keyring) maybeReload(ctx context.Context) {
	k.mu.RLock()
	stale := time.Since(k.loaded) > k.refresh
	k.mu.RUnlock()
	if stale {
		_ = k.load(ctx) // keep the old keys if the database is briefly away
	}
}

func (k *Keyring) current(ctx context.Context) (*key, error) {
	k.maybeReload(ctx)
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.signer == nil {
		return nil, fmt.Errorf("auth: no signing key")
	}
	return k.signer, nil
}

func (k *Keyring) lookup(kid string) *key {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[kid]
}

// JWKS returns the public keys in RFC 7517 form.
func (k *Keyring) JWKS(ctx context.Context) []*tenancyv1.Jwk {
	k.maybeReload(ctx)
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]*tenancyv1.Jwk, 0, len(k.keys))
	for _, kk := range k.keys {
		out = append(out, &tenancyv1.Jwk{
			Kty: "OKP", Crv: "Ed25519", Alg: "EdDSA", Use: "sig", Kid: kk.id,
			X: base64.RawURLEncoding.EncodeToString(kk.pub),
		})
	}
	slices.SortFunc(out, func(a, b *tenancyv1.Jwk) int { return strings.Compare(a.Kid, b.Kid) })
	return out
}

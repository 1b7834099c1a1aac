package auth

import (
	"bytes"
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
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Keyring holds the Ed25519 keys that sign and verify access tokens. The newest unretired
// key signs; every key retired less than a token lifetime ago still verifies. The private
// keys are stored encrypted under the master key (SealPrivateKey); the public keys are
// stored plain, as JWKS publishes them.
type Keyring struct {
	st     *store.Store
	master *secrets.Master
	trail  *audit.Chain

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

// NewKeyring loads the keys, decrypting them with master, and creates the first one
// (recorded in trail) when there is none.
func NewKeyring(ctx context.Context, st *store.Store, master *secrets.Master, trail *audit.Chain) (*Keyring, error) {
	k := &Keyring{st: st, master: master, trail: trail, refresh: 30 * time.Second}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	if k.signer == nil {
		if _, err := Rotate(ctx, st, master, trail); err != nil {
			return nil, err
		}
		if err := k.load(ctx); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Rotate creates a new signing key, stored encrypted under master, and retires the current
// ones; it records the rotation in trail and returns the new kid. Tokens signed by the
// retired keys stay valid until they expire.
func Rotate(ctx context.Context, st *store.Store, master *secrets.Master, trail *audit.Chain) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	id := uuid.Must(uuid.NewV7()).String()
	sealed, err := SealPrivateKey(master, id, priv)
	if err != nil {
		return "", err
	}
	ctx = store.System(ctx)
	err = st.Tx(ctx, func(tx *ent.Tx) error {
		now := time.Now()
		if err := tx.SigningKey.Update().Where(signingkey.RetireTimeIsNil()).SetRetireTime(now).Exec(ctx); err != nil {
			return err
		}
		if err := tx.SigningKey.Create().SetID(id).SetPrivateKey(sealed).SetPublicKey(pub).SetCreateTime(now).Exec(ctx); err != nil {
			return err
		}
		// The trail records the new public key, never the private one.
		after, err := structpb.NewStruct(map[string]any{"kid": id, "public_key": base64.RawURLEncoding.EncodeToString(pub)})
		if err != nil {
			return err
		}
		return trail.Record(ctx, tx, audit.Event{
			OfficeID: audit.PlatformOffice, ScopePath: audit.PlatformScope, Action: "platform.rotate_keys",
			ResourceType: "signing_key", ResourceID: id, After: after,
		})
	})
	return id, err
}

// SealPrivateKey encrypts a signing key for the signing_key table: AES-256-GCM under the
// key-encryption key derived from master, bound to the key's id (a sealed key copied to
// another row does not open).
func SealPrivateKey(master *secrets.Master, kid string, priv ed25519.PrivateKey) ([]byte, error) {
	return master.Seal(priv, []byte("signing_key:"+kid))
}

// OpenPrivateKey decrypts a private_key column written by SealPrivateKey for the row kid.
// It fails with secrets.ErrDecrypt under another master key or for an altered value.
func OpenPrivateKey(master *secrets.Master, kid string, sealed []byte) (ed25519.PrivateKey, error) {
	b, err := master.Open(sealed, []byte("signing_key:"+kid))
	if err != nil {
		return nil, fmt.Errorf("auth: signing key %s: %w", kid, err)
	}
	if len(b) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("auth: signing key %s: %d bytes, want %d", kid, len(b), ed25519.PrivateKeySize)
	}
	return ed25519.PrivateKey(b), nil
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
		priv, err := OpenPrivateKey(k.master, r.ID, r.PrivateKey)
		if err != nil {
			return err
		}
		// Tokens are verified with the public half of the authenticated private key, never
		// with the plain public_key column alone: someone who can write the table but lacks
		// the master key must not be able to slip in a key of their own.
		pub := priv.Public().(ed25519.PublicKey)
		if !bytes.Equal(pub, r.PublicKey) {
			return fmt.Errorf("auth: signing key %s: the stored public key is not its private key's (altered)", r.ID)
		}
		kk := &key{id: r.ID, priv: priv, pub: pub, retire: r.RetireTime}
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

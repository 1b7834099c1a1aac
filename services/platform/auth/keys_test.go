package auth_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/signingkey"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// testMasterKey is the master key of these tests (base64 of 32 bytes).
const testMasterKey = "d2VubWluZy1hdXRoLXRlc3QtbWFzdGVyLWtleS0zMmI="

func testMaster(tb testing.TB) *secrets.Master {
	tb.Helper()
	m, err := secrets.Parse(testMasterKey)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func newKeyring(ctx context.Context, st *store.Store) (*auth.Keyring, error) {
	m, err := secrets.Parse(testMasterKey)
	if err != nil {
		return nil, err
	}
	return auth.NewKeyring(ctx, st, m, audit.NewChain(m, st.Dialect))
}

func signingKeys(t *testing.T, st *store.Store) []*ent.SigningKey {
	t.Helper()
	rows, err := st.Client.SigningKey.Query().Order(ent.Asc(signingkey.FieldCreateTime)).All(store.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The signing_keys table never holds a usable private key: what is stored is neither the
// key nor its seed, does not parse as a key, and opens only under the master key.
func TestSigningKeysEncryptedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		ctx := context.Background()
		st := storetest.Open(t, kind)
		if _, err := newKeyring(ctx, st); err != nil {
			t.Fatal(err)
		}
		m := testMaster(t)
		if _, err := auth.Rotate(ctx, st, m, audit.NewChain(m, st.Dialect)); err != nil {
			t.Fatal(err)
		}
		rows := signingKeys(t, st)
		if len(rows) != 2 {
			t.Fatalf("%d signing keys, want 2", len(rows))
		}
		other, _ := secrets.Generate()
		for _, r := range rows {
			priv, err := auth.OpenPrivateKey(m, r.ID, r.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(priv.Public().(ed25519.PublicKey), r.PublicKey) {
				t.Errorf("key %s: decrypted key does not match the published public key", r.ID)
			}
			if bytes.Contains(r.PrivateKey, priv.Seed()) || bytes.Contains(r.PrivateKey, priv) {
				t.Errorf("key %s: the stored bytes hold the private key", r.ID)
			}
			if len(r.PrivateKey) == ed25519.PrivateKeySize && bytes.Equal(ed25519.PrivateKey(r.PrivateKey).Public().(ed25519.PublicKey), r.PublicKey) {
				t.Errorf("key %s: the stored bytes are a usable private key", r.ID)
			}
			if _, err := auth.OpenPrivateKey(other, r.ID, r.PrivateKey); !errors.Is(err, secrets.ErrDecrypt) {
				t.Errorf("key %s opened under another master key: %v", r.ID, err)
			}
		}
		// A process with another master key cannot load the keys.
		if _, err := auth.NewKeyring(ctx, st, other, audit.NewChain(other, st.Dialect)); !errors.Is(err, secrets.ErrDecrypt) {
			t.Errorf("NewKeyring with another master key: %v", err)
		}
	})
}

// Someone who can write the table but lacks the master key cannot make the platform
// accept their tokens: neither by replacing a public key with their own nor by moving a
// sealed private key to another row.
func TestSigningKeyTablesTampering(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite)
	if _, err := newKeyring(ctx, st); err != nil {
		t.Fatal(err)
	}
	k := signingKeys(t, st)[0]
	attackerPub, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := st.DB.ExecContext(ctx, "UPDATE signing_keys SET public_key = ? WHERE id = ?", []byte(attackerPub), k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := newKeyring(ctx, st); err == nil {
		t.Error("a replaced public key was accepted")
	}
	if _, err := st.DB.ExecContext(ctx, "UPDATE signing_keys SET public_key = ? WHERE id = ?", k.PublicKey, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.ExecContext(ctx, "INSERT INTO signing_keys (id, private_key, public_key, create_time) VALUES (?, ?, ?, ?)",
		"moved", k.PrivateKey, k.PublicKey, k.CreateTime.Add(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := newKeyring(ctx, st); !errors.Is(err, secrets.ErrDecrypt) {
		t.Errorf("a sealed key moved to another row: %v", err)
	}
}

package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

func fixed(t *testing.T) *Master {
	t.Helper()
	raw := make([]byte, KeySize)
	for i := range raw {
		raw[i] = byte(i)
	}
	m, err := Parse(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The derived keys are pinned: a changed label or KDF would make every existing chain,
// checkpoint and sealed signing key unreadable. The expected values were computed with
// an independent HKDF-SHA256 (RFC 5869) implementation.
func TestDerivedKeysArePinned(t *testing.T) {
	m := fixed(t)
	for name, c := range map[string]struct {
		got  []byte
		want string
	}{
		"audit hmac":     {m.AuditHMACKey(), "c0a795f21d72812e0edfbf1d936873ef8e8305c57c369eee9faaebc36f04b904"},
		"audit signing":  {m.AuditSigningKey().Seed(), "b32baa4312f1953f273d4f6c25360e787954d1c4962fe928d4220ca972a2d101"},
		"key encryption": {m.derive(labelKeyEncryption, 32), "f45ffdb2948a57dba89116ba2bb6caa620bd174250ee323f5e98d0b7e668763a"},
		"fingerprint":    {m.Fingerprint(), "975c664cf97196e8258386610f3f558cdb0568782c1ca938f2a7dea83383ad20"},
	} {
		if hex.EncodeToString(c.got) != c.want {
			t.Errorf("%s = %x, want %s", name, c.got, c.want)
		}
	}
	other, _ := Generate()
	if bytes.Equal(other.AuditHMACKey(), m.AuditHMACKey()) || bytes.Equal(other.AuditSigningKey(), m.AuditSigningKey()) {
		t.Error("two master keys derive the same keys")
	}
}

func TestParse(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, KeySize) // base64 of it uses '+' / '-' and '/' / '_'
	for _, text := range []string{
		base64.StdEncoding.EncodeToString(raw),
		base64.RawStdEncoding.EncodeToString(raw),
		base64.URLEncoding.EncodeToString(raw),
		"  " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		m, err := Parse(text)
		if err != nil || !bytes.Equal(m.raw, raw) {
			t.Errorf("Parse(%q) = %v", text, err)
		}
	}
	for _, text := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(raw[:16]), base64.StdEncoding.EncodeToString(append(raw, 1))} {
		if _, err := Parse(text); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", text, err)
		}
	}
	m := fixed(t)
	if s := m.String(); strings.Contains(s, m.Encode()) {
		t.Error("String prints the key")
	}
}

func TestSealOpen(t *testing.T) {
	m := fixed(t)
	secret := []byte("an ed25519 private key, say")
	sealed, err := m.Seal(secret, []byte("kid-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) {
		t.Fatal("the sealed value holds the plaintext")
	}
	again, _ := m.Seal(secret, []byte("kid-1"))
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if got, err := m.Open(sealed, []byte("kid-1")); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := Generate()
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for name, c := range map[string]struct {
		m      *Master
		sealed []byte
		ad     string
	}{
		"other row":    {m, sealed, "kid-2"},
		"other key":    {other, sealed, "kid-1"},
		"altered":      {m, flipped, "kid-1"},
		"truncated":    {m, sealed[:10], "kid-1"},
		"plain bytes":  {m, secret, "kid-1"},
		"version byte": {m, append([]byte{2}, sealed[1:]...), "kid-1"},
	} {
		if _, err := c.m.Open(c.sealed, []byte(c.ad)); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: Open = %v, want ErrDecrypt", name, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "data", "master.key")

	// First start: the default file is made, 0600, and reported once.
	m1, gen, err := Load(Source{Default: def})
	if err != nil || gen != def {
		t.Fatalf("first Load: %v, generated %q", err, gen)
	}
	if fi, err := os.Stat(def); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	m2, gen, err := Load(Source{Default: def})
	if err != nil || gen != "" || m2.Encode() != m1.Encode() {
		t.Fatalf("second Load: %v, generated %q, same key %v", err, gen, m2.Encode() == m1.Encode())
	}
	left, _ := filepath.Glob(filepath.Join(dir, "data", ".master.key-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// An explicit key wins over the default file; a value and a file together are refused.
	other, _ := Generate()
	file := filepath.Join(dir, "mounted.key")
	if err := os.WriteFile(file, []byte(other.Encode()+"\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	if m, _, err := Load(Source{File: file, Default: def}); err != nil || m.Encode() != other.Encode() {
		t.Errorf("file: %v", err)
	}
	if m, _, err := Load(Source{Value: other.Encode(), Default: def}); err != nil || m.Encode() != other.Encode() {
		t.Errorf("value: %v", err)
	}
	if _, _, err := Load(Source{Value: other.Encode(), File: file}); err == nil {
		t.Error("a value and a file together were accepted")
	}
	// A missing explicit file is an error, never a new key.
	missing := filepath.Join(dir, "not-mounted.key")
	if _, _, err := Load(Source{File: missing, Default: def}); err == nil {
		t.Error("a missing key file was accepted")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a key was generated at an explicit path")
	}
	if _, _, err := Load(Source{Value: "short", Default: def}); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed value: %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	_ = os.WriteFile(bad, []byte("not a key"), 0o600)
	if _, _, err := Load(Source{File: bad}); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed file: %v", err)
	}
}

// Processes that start together on an empty data directory end up with one key.
func TestLoadConcurrentFirstStart(t *testing.T) {
	def := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	keys := make([]string, n)
	created := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, gen, err := Load(Source{Default: def})
			if err != nil {
				t.Error(err)
				return
			}
			keys[i], created[i] = m.Encode(), gen != ""
		}()
	}
	wg.Wait()
	makers := 0
	for i := range n {
		if keys[i] != keys[0] {
			t.Fatalf("process %d got another key", i)
		}
		if created[i] {
			makers++
		}
	}
	if makers != 1 {
		t.Errorf("%d processes report generating the key, want 1", makers)
	}
}

func TestBind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		ctx := context.Background()
		st := storetest.Open(t, kind)
		m := fixed(t)
		if bound, err := Check(ctx, st.Client, m); bound || err != nil {
			t.Fatalf("Check before Bind: %v %v", bound, err)
		}
		if bound, err := Bound(ctx, st.Client); bound || err != nil {
			t.Fatalf("Bound before Bind: %v %v", bound, err)
		}
		if err := Bind(ctx, st.Client, m); err != nil {
			t.Fatal(err)
		}
		if bound, err := Bound(ctx, st.Client); !bound || err != nil {
			t.Fatalf("Bound after Bind: %v %v", bound, err)
		}
		if err := Bind(ctx, st.Client, m); err != nil {
			t.Fatalf("second Bind with the same key: %v", err)
		}
		other, _ := Generate()
		if err := Bind(ctx, st.Client, other); !errors.Is(err, ErrWrongKey) {
			t.Errorf("Bind with another key: %v", err)
		}
		if bound, err := Check(ctx, st.Client, other); !bound || !errors.Is(err, ErrWrongKey) {
			t.Errorf("Check with another key: %v %v", bound, err)
		}
	})
}

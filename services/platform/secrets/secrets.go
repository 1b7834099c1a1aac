package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of the master key in bytes.
const KeySize = 32

// The HKDF labels of the derived keys. Changing one changes that key for every deployment:
// a new purpose gets a new label, never a reused one.
const (
	labelAuditHMAC     = "wenming/v1/audit-chain-hmac-sha256"
	labelAuditSigning  = "wenming/v1/audit-checkpoint-ed25519-seed"
	labelKeyEncryption = "wenming/v1/signing-key-aes-256-gcm"
	labelFingerprint   = "wenming/v1/master-key-fingerprint"
)

// ErrMalformed is returned when a master key is not base64 of exactly KeySize bytes.
var ErrMalformed = errors.New("secrets: the master key must be base64 of 32 random bytes (generate one with `openssl rand -base64 32`)")

// ErrDecrypt is returned by Open when the sealed value was altered, sealed under another
// master key, or bound to other additional data.
var ErrDecrypt = errors.New("secrets: cannot decrypt: altered, or sealed under another master key")

// Master is the platform master key. Its zero value is not usable; get one from Parse,
// Generate or Load. It never prints its bytes.
type Master struct {
	raw []byte
}

// Parse decodes a base64 master key (standard or URL alphabet, padding optional;
// surrounding white space is ignored).
func Parse(text string) (*Master, error) {
	text = strings.TrimSpace(text)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("%w: it decodes to %d bytes", ErrMalformed, len(b))
			}
			return &Master{raw: b}, nil
		}
	}
	return nil, ErrMalformed
}

// Generate returns a new random master key.
func Generate() (*Master, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return &Master{raw: b}, nil
}

// Encode returns the key as standard base64, the form Parse reads and key files hold.
func (m *Master) Encode() string { return base64.StdEncoding.EncodeToString(m.raw) }

// String hides the key, so a Master that reaches a log line or an error says nothing.
func (m *Master) String() string { return "secrets.Master(redacted)" }

// derive returns the n-byte key for one purpose. HKDF's extract step needs no salt here:
// the master key is already uniformly random.
func (m *Master) derive(label string, n int) []byte {
	k, err := hkdf.Key(sha256.New, m.raw, nil, label, n)
	if err != nil {
		// Only an output longer than 255 hash blocks fails; every caller asks for 32 bytes.
		panic("secrets: hkdf: " + err.Error())
	}
	return k
}

// AuditHMACKey is the key of the audit chain's HMAC-SHA256.
func (m *Master) AuditHMACKey() []byte { return m.derive(labelAuditHMAC, 32) }

// AuditSigningKey is the Ed25519 key that signs audit checkpoints. It is the same for as
// long as the master key is, so offices can pin its public key.
func (m *Master) AuditSigningKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(m.derive(labelAuditSigning, ed25519.SeedSize))
}

// Fingerprint identifies the master key without revealing it (nor any derived key): what
// Bind stores in the database.
func (m *Master) Fingerprint() []byte { return m.derive(labelFingerprint, 32) }

// sealVersion is the first byte of every sealed value: the format and key of this package.
const sealVersion = 1

func (m *Master) aead() cipher.AEAD {
	block, err := aes.NewCipher(m.derive(labelKeyEncryption, 32))
	if err != nil {
		panic("secrets: aes: " + err.Error()) // a 32-byte key is always valid
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic("secrets: gcm: " + err.Error())
	}
	return gcm
}

// Seal encrypts plaintext with AES-256-GCM under the key-encryption key, binding it to
// additionalData (e.g. the id of the row it is stored in, so a sealed value copied to
// another row does not open). The result is a version byte, a random 12-byte nonce, then
// the ciphertext and its tag.
func (m *Master) Seal(plaintext, additionalData []byte) ([]byte, error) {
	gcm := m.aead()
	out := make([]byte, 1+gcm.NonceSize(), 1+gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return gcm.Seal(out, out[1:], plaintext, additionalData), nil
}

// Open decrypts what Seal returned for the same additionalData. It returns ErrDecrypt
// when the value was altered, sealed under another master key or with other data.
func (m *Master) Open(sealed, additionalData []byte) ([]byte, error) {
	gcm := m.aead()
	if len(sealed) < 1+gcm.NonceSize()+gcm.Overhead() || sealed[0] != sealVersion {
		return nil, ErrDecrypt
	}
	nonce, ct := sealed[1:1+gcm.NonceSize()], sealed[1+gcm.NonceSize():]
	pt, err := gcm.Open(nil, nonce, ct, additionalData)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

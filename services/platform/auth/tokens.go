package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

const (
	// AccessTokenTTL is the lifetime of an access token.
	AccessTokenTTL = 15 * time.Minute
	// RefreshTokenTTL is the lifetime of a refresh token.
	RefreshTokenTTL = 30 * 24 * time.Hour
	// Issuer and Audience are pinned: tokens naming anything else are refused.
	Issuer   = "wenming"
	Audience = "wenming-api"
)

// ErrInvalidToken is returned for any token that does not verify; the reason is not told
// to the caller.
var ErrInvalidToken = errors.New("auth: invalid token")

// Claims are an access token's claims.
type Claims struct {
	jwt.RegisteredClaims
	Kind     string   `json:"knd"`
	Login    string   `json:"lgn,omitempty"`
	OfficeID string   `json:"off,omitempty"`
	UnitID   string   `json:"unt,omitempty"`
	Scope    string   `json:"scp,omitempty"`
	Roles    []string `json:"rol"`
	FamilyID string   `json:"fam,omitempty"`
	// IssuedAtMS is iat in milliseconds. Revocations are recorded to the microsecond and
	// iat has whole seconds: without it a token issued in the same second after a
	// revocation (a new login right after a password change) would be refused for life.
	IssuedAtMS int64 `json:"iat_ms"`
}

// ClockSkew is how far apart the clocks of two replicas may be: a token whose iat or nbf
// is that far in the future is still accepted.
const ClockSkew = 5 * time.Second

// Tokens issues and verifies access tokens.
type Tokens struct {
	keys    *Keyring
	revoked *Revocations
	cache   *lru.Cache[[32]byte, cached]
	now     func() time.Time
}

type cached struct {
	v   *viewer.Viewer
	iat time.Time
	exp time.Time
}

// NewTokens returns a Tokens that signs with keys and refuses what revoked lists.
func NewTokens(keys *Keyring, revoked *Revocations) *Tokens {
	c, _ := lru.New[[32]byte, cached](100_000)
	return &Tokens{keys: keys, revoked: revoked, cache: c, now: time.Now}
}

// UseClock makes t issue and check tokens by now instead of the wall clock: a test's
// replica whose clock is off.
func (t *Tokens) UseClock(now func() time.Time) { t.now = now }

// Issue signs an access token for v; it returns the token and its lifetime.
func (t *Tokens) Issue(ctx context.Context, v *viewer.Viewer) (string, time.Duration, error) {
	k, err := t.keys.current(ctx)
	if err != nil {
		return "", 0, err
	}
	now := t.now()
	if until := t.revoked.SubjectRevokedUntil(v.Subject); !now.After(until) {
		// The subject's tokens were revoked (a password change) by a replica whose clock
		// is ahead of ours: a token issued now must not look older than that revocation,
		// or it would be refused as soon as it is made. Within ClockSkew, verifiers
		// accept the issue time a little in their future.
		now = until.Add(time.Millisecond)
	}
	roles := make([]string, len(v.Roles))
	for i, r := range v.Roles {
		roles[i] = r.String()
	}
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   v.Subject,
			Audience:  jwt.ClaimStrings{Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
			NotBefore: jwt.NewNumericDate(now.Add(-5 * time.Second)),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        uuid.Must(uuid.NewV7()).String(),
		},
		Kind: string(v.Kind), Login: v.Login, OfficeID: v.OfficeID, UnitID: v.UnitID,
		Scope: v.ScopePath, Roles: roles, FamilyID: v.FamilyID, IssuedAtMS: now.UnixMilli(),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = k.id
	s, err := tok.SignedString(k.priv)
	return s, AccessTokenTTL, err
}

// Verify checks a bearer token and returns its viewer. The algorithm, issuer, audience,
// expiry, not-before and the longest lifetime we issue are all enforced (allowing
// ClockSkew between replicas), and revoked tokens are refused.
func (t *Tokens) Verify(ctx context.Context, raw string) (*viewer.Viewer, error) {
	h := sha256.Sum256([]byte(raw))
	now := t.now()
	if c, ok := t.cache.Get(h); ok {
		if now.Before(c.exp) && !t.revoked.Revoked(c.v.TokenID, c.v.Subject, c.v.FamilyID, c.iat) {
			return c.v, nil
		}
		t.cache.Remove(h)
		return nil, ErrInvalidToken
	}
	var claims Claims
	_, err := jwt.ParseWithClaims(raw, &claims, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		k := t.keys.lookup(kid)
		if k == nil {
			t.keys.maybeReload(ctx)
			if k = t.keys.lookup(kid); k == nil {
				return nil, fmt.Errorf("unknown kid %q", kid)
			}
		}
		return k.pub, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(ClockSkew),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || claims.ID == "" || claims.Subject == "" || claims.IssuedAt == nil {
		return nil, ErrInvalidToken
	}
	iat := time.UnixMilli(claims.IssuedAtMS)
	// A token signed with a real key but living longer than we ever issue (a stolen key's
	// ten-year token) is refused, as is one whose two issue times disagree.
	if claims.ExpiresAt.Sub(iat) > AccessTokenTTL+time.Second || iat.Unix() != claims.IssuedAt.Unix() {
		return nil, ErrInvalidToken
	}
	v := &viewer.Viewer{
		Subject: claims.Subject, Kind: viewer.Kind(claims.Kind), Login: claims.Login,
		OfficeID: claims.OfficeID, UnitID: claims.UnitID, ScopePath: claims.Scope,
		TokenID: claims.ID, FamilyID: claims.FamilyID,
	}
	if v.Kind != viewer.KindUser && v.Kind != viewer.KindServiceAccount {
		return nil, ErrInvalidToken
	}
	for _, r := range claims.Roles {
		role, ok := authzv1.Role_value[r]
		if !ok {
			return nil, ErrInvalidToken
		}
		v.Roles = append(v.Roles, authzv1.Role(role))
	}
	if t.revoked.Revoked(v.TokenID, v.Subject, v.FamilyID, iat) {
		return nil, ErrInvalidToken
	}
	t.cache.Add(h, cached{v: v, iat: iat, exp: claims.ExpiresAt.Time})
	return v, nil
}

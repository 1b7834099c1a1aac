// Package pagetoken makes the opaque page tokens of list calls (AIP-158): a keyset cursor
// (the last id returned) signed with HMAC and bound to the request's filters, so a token
// cannot be forged or replayed against another query.
package pagetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/wenming-platform/wenming/services/platform/errs"
)

const (
	// DefaultSize is the page size when the request gives none.
	DefaultSize = 50
	// MaxSize is the largest page.
	MaxSize = 500
)

// Codec signs and checks page tokens.
type Codec struct{ key []byte }

// New returns a codec signing with key.
func New(key []byte) *Codec { return &Codec{key: key} }

// Size returns the effective page size.
func Size(n int32) int {
	switch {
	case n <= 0:
		return DefaultSize
	case n > MaxSize:
		return MaxSize
	}
	return int(n)
}

func (c *Codec) mac(filters, last string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(filters))
	m.Write([]byte{0})
	m.Write([]byte(last))
	return m.Sum(nil)[:16]
}

// Encode returns the token for the page after last under filters.
func (c *Codec) Encode(filters, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last)) + "." + base64.RawURLEncoding.EncodeToString(c.mac(filters, last))
}

// Decode returns the cursor of token, or "" for the first page. A token that was not made
// by Encode for the same filters is INVALID_ARGUMENT on page_token.
func (c *Codec) Decode(filters, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	invalid := errs.Invalid("page_token", "the page token is invalid or belongs to another query", "分页令牌无效或不属于此查询")
	a, b, ok := strings.Cut(token, ".")
	if !ok {
		return "", invalid
	}
	last, err1 := base64.RawURLEncoding.DecodeString(a)
	sig, err2 := base64.RawURLEncoding.DecodeString(b)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, c.mac(filters, string(last))) {
		return "", invalid
	}
	return string(last), nil
}

// Page cuts rows, read with a limit of size+1, to one page. When there is a next page it
// also returns the token that resumes after the last row kept, whose cursor is cursor(row).
func Page[T any](c *Codec, filters string, rows []T, size int, cursor func(T) string) ([]T, string) {
	if len(rows) <= size {
		return rows, ""
	}
	rows = rows[:size]
	return rows, c.Encode(filters, cursor(rows[size-1]))
}

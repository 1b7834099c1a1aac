package filetype

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest display name SanitizeName returns, in bytes: what file systems
// and the Content-Disposition of a download can carry.
const MaxNameLen = 255

// maxExtLen is the longest suffix SanitizeName keeps as an extension when it must shorten a
// name; a longer "extension" is just the end of the name.
const maxExtLen = 16

// ErrInvalidName is returned by SanitizeName for a name that leaves nothing safe to show.
var ErrInvalidName = errors.New("filetype: invalid file name")

// SanitizeName returns a safe display name for a file name a client sent: the last path
// element (split on both / and \, since Windows browsers may send a full path), without
// control characters (NUL included), format characters (Unicode Cf: bidirectional overrides
// and isolates that make "photo\u202egpj.exe" display as "photoexe.jpg", zero-width
// characters, the byte order mark) and line or paragraph separators, trimmed of spaces and
// dots at both ends (a leading dot hides a file, trailing ones are dropped by Windows), and
// cut to MaxNameLen bytes at a character boundary, keeping the extension. It returns an error
// wrapping ErrInvalidName for invalid UTF-8 and for a name with nothing left (such as "",
// "." or "..").
func SanitizeName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: not valid UTF-8", ErrInvalidName)
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, name)
	name = trimName(name)
	if name == "" {
		return "", fmt.Errorf("%w: empty once path, invisible characters, spaces and dots are removed", ErrInvalidName)
	}
	if len(name) <= MaxNameLen {
		return name, nil
	}
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= maxExtLen && !strings.ContainsFunc(name[i:], unicode.IsSpace) {
		stem, ext = name[:i], name[i:]
	}
	if stem = trimName(cutUTF8(stem, MaxNameLen-len(ext))); stem == "" {
		return trimName(cutUTF8(name, MaxNameLen)), nil
	}
	return stem + ext, nil
}

func trimName(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '.' })
}

// cutUTF8 returns the longest prefix of s of at most n bytes that does not split a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

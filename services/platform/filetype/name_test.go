package filetype

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitizeName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026年3月志愿服务照片.jpg", "2026年3月志愿服务照片.jpg"},
		{"report final (2).pdf", "report final (2).pdf"},
		{"../../etc/passwd", "passwd"},
		{"..\\..\\windows\\system32\\cmd.exe", "cmd.exe"},
		{"C:\\x\\a.pdf", "a.pdf"},
		{"/abs/path/照片.png", "照片.png"},
		{"photo\u202egpj.exe", "photogpj.exe"},
		{"\u202egpj.exe", "gpj.exe"},
		{"a\u2066b\u2069c\u200e.doc", "abc.doc"},
		{"zero\u200bwidth\u200d\ufeff.txt", "zerowidth.txt"},
		{"nul\x00byte.pdf", "nulbyte.pdf"},
		{"tab\tand\nnewline\r.pdf", "tabandnewline.pdf"},
		{"line\u2028sep.pdf", "linesep.pdf"},
		{"c1\u0085control.pdf", "c1control.pdf"},
		{"  spaced.pdf  ", "spaced.pdf"},
		{"\u3000全角空格.pdf\u3000", "全角空格.pdf"},
		{".hidden", "hidden"},
		{"trailing.pdf...", "trailing.pdf"},
		{". . .x. . .", "x"},
		{"evil.pdf/", ""},
		{"", ""},
		{".", ""},
		{"..", ""},
		{"../..", ""},
		{" \u200b ", ""},
		{"\x00", ""},
		{"bad\xffutf8.pdf", ""},
	} {
		got, err := SanitizeName(c.in)
		if c.want == "" {
			if err == nil || !errors.Is(err, ErrInvalidName) {
				t.Errorf("SanitizeName(%q) = %q, %v; want ErrInvalidName", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("SanitizeName(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestSanitizeNameLength(t *testing.T) {
	for _, c := range []struct {
		in      string
		wantExt string
	}{
		{strings.Repeat("a", 1000) + ".pdf", ".pdf"},
		{strings.Repeat("长", 400) + ".docx", ".docx"},
		{strings.Repeat("ab", 200) + "长.jpg", ".jpg"},
		{strings.Repeat("长", 400), ""},
		{"x." + strings.Repeat("长", 300), ""}, // an "extension" too long to be one
		{strings.Repeat("a", 300) + ". .pdf", ".pdf"},
	} {
		got, err := SanitizeName(c.in)
		if err != nil {
			t.Fatalf("SanitizeName(%d bytes): %v", len(c.in), err)
		}
		if len(got) > MaxNameLen || len(got) < MaxNameLen-4 || !utf8.ValidString(got) {
			t.Errorf("SanitizeName(%d bytes) = %d bytes (valid UTF-8: %v), want up to %d, cut at a character", len(c.in), len(got), utf8.ValidString(got), MaxNameLen)
		}
		if c.wantExt != "" && !strings.HasSuffix(got, c.wantExt) {
			t.Errorf("SanitizeName(%d bytes) = %q, want it to keep %s", len(c.in), got, c.wantExt)
		}
		if !strings.HasPrefix(c.in, strings.TrimSuffix(got, c.wantExt)) {
			t.Errorf("SanitizeName(%d bytes) = %q, want a prefix of the name", len(c.in), got)
		}
	}
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"2026年3月志愿服务照片.jpg", "../../etc/passwd", "C:\\x\\a.pdf", "\u202egpj.exe", "a\u200bb", "x\x00y", ".", "..", strings.Repeat("长", 400) + ".pdf", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := SanitizeName(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("SanitizeName(%q) error %v does not wrap ErrInvalidName", in, err)
			}
			return
		}
		switch {
		case !utf8.ValidString(out):
			t.Fatalf("SanitizeName(%q) = %q: not valid UTF-8", in, out)
		case len(out) > MaxNameLen || out == "" || out == "." || out == "..":
			t.Fatalf("SanitizeName(%q) = %q: bad length or name", in, out)
		case strings.ContainsAny(out, `/\`):
			t.Fatalf("SanitizeName(%q) = %q: holds a path separator", in, out)
		case strings.ContainsFunc(out, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
			t.Fatalf("SanitizeName(%q) = %q: holds a control or format character", in, out)
		case strings.TrimFunc(out, func(r rune) bool { return unicode.IsSpace(r) || r == '.' }) != out:
			t.Fatalf("SanitizeName(%q) = %q: starts or ends with a space or dot", in, out)
		}
		if again, err := SanitizeName(out); err != nil || again != out {
			t.Fatalf("SanitizeName(%q) = %q, but SanitizeName of that = %q, %v: not stable", in, out, again, err)
		}
	})
}

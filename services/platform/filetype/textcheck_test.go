package filetype

import (
	"bytes"
	"testing"
)

// TestTextCheck: control characters and markup anywhere after the head make a file not text,
// even split across writes; plain Chinese text in any pieces stays text.
func TestTextCheck(t *testing.T) {
	text := bytes.Repeat([]byte("二〇二六年三月组织志愿服务四次，参与职工一百二十人。\r\n"), 500)
	for name, c := range map[string]struct {
		tail []byte
		ok   bool
	}{
		"plain text":          {text, true},
		"a script later":      {append(append([]byte{}, text...), "<SCRIPT>alert(1)</script>"...), false},
		"a page later":        {append(append([]byte{}, text...), "<html><body>x</body></html>"...), false},
		"a NUL later":         {append(append([]byte{}, text...), 0), false},
		"an escape later":     {append(append([]byte{}, text...), 0x1b, '['), false},
		"a less-than is fine": {append(append([]byte{}, text...), "a < b，合格率 < 5%"...), true},
	} {
		for _, size := range []int{1, 3, 7, 1000, 1 << 20} {
			c2 := NewTextCheck([]byte("说明："))
			for i := 0; i < len(c.tail); i += size {
				c2.Write(c.tail[i:min(i+size, len(c.tail))])
			}
			if c2.OK() != c.ok {
				t.Errorf("%s in writes of %d bytes: OK = %v, want %v", name, size, c2.OK(), c.ok)
			}
		}
	}
}

// TestTextCheckSeam: markup that begins in the head and ends after it is seen.
func TestTextCheckSeam(t *testing.T) {
	head := append(bytes.Repeat([]byte("a"), SniffLen-4), "<scr"...)
	if _, ok := Sniff(head); !ok {
		t.Fatal("the head alone is text")
	}
	c := NewTextCheck(head)
	c.Write([]byte("ipt>alert(1)</script>"))
	if c.OK() {
		t.Error("a script split between the head and the rest passed as text")
	}
	c = NewTextCheck(head)
	c.Write([]byte("ibble, scrabble"))
	if !c.OK() {
		t.Error("plain text after the head was refused")
	}
}

// TestTextCheckEncoding: the encoding is judged on the whole file, whatever the head showed
// and however the writes cut the characters.
func TestTextCheckEncoding(t *testing.T) {
	ascii := bytes.Repeat([]byte("name,score\r\n"), 800) // a head of plain ASCII
	gb := []byte("\xce\xf7\xba\xfe\xc7\xf8,95\r\n")      // 西湖区,95 in GB18030
	utf := []byte("西湖区,95\r\n")
	for name, c := range map[string]struct {
		body []byte
		want Kind
		ok   bool
	}{
		"ASCII then UTF-8":   {append(append([]byte{}, ascii...), utf...), kindText, true},
		"ASCII then GB18030": {append(append([]byte{}, ascii...), gb...), kindTextGB, true},
		"ASCII then garbage": {append(append([]byte{}, ascii...), 0xFF, 0xFE, 0x80, 0xC0), Kind{}, false},
		"a cut character":    {append(append([]byte{}, ascii...), utf[:1]...), Kind{}, false},
		"four-byte GB18030":  {append(append([]byte{}, ascii...), 0x81, 0x30, 0x81, 0x30), kindTextGB, true},
		"GB18030 cut at end": {append(append([]byte{}, ascii...), 0x81, 0x30), Kind{}, false},
	} {
		for _, size := range []int{1, 2, 3, 5, 64, 1 << 20} {
			head := c.body[:SniffLen]
			tc := NewTextCheck(head)
			rest := c.body[SniffLen:]
			for i := 0; i < len(rest); i += size {
				tc.Write(rest[i:min(i+size, len(rest))])
			}
			if k, ok := tc.Kind(); ok != c.ok || k != c.want {
				t.Errorf("%s in writes of %d: %v %v, want %v %v", name, size, k, ok, c.want, c.ok)
			}
		}
	}
}

// FuzzTextCheck: how the bytes after the head are cut into writes never changes the verdict.
func FuzzTextCheck(f *testing.F) {
	f.Add([]byte("ab"), []byte("西湖区\xce\xf7<scr"), []byte("ipt>"), 3)
	f.Add([]byte("\xef\xbb\xbfx"), []byte("\x81\x30"), []byte("\x81\x30"), 1)
	f.Fuzz(func(t *testing.T, head, a, b []byte, cut int) {
		rest := append(append([]byte{}, a...), b...)
		one := NewTextCheck(head)
		one.Write(rest)
		two := NewTextCheck(head)
		cut = max(0, min(len(rest), cut))
		two.Write(rest[:cut])
		two.Write(rest[cut:])
		k1, ok1 := one.Kind()
		k2, ok2 := two.Kind()
		if k1 != k2 || ok1 != ok2 {
			t.Fatalf("head %q, rest %q cut at %d: one write %v %v, two %v %v", head, rest, cut, k1, ok1, k2, ok2)
		}
	})
}

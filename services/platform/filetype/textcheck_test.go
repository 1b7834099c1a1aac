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
			var c2 TextCheck
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

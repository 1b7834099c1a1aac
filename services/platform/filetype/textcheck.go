package filetype

import (
	"bytes"
	"unicode/utf8"
)

// TextCheck follows a text file past the head Sniff saw, so that what is refused in a head
// (control characters, markup a browser would run, bytes of no encoding) is refused anywhere
// in the file, and the encoding is judged on the whole file: a page of innocent text followed
// by a script is not text, and a GB18030 CSV whose first pages are ASCII is GB18030, not
// UTF-8. Make it with NewTextCheck(head), Write it every byte after the head, then ask Kind.
type TextCheck struct {
	tail []byte // the last bytes seen, lower-cased: markup may straddle two writes
	bad  bool
	// The encodings the bytes so far are still valid in, each with the bytes of a character
	// cut by the end of the last write.
	utf8OK, gbOK     bool
	utf8Cut, gbState []byte
}

// longestMarkup is the length of the longest entry of markup.
var longestMarkup = func() int {
	n := 0
	for _, m := range markup {
		n = max(n, len(m))
	}
	return n
}()

// NewTextCheck returns the check of a file whose first bytes, head, Sniff found to be text.
func NewTextCheck(head []byte) *TextCheck {
	c := &TextCheck{utf8OK: true, gbOK: true}
	c.encodings(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")))
	c.tail = bytes.ToLower(head[max(0, len(head)-(longestMarkup-1)):])
	return c
}

// Write checks the next bytes of the file.
func (c *TextCheck) Write(p []byte) {
	if c.bad || len(p) == 0 {
		return
	}
	for _, b := range p {
		if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7F {
			c.bad = true
			return
		}
	}
	lower := bytes.ToLower(p)
	seam := append(c.tail, lower[:min(len(lower), longestMarkup-1)]...)
	for _, m := range markup {
		if bytes.Contains(lower, m) || bytes.Contains(seam, m) {
			c.bad = true
			return
		}
	}
	seam = append(seam[:len(c.tail)], lower...)
	c.tail = append(c.tail[:0], seam[max(0, len(seam)-(longestMarkup-1)):]...)
	c.encodings(p)
}

// encodings follows the bytes through UTF-8 and GB18030.
func (c *TextCheck) encodings(p []byte) {
	if c.utf8OK {
		b := append(c.utf8Cut, p...)
		end := len(b)
		// A character cut by the end of this write is judged with the next one.
		for back := 1; back <= 3 && back <= len(b); back++ {
			if utf8.RuneStart(b[len(b)-back]) {
				if !utf8.FullRune(b[len(b)-back:]) {
					end = len(b) - back
				}
				break
			}
		}
		c.utf8OK = utf8.Valid(b[:end])
		c.utf8Cut = append(c.utf8Cut[:0], b[end:]...)
	}
	if c.gbOK {
		for _, x := range p {
			if !c.gbByte(x) {
				c.gbOK = false
				break
			}
		}
	}
}

// gbByte takes the next byte of GB18030: ASCII, two bytes (81–FE then 40–7E or 80–FE), or
// four (81–FE, 30–39, 81–FE, 30–39).
func (c *TextCheck) gbByte(x byte) bool {
	switch len(c.gbState) {
	case 0:
		switch {
		case x < 0x80:
			return true
		case x == 0x80 || x == 0xFF:
			return false
		}
	case 1:
		switch {
		case (x >= 0x40 && x <= 0x7E) || (x >= 0x80 && x <= 0xFE):
			c.gbState = c.gbState[:0]
			return true
		case x < 0x30 || x > 0x39:
			return false
		}
	case 2:
		if x < 0x81 || x > 0xFE {
			return false
		}
	case 3:
		if x < 0x30 || x > 0x39 {
			return false
		}
		c.gbState = c.gbState[:0]
		return true
	}
	c.gbState = append(c.gbState, x)
	return true
}

// OK reports whether everything written is still plain text, in some encoding.
func (c *TextCheck) OK() bool {
	_, ok := c.Kind()
	return ok
}

// Kind is what the whole file is, once everything is written: text in UTF-8 when it is
// valid UTF-8, else in GB18030 when it is that; false when it is neither, or not text.
func (c *TextCheck) Kind() (Kind, bool) {
	switch {
	case c.bad:
		return Kind{}, false
	case c.utf8OK && len(c.utf8Cut) == 0:
		return kindText, true
	case c.gbOK && len(c.gbState) == 0:
		return kindTextGB, true
	}
	return Kind{}, false
}

package filetype

import "bytes"

// TextCheck follows a text file past the head Sniff saw, so that what is refused in a head
// (control characters, markup a browser would run) is refused anywhere in the file: a page
// of innocent text followed by a script is not text. Make it with NewTextCheck(head), then
// Write it every byte after the head.
type TextCheck struct {
	tail []byte // the last bytes seen, lower-cased: markup may straddle two writes
	bad  bool
}

// longestMarkup is the length of the longest entry of markup.
var longestMarkup = func() int {
	n := 0
	for _, m := range markup {
		n = max(n, len(m))
	}
	return n
}()

// NewTextCheck returns the check of a file whose first bytes, head, Sniff found to be text:
// it keeps the end of the head, so markup that straddles the head and the rest is seen.
func NewTextCheck(head []byte) *TextCheck {
	lower := bytes.ToLower(head[max(0, len(head)-(longestMarkup-1)):])
	return &TextCheck{tail: lower}
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
}

// OK reports whether everything written is still plain text.
func (c *TextCheck) OK() bool { return !c.bad }

package xlsxread

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// scan checks a workbook's XML parts byte by byte, in constant memory, before excelize
// parses any of them. excelize decodes whole parts (styles, shared strings) into structs
// as the workbook opens, buffers each XML token whole, and reads a row in one call that
// ctx cannot stop: a 12 KiB upload whose styles held a million empty elements cost
// 900 MiB, one row of a million cells 700 MiB. The scan bounds what drives those costs:
// the elements in the workbook, the elements in one row, the bytes of one tag and the
// text directly inside one element (what excelize gathers into one string).
//
// The lexing follows encoding/xml's. It refuses what it cannot bound cheaply and no
// spreadsheet program writes: DTDs, deep nesting, and declared encodings other than
// UTF-8 (encoding/xml would transcode those, and the bytes seen here would no longer be
// the text parsed).
type scan struct {
	budget   int // elements allowed in the workbook
	elements int // elements seen so far
	maxRow   int // elements within one row
	maxText  int // bytes of text directly inside one element
	maxTag   int // bytes of one tag, comment or processing instruction
	br       *bufio.Reader
	pi       []byte
}

// maxDepth bounds element nesting; spreadsheet XML nests a dozen deep at most.
const maxDepth = 256

func newScan(lim Limits) *scan {
	return &scan{
		// Four elements a cell cover a value and its shared string (c, v, si, t); the
		// rest is for rows, styles, theme and the workbook's own parts.
		budget: 4*lim.Rows*lim.Columns + 32<<10,
		// Rich text (runs with their fonts) makes a cell several elements.
		maxRow: 64 * lim.Columns,
		// A character is at most 4 bytes of UTF-8, a few more as an entity (&amp;).
		maxText: max(8*lim.CellChars, 64<<10),
		maxTag:  64 << 10,
	}
}

// tooBig refuses a workbook for a part beyond the scan's bounds.
func tooBig(part, en, zh string, n int) error {
	return &Error{
		EN: fmt.Sprintf("the workbook is too large or complex to import (%s: "+en+")", part, n),
		ZH: fmt.Sprintf("工作簿过大或过于复杂，无法导入（%s："+zh+"）", part, n),
	}
}

func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

const (
	startTag = iota
	emptyTag
	endTag
	other // a comment or processing instruction
	cdata
)

// part scans one XML part.
func (s *scan) part(name string, r io.Reader) error {
	// One buffer for every part: a workbook may have thousands.
	if s.br == nil {
		s.br = bufio.NewReader(r)
	}
	br := s.br
	br.Reset(r)
	text := []int{0} // text bytes directly inside each open element; [0] is outside them
	inRow, row := false, 0
	addText := func(n int) error {
		if text[len(text)-1] += n; text[len(text)-1] > s.maxText {
			return tooBig(name, "an element with more than %d bytes of text", "元素文本超过 %d 字节", s.maxText)
		}
		return nil
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if c != '<' {
			if err := addText(1); err != nil {
				return err
			}
			continue
		}
		kind, isRow, n, err := s.markup(name, br)
		if err != nil {
			return err
		}
		switch kind {
		case cdata:
			if err := addText(n); err != nil {
				return err
			}
		case startTag, emptyTag:
			if s.elements++; s.elements > s.budget {
				return tooBig(name, "more than %d XML elements in the workbook", "工作簿的 XML 元素超过 %d 个", s.budget)
			}
			if isRow {
				inRow, row = kind == startTag, 0
			} else if inRow {
				if row++; row > s.maxRow {
					return tooBig(name, "a row with more than %d XML elements", "一行的 XML 元素超过 %d 个", s.maxRow)
				}
			}
			if kind == startTag {
				if len(text) > maxDepth {
					return tooBig(name, "elements nested more than %d deep", "元素嵌套超过 %d 层", maxDepth)
				}
				text = append(text, 0)
			}
		case endTag:
			if isRow {
				inRow = false
			}
			if len(text) > 1 {
				text = text[:len(text)-1]
			}
		}
	}
}

// markup reads one markup after its '<' and says what it was: with whether a tag is a
// row's, or the length of a CDATA section's text.
func (s *scan) markup(part string, br *bufio.Reader) (kind int, row bool, n int, err error) {
	c, err := br.ReadByte()
	if err != nil {
		return 0, false, 0, eof(err)
	}
	switch c {
	case '!':
		head, _ := br.Peek(7)
		switch {
		case bytes.HasPrefix(head, []byte("--")):
			_, _ = br.Discard(2)
			_, err := s.skip(part, br, "-->", s.maxTag, false)
			return other, false, 0, err
		case bytes.Equal(head, []byte("[CDATA[")):
			_, _ = br.Discard(7)
			n, err := s.skip(part, br, "]]>", s.maxText, false)
			return cdata, false, n, err
		}
		return 0, false, 0, &Error{EN: "the workbook's " + part + " has a DTD, which spreadsheets do not use",
			ZH: "工作簿的 " + part + " 含有 DTD，电子表格不使用 DTD"}
	case '?':
		if _, err := s.skip(part, br, "?>", s.maxTag, true); err != nil {
			return 0, false, 0, err
		}
		return other, false, 0, checkEncoding(part, s.pi)
	case '/':
		kind = endTag
		if c, err = br.ReadByte(); err != nil {
			return 0, false, 0, eof(err)
		}
	default:
		kind = startTag
	}
	// The name: whether it is a row is all that matters. encoding/xml's local name is
	// what follows the first colon, unless the colon starts or ends the name.
	length, colon := 0, -1
	var last [3]byte
	n = 1
	read := func() error {
		if n++; n > s.maxTag {
			return tooBig(part, "a tag longer than %d bytes", "标记超过 %d 字节", s.maxTag)
		}
		c, err = br.ReadByte()
		return eof(err)
	}
	for isNameByte(c) {
		if c == ':' && colon < 0 {
			colon = length
		}
		length++
		last[0], last[1], last[2] = last[1], last[2], c
		if err := read(); err != nil {
			return 0, false, 0, err
		}
	}
	local := length
	if colon >= 1 && colon < length-1 {
		local = length - colon - 1
	}
	row = local == 3 && string(last[:]) == "row"
	// The attributes, whose quoted values may hold '>'.
	var quote, prev byte
	for {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			if kind == startTag && prev == '/' {
				kind = emptyTag
			}
			return kind, row, 0, nil
		}
		prev = c
		if err := read(); err != nil {
			return 0, false, 0, err
		}
	}
}

// skip reads past the next end (at most 3 bytes), refusing a section longer than limit
// bytes, and returns the length before end; keep collects what it read in s.pi.
func (s *scan) skip(part string, br *bufio.Reader, end string, limit int, keep bool) (int, error) {
	var tail [3]byte
	s.pi = s.pi[:0]
	for n := 1; ; n++ {
		if n > limit+len(end) {
			return 0, tooBig(part, "a section longer than %d bytes", "片段超过 %d 字节", limit)
		}
		c, err := br.ReadByte()
		if err != nil {
			return 0, eof(err)
		}
		if keep {
			s.pi = append(s.pi, c)
		}
		tail[0], tail[1], tail[2] = tail[1], tail[2], c
		if string(tail[3-len(end):]) == end {
			return n - len(end), nil
		}
	}
}

// isNameByte is encoding/xml's test for the bytes of a name.
func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-' || c >= 0x80
}

// checkEncoding refuses an XML declaration that names an encoding other than UTF-8:
// encoding/xml honours each such declaration, wherever it is.
func checkEncoding(part string, pi []byte) error {
	lower := bytes.ToLower(pi)
	if !bytes.HasPrefix(lower, []byte("xml")) {
		return nil
	}
	i := bytes.Index(lower, []byte("encoding"))
	if i < 0 {
		return nil
	}
	v := bytes.TrimLeft(lower[i+len("encoding"):], " \t\r\n=")
	if len(v) > 6 && (v[0] == '"' || v[0] == '\'') && string(v[1:6]) == "utf-8" && v[6] == v[0] {
		return nil
	}
	return &Error{EN: "the workbook's " + part + " is not encoded as UTF-8", ZH: "工作簿的 " + part + " 不是 UTF-8 编码"}
}

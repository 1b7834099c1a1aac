package xlsxread

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// book returns a workbook whose sheet Sheet1 holds the rows rows writes. The sheet's XML
// is written by hand: excelize itself would pad a cell in XFD out to 16 384 cells while
// writing, which is the very cost under test.
func book(t testing.TB, rows func(w io.Writer)) []byte {
	t.Helper()
	f := excelize.NewFile()
	var tmpl bytes.Buffer
	if err := f.Write(&tmpl); err != nil {
		t.Fatal(err)
	}
	return replacePart(t, tmpl.Bytes(), "xl/worksheets/sheet1.xml", func(w io.Writer) {
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		rows(w)
		_, _ = io.WriteString(w, `</sheetData></worksheet>`)
	})
}

// replacePart rewrites a workbook with a part's content replaced by what content writes,
// adding the part when it has none.
func replacePart(t testing.TB, data []byte, part string, content func(w io.Writer)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		if zf.Name == part {
			continue
		}
		if err := z.Copy(zf); err != nil {
			t.Fatal(err)
		}
	}
	w, err := z.Create(part)
	if err != nil {
		t.Fatal(err)
	}
	content(w)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func cell(w io.Writer, ref, v string) {
	fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, v)
}

var limits = Limits{Rows: 2001, Columns: 18, CellChars: 5000}

func read(ctx context.Context, data []byte, lim Limits, fn func(row int, cells []string) error) error {
	w, err := Open(data, lim)
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Rows(ctx, "Sheet1", lim, fn)
}

func TestRowsGivesNumberedRowsWithValues(t *testing.T) {
	data := book(t, func(w io.Writer) {
		fmt.Fprint(w, `<row r="1">`)
		cell(w, "A1", "编码 [code]")
		cell(w, "C1", "标题 [title]")
		fmt.Fprint(w, `</row><row r="2"><c r="B2" t="inlineStr"><is><t> </t></is></c></row><row r="4">`)
		cell(w, "R4", "last column")
		fmt.Fprint(w, `</row>`)
	})
	var got []string
	err := read(context.Background(), data, limits, func(row int, cells []string) error {
		got = append(got, fmt.Sprintf("%d:%d:%s", row, len(cells), strings.Join(cells, "|")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Row 2 is blank, row 3 missing: both skipped, and the numbers stay the sheet's.
	want := []string{"1:3:编码 [code]||标题 [title]", "4:18:" + strings.Repeat("|", 17) + "last column"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	var e *Error
	if _, err := Open([]byte("not a zip"), limits); !errors.As(err, &e) {
		t.Errorf("not a workbook: %v", err)
	}
	w, _ := Open(data, limits)
	defer w.Close()
	if err := w.Rows(context.Background(), "Sheet9", limits, nil); !errors.As(err, &e) || e.Sheet != "Sheet9" {
		t.Errorf("missing sheet: %v", err)
	}
}

// allocated returns the bytes f allocates, garbage included: what a request costs the
// process, not just what it keeps.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// maxAlloc bounds what reading any refused workbook below may allocate. The first case
// made GetRows allocate about 5 GiB (8 GB resident in the review), since every row was
// padded out to XFD.
const maxAlloc = 64 << 20

// The review's workbook and its variants are refused, allocating a bounded amount however
// much follows the point where they break a limit: the sheet's own limits (placed by row
// and column), or the scan's bounds on the XML (before excelize parses it).
func TestHostileWorkbooksAreRefusedWithBoundedMemory(t *testing.T) {
	rows := func(n int, cols ...string) func(w io.Writer) {
		return func(w io.Writer) {
			for r := 1; r <= n; r++ {
				fmt.Fprintf(w, `<row r="%d">`, r)
				for _, col := range cols {
					cell(w, fmt.Sprintf("%s%d", col, r), "x")
				}
				fmt.Fprint(w, `</row>`)
			}
		}
	}
	styles := func(w io.Writer) {
		_, _ = io.WriteString(w, `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`)
		for range 1 << 20 {
			_, _ = io.WriteString(w, `<xf/>`)
		}
		_, _ = io.WriteString(w, `</cellXfs></styleSheet>`)
	}
	for _, c := range []struct {
		name     string
		sheet    func(w io.Writer)
		part     string // another part to replace, and its XML
		xml      func(w io.Writer)
		row, col int
		msg      string
	}{
		{name: "20 000 rows with one cell in XFD", sheet: rows(20000, "XFD"),
			row: 1, col: 16384, msg: "the sheet has 18 columns, A to R"},
		{name: "20 000 rows within the width", sheet: rows(20000, "A"),
			row: 2002, msg: "at most 2001 rows"},
		{name: "a cell of 6 000 characters", sheet: func(w io.Writer) {
			fmt.Fprint(w, `<row r="1">`)
			cell(w, "A1", "code")
			cell(w, "B1", strings.Repeat("文", 6000))
			fmt.Fprint(w, `</row>`)
		}, row: 1, col: 2, msg: "longer than 5000 characters"},
		{name: "a cell of 16 MiB", sheet: func(w io.Writer) {
			fmt.Fprint(w, `<row r="1">`)
			cell(w, "A1", strings.Repeat("文", 16<<20/3))
			fmt.Fprint(w, `</row>`)
		}, msg: "sheet1.xml: an element with more than 65536 bytes of text"},
		{name: "a cell's text split by comments", sheet: func(w io.Writer) {
			fmt.Fprint(w, `<row r="1"><c r="A1" t="str"><v>`)
			for range 1 << 10 {
				fmt.Fprint(w, strings.Repeat("x", 16<<10)+"<!---->")
			}
			fmt.Fprint(w, `</v></c></row>`)
		}, msg: "sheet1.xml: an element with more than 65536 bytes of text"},
		{name: "a million cells in one row", sheet: func(w io.Writer) {
			fmt.Fprint(w, `<row r="1">`)
			for range 1 << 20 {
				fmt.Fprint(w, `<c><v>1</v></c>`)
			}
			fmt.Fprint(w, `</row>`)
		}, msg: "sheet1.xml: a row with more than 1152 XML elements"},
		{name: "a million cells in one row, prefixed", sheet: func(w io.Writer) {
			fmt.Fprint(w, `<x:row r="1" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			for range 1 << 20 {
				fmt.Fprint(w, `<x:c><x:v>1</x:v></x:c>`)
			}
			fmt.Fprint(w, `</x:row>`)
		}, msg: "sheet1.xml: a row with more than 1152 XML elements"},
		{name: "a million styles", sheet: rows(1, "A"), part: "xl/styles.xml", xml: styles,
			msg: "xl/styles.xml: more than 176840 XML elements"},
		{name: "a million shared strings", sheet: rows(1, "A"), part: "xl/sharedStrings.xml", xml: func(w io.Writer) {
			_, _ = io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			for range 1 << 20 {
				_, _ = io.WriteString(w, `<si><t>a</t></si>`)
			}
			_, _ = io.WriteString(w, `</sst>`)
		}, msg: "xl/sharedStrings.xml: more than 176840 XML elements"},
		{name: "styles in another encoding", sheet: rows(1, "A"), part: "xl/styles.xml", xml: func(w io.Writer) {
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="ISO-2022-JP"?><styleSheet/>`)
		}, msg: "xl/styles.xml is not encoded as UTF-8"},
		{name: "a DTD", sheet: func(w io.Writer) { fmt.Fprint(w, `<!DOCTYPE x [<!ENTITY a "b">]>`) }, msg: "has a DTD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := book(t, c.sheet)
			if c.part != "" {
				data = replacePart(t, data, c.part, c.xml)
			}
			t.Logf("workbook: %d KiB", len(data)>>10)
			var err error
			n := allocated(func() {
				err = read(context.Background(), data, limits, func(int, []string) error { return nil })
			})
			t.Logf("allocated %.1f MiB: %v", float64(n)/(1<<20), err)
			var e *Error
			if !errors.As(err, &e) || e.Row != c.row || e.Column != c.col || !strings.Contains(e.Error(), c.msg) {
				t.Fatalf("err = %v, want row %d column %d: %s", err, c.row, c.col, c.msg)
			}
			if n > maxAlloc {
				t.Errorf("allocated %d MiB, want under %d MiB", n>>20, maxAlloc>>20)
			}
		})
	}
}

// A request whose context ends stops being read at the next row.
func TestCancelledContextStopsTheRead(t *testing.T) {
	data := book(t, func(w io.Writer) {
		for r := 1; r <= 1000; r++ {
			fmt.Fprintf(w, `<row r="%d">`, r)
			cell(w, fmt.Sprintf("A%d", r), "x")
			fmt.Fprint(w, `</row>`)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	last := 0
	err := read(ctx, data, Limits{Rows: 5000, Columns: 18, CellChars: 10}, func(row int, _ []string) error {
		if last = row; row == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || last != 10 {
		t.Errorf("after cancelling at row 10: read to row %d, err %v", last, err)
	}
	if err := read(ctx, data, limits, func(int, []string) error { t.Fatal("read with a cancelled context"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("an already cancelled context: %v", err)
	}
}

func TestErrorTextPlacesTheProblem(t *testing.T) {
	e := &Error{Sheet: "测评细则", Row: 5, Column: 16384, EN: "too wide", ZH: "太宽"}
	if e.Error() != "sheet 测评细则, row 5, column XFD: too wide" || e.Chinese() != "工作表 测评细则，第 5 行，XFD 列：太宽" {
		t.Errorf("%q / %q", e.Error(), e.Chinese())
	}
	if e := (&Error{EN: "not a workbook", ZH: "不是工作簿"}); e.Error() != "not a workbook" || e.Chinese() != "不是工作簿" {
		t.Errorf("%q / %q", e.Error(), e.Chinese())
	}
}

// FuzzScan checks the scan against encoding/xml, the parser excelize uses: whatever the
// scan accepts, encoding/xml reads without a token, a row or an element's text beyond
// the scan's bounds.
func FuzzScan(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><x:row><c><v>ab<![CDATA[cd]]><!-- c -->ef</v></c></x:row>`))
	f.Add([]byte(`<a b='>' c=">"><row/><row><c/><c/></row></a>`))
	f.Add([]byte(`<?xml version="1.0" encoding='utf-8'?><a:b:row><row:><:row><c/></:row></row:></a:b:row>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &scan{budget: 20, maxRow: 4, maxText: 16, maxTag: 64}
		if s.part("fuzz", bytes.NewReader(data)) != nil {
			return
		}
		d := xml.NewDecoder(bytes.NewReader(data))
		elements, inRow, row := 0, false, 0
		text := []int{0}
		for {
			tok, err := d.Token()
			if err != nil {
				return
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if elements++; elements > s.budget {
					t.Fatalf("%d elements accepted", elements)
				}
				if tok.Name.Local == "row" {
					inRow, row = true, 0
				} else if inRow {
					if row++; row > s.maxRow {
						t.Fatalf("a row of %d elements accepted", row)
					}
				}
				text = append(text, 0)
			case xml.EndElement:
				if tok.Name.Local == "row" {
					inRow = false
				}
				text = text[:len(text)-1]
			case xml.CharData:
				if text[len(text)-1] += len(tok); text[len(text)-1] > s.maxText {
					t.Fatalf("an element with %d bytes of text accepted", text[len(text)-1])
				}
			case xml.Comment:
				if len(tok) > s.maxTag {
					t.Fatalf("a comment of %d bytes accepted", len(tok))
				}
			case xml.ProcInst:
				if len(tok.Inst) > s.maxTag {
					t.Fatalf("an instruction of %d bytes accepted", len(tok.Inst))
				}
			case xml.Directive:
				t.Fatalf("a directive accepted: %s", tok)
			}
		}
	})
}

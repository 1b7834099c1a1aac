package standards

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/wenming-platform/wenming/services/standards/examples"
)

func TestXLSXRoundTrip(t *testing.T) {
	s, errs := UnmarshalYAML(examples.Municipal)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	b, err := MarshalXLSX(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := readXLSX(context.Background(), b)
	if err != nil || len(back.problems) > 0 {
		t.Fatal(err, back.problems)
	}
	if !proto.Equal(content(s), content(back.std)) {
		t.Error("XLSX round trip changed the standard")
	}
}

// The template's bounds are the API's: as many indicator rows as a standard may have
// indicators, and cells as long as the longest text field (guidance).
func TestXLSXBoundsAreTheAPIs(t *testing.T) {
	if maxIndicators != 2000 || maxCellChars != 5000 || indicatorSheet.Rows != 2001 || indicatorSheet.Columns != 18 {
		t.Errorf("indicators %d, cell %d, sheet %+v", maxIndicators, maxCellChars, indicatorSheet)
	}
}

// template returns the example standard's XLSX with its indicator sheet's rows replaced
// by the header and what rows writes (by hand: excelize would pad a cell in XFD out to
// 16 384 cells while writing it).
func template(t testing.TB, rows func(w io.Writer)) []byte {
	t.Helper()
	s, _ := UnmarshalYAML(examples.Municipal)
	good, err := MarshalXLSX(s)
	if err != nil {
		t.Fatal(err)
	}
	return rewrite(t, good, func(name string, body []byte, w io.Writer) {
		if name != "xl/worksheets/sheet2.xml" { // 测评细则
			_, _ = w.Write(body)
			return
		}
		fmt.Fprint(w, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">`)
		for j, c := range indicatorColumns {
			inline(w, cell(j, 1), header(c))
		}
		fmt.Fprint(w, `</row>`)
		rows(w)
		fmt.Fprint(w, `</sheetData></worksheet>`)
	})
}

func inline(w io.Writer, ref, v string) {
	fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, v)
}

// rewrite copies a workbook, passing each part through fn.
func rewrite(t testing.TB, data []byte, fn func(name string, body []byte, w io.Writer)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		w, err := z.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		fn(f.Name, body, w)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A template padded to unzip to 64 MiB (while its upload stays small) is refused, not
// expanded: without the unzip limits the same file would import.
func TestXLSXZipBombIsRefused(t *testing.T) {
	s, _ := UnmarshalYAML(examples.Municipal)
	good, err := MarshalXLSX(s)
	if err != nil {
		t.Fatal(err)
	}
	bomb := rewrite(t, good, func(name string, body []byte, w io.Writer) {
		if !strings.HasPrefix(name, "xl/worksheets/") {
			_, _ = w.Write(body)
			return
		}
		// Whitespace between elements is valid XML: the sheet still parses.
		i := bytes.Index(body, []byte("<sheetData>"))
		_, _ = w.Write(body[:i])
		pad := bytes.Repeat([]byte(" "), 1<<20)
		for range 64 {
			_, _ = w.Write(pad)
		}
		_, _ = w.Write(body[i:])
	})
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; it must fit the upload limit", len(bomb))
	}
	f, err := readXLSX(context.Background(), bomb)
	if err != nil || len(f.problems) == 0 || !strings.Contains(f.problems[0].EN, "at most 32 MiB unzipped") {
		t.Fatalf("a 64 MiB worksheet: %v %v", err, f.problems)
	}
}

// allocated returns the bytes f allocates, garbage included.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The security review's workbook (112 KB: 20 000 indicator rows, each with one cell in
// column XFD) took the server from 0.3 to 8 GB, because GetRows padded every row to
// 16 384 cells. It and its variants are now refused at the row that breaks the
// template's bounds, allocating under 64 MiB; the old reader allocated about 5 GiB
// for the first.
func TestXLSXHostileTemplatesAreRefusedWithBoundedMemory(t *testing.T) {
	const bound = 64 << 20
	for _, c := range []struct {
		name string
		rows func(w io.Writer)
		want string
	}{
		{"20 000 rows with one cell in XFD", func(w io.Writer) {
			for r := 2; r <= 20001; r++ {
				fmt.Fprintf(w, `<row r="%d">`, r)
				inline(w, fmt.Sprintf("XFD%d", r), "x")
				fmt.Fprint(w, `</row>`)
			}
		}, "sheet 测评细则, row 2, column XFD: the sheet has 18 columns, A to R"},
		{"20 000 indicators within the width", func(w io.Writer) {
			for r := 2; r <= 20001; r++ {
				fmt.Fprintf(w, `<row r="%d">`, r)
				inline(w, fmt.Sprintf("A%d", r), fmt.Sprint(r))
				fmt.Fprint(w, `</row>`)
			}
		}, "sheet 测评细则, row 2002: the sheet may have at most 2001 rows"},
		{"a guidance of 6 000 characters", func(w io.Writer) {
			fmt.Fprint(w, `<row r="2">`)
			inline(w, "A2", "1")
			inline(w, "L2", strings.Repeat("文", 6000))
			fmt.Fprint(w, `</row>`)
		}, "sheet 测评细则, row 2, column L: the cell is longer than 5000 characters"},
		{"a cell of 16 MiB", func(w io.Writer) {
			fmt.Fprint(w, `<row r="2">`)
			inline(w, "L2", strings.Repeat("文", 16<<20/3))
			fmt.Fprint(w, `</row>`)
		}, "an element with more than 65536 bytes of text"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := template(t, c.rows)
			var (
				f   *standardFile
				err error
			)
			n := allocated(func() { f, err = readXLSX(context.Background(), data) })
			t.Logf("%d KiB workbook, %.1f MiB allocated", len(data)>>10, float64(n)/(1<<20))
			if err != nil || len(f.problems) != 1 || !strings.Contains(f.problems[0].EN, c.want) {
				t.Fatalf("err %v, problems %v; want %q", err, f.problems, c.want)
			}
			if n > bound {
				t.Errorf("allocated %d MiB, want under %d MiB", n>>20, bound>>20)
			}
		})
	}
}

// An import stops reading when its request ends.
func TestXLSXImportStopsWhenTheRequestEnds(t *testing.T) {
	data := template(t, func(w io.Writer) {
		for r := 2; r <= 2000; r++ {
			fmt.Fprintf(w, `<row r="%d">`, r)
			inline(w, fmt.Sprintf("A%d", r), fmt.Sprint(r))
			fmt.Fprint(w, `</row>`)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if f, err := readXLSX(ctx, data); !errors.Is(err, context.Canceled) {
		t.Fatalf("with the request ended: %v, %v", err, f)
	}
}

package standards

import (
	"archive/zip"
	"bytes"
	"io"
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
	back, problems, _ := UnmarshalXLSX(b)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if !proto.Equal(content(s), content(back)) {
		t.Error("XLSX round trip changed the standard")
	}
}

// A template padded to unzip to 64 MiB (while its upload stays small) is refused, not
// expanded: without the unzip limits the same file would import.
func TestXLSXZipBombIsRefused(t *testing.T) {
	s, _ := UnmarshalYAML(examples.Municipal)
	good, err := MarshalXLSX(s)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
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
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			// Whitespace between elements is valid XML: the sheet still parses.
			i := bytes.Index(body, []byte("<sheetData>"))
			_, _ = w.Write(body[:i])
			pad := bytes.Repeat([]byte(" "), 1<<20)
			for range 64 {
				_, _ = w.Write(pad)
			}
			_, _ = w.Write(body[i:])
			continue
		}
		_, _ = w.Write(body)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes; it must fit the upload limit", buf.Len())
	}
	_, problems, _ := UnmarshalXLSX(buf.Bytes())
	if len(problems) == 0 || !strings.Contains(problems[0], "exceed") {
		t.Fatalf("a 64 MiB worksheet: %v", problems)
	}
}

package errs

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"unicode"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
)

var update = flag.Bool("update", false, "rewrite docs/errors.md from the catalog")

// TestErrorsDoc fails when docs/errors.md is not what the catalog and errors.md.tmpl make,
// so the page cannot drift from the code. With -update it rewrites the page.
func TestErrorsDoc(t *testing.T) {
	page, err := errorsDoc()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(repoRoot(t), "docs", "errors.md")
	if *update {
		if err := os.WriteFile(file, page, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, page) {
		hl, pl := strings.Split(string(have), "\n"), strings.Split(string(page), "\n")
		i := 0
		for i < len(hl) && i < len(pl) && hl[i] == pl[i] {
			i++
		}
		line := func(ls []string) string {
			if i < len(ls) {
				return ls[i]
			}
			return "(end of file)"
		}
		t.Errorf("docs/errors.md is not what the catalog makes; first difference at line %d:\n have %s\n want %s\n"+
			"run: go test ./services/platform/errs -run TestErrorsDoc -update", i+1, line(hl), line(pl))
	}
}

// docRow is one reason as the page shows it.
type docRow struct {
	Reason
	HTTPStatus string
	GRPC       string
}

// errorsDoc renders docs/errors.md: errors.md.tmpl with the catalog, by group, and example
// bodies made by Status itself.
func errorsDoc() ([]byte, error) {
	var data struct {
		Count       int
		Groups      []docGroup
		Invalid     string
		RateLimited string
		RetryAfter  int64
	}
	for _, r := range Catalog() {
		row := docRow{Reason: r, GRPC: codeName(r.Code) + " (" + strconv.Itoa(int(r.Code)) + ")"}
		switch {
		case r.Command != "":
			row.HTTPStatus = "–"
		case r.HTTP != 0:
			row.HTTPStatus = strconv.Itoa(r.HTTP)
		default:
			row.HTTPStatus = strconv.Itoa(runtime.HTTPStatusFromCode(r.Code))
		}
		if n := len(data.Groups); n == 0 || data.Groups[n-1].Title != r.Group {
			data.Groups = append(data.Groups, docGroup{Title: r.Group})
		}
		g := &data.Groups[len(data.Groups)-1]
		g.Rows = append(g.Rows, row)
		data.Count++
	}
	var err error
	invalid := Invalid("unit.credit_code", "not a valid unified social credit code", "不是有效的统一社会信用代码")
	if data.Invalid, err = restBody(withLang(""), invalid); err != nil {
		return nil, err
	}
	data.RetryAfter = 42
	limited := &Error{Code: codes.ResourceExhausted, Reason: "RATE_LIMITED", EN: "too many attempts; try again later",
		ZH: "尝试次数过多，请稍后再试", RetryAfterSeconds: data.RetryAfter}
	if data.RateLimited, err = restBody(withLang("en-US,en;q=0.8"), limited); err != nil {
		return nil, err
	}
	tmpl, err := template.ParseFiles("errors.md.tmpl")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type docGroup struct {
	Title Group
	Rows  []docRow
}

// restBody is e as the REST gateway sends it: the status in protojson, indented stably.
func restBody(ctx context.Context, e *Error) (string, error) {
	b, err := protojson.Marshal(Status(ctx, e).Proto())
	if err != nil {
		return "", err
	}
	var compact, out bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return "", err
	}
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return "", err
	}
	return out.String(), nil
}

// codeName is a code's canonical name, as google.rpc.Code spells it: InvalidArgument is
// INVALID_ARGUMENT.
func codeName(c codes.Code) string {
	var b strings.Builder
	for i, r := range c.String() {
		if i > 0 && unicode.IsUpper(r) && c != codes.OK {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func TestCodeName(t *testing.T) {
	for c, want := range map[codes.Code]string{
		codes.OK: "OK", codes.InvalidArgument: "INVALID_ARGUMENT", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
		codes.DataLoss: "DATA_LOSS", codes.Unauthenticated: "UNAUTHENTICATED",
	} {
		if got := codeName(c); got != want {
			t.Errorf("codeName(%v) = %s, want %s", c, got, want)
		}
	}
}

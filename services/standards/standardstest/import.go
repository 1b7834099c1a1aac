package standardstest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/standards"
	"github.com/wenming-platform/wenming/services/standards/examples"
)

// xfdBomb is the security review's workbook: the template with 20 000 indicator rows,
// each holding one cell in the last column, XFD (about 110 KiB). Reading it the old way
// took the server from 0.3 to 8 GB.
func xfdBomb(t testing.TB) []byte {
	t.Helper()
	s, _ := standards.UnmarshalYAML(examples.Municipal)
	good, err := standards.MarshalXLSX(s)
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
		if f.Name != "xl/worksheets/sheet2.xml" { // 测评细则
			if err := z.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := z.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(w, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">`+
			`<c r="A1" t="inlineStr"><is><t>编码 [code]</t></is></c></row>`)
		for r := 2; r <= 20001; r++ {
			fmt.Fprintf(w, `<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, r, r)
		}
		fmt.Fprint(w, `</sheetData></worksheet>`)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ImportAuthorisedFirst: a caller who may not create standards in the office is refused
// as CreateStandard refuses it, without the file being read: a file that cannot be parsed
// gets the same answer, where parsing first answered 400 STANDARD_FILE_INVALID.
func ImportAuthorisedFirst(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	bomb := xfdBomb(t)
	for _, c := range []struct {
		name, token, office string
		want                int
	}{
		{"another province's admin", tr.Prov2Admin, tr.Province, 404},
		{"a sibling district's admin", tr.D2Admin, tr.D1, 404},
		{"the parent office's admin", tr.CityAdmin, tr.D1, 403},
		{"the office's viewer", tr.D1Viewer, tr.D1, 403},
		{"a unit's admin", tr.Unit1Admin, tr.D1, 403},
	} {
		path := "/v1/offices/" + c.office + "/standards:import"
		for _, f := range []struct {
			name, contentType string
			body              []byte
		}{
			{"the XFD workbook", XLSXType, bomb},
			{"bytes that are no workbook", XLSXType, []byte("PK\x03\x04 not a workbook")},
			{"YAML that is not YAML", "application/yaml", []byte("code: [unclosed\n")},
		} {
			r := e.Do(t, "POST", path, c.token, f.body, apptest.Header{"Content-Type": f.contentType})
			if r.Code != c.want {
				t.Errorf("%s posting %s: %d %s, want %d", c.name, f.name, r.Code, r.Reason(t), c.want)
			}
		}
	}
	// The office's own admin is refused at the first row past the template's columns.
	r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/standards:import", tr.D1Admin, bomb,
		apptest.Header{"Content-Type": XLSXType, "Accept-Language": "en"})
	if r.Code != 400 || r.Reason(t) != "STANDARD_FILE_INVALID" || !strings.Contains(string(r.Raw), "sheet 测评细则, row 2, column XFD") {
		t.Errorf("the office's admin posting the XFD workbook: %d %.300s", r.Code, r.Raw)
	}
}

// smallStandard is a valid standard; its indicator 1.1 is indicators[1], row 3 of the
// XLSX form.
const smallStandard = `code: T
name: 测试细则
base_points: "10.00"
indicators:
  - code: "1"
    title: 组
    kind: GROUP
    max_points: "10.00"
    children:
      - code: "1.1"
        title: 指标
        kind: POINTS
        max_points: "10.00"
        evidence:
          file_types: [pdf]
          min_files: 1
          cadence: MONTHLY
          due_day: 20
`

// ImportValidated: the values the security review imported and published are refused,
// by YAML and by XLSX, each naming its field (a path in YAML, sheet, row and column in
// XLSX), and nothing is stored.
func ImportValidated(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	imp := "/v1/offices/" + tr.D1 + "/standards:import"
	ev := func(s *standardsv1.Standard) *standardsv1.EvidenceSpec { return s.Indicators[1].EvidenceSpec }
	for _, c := range []struct {
		name       string
		mut        func(s *standardsv1.Standard)
		yaml, xlsx string // what the refusal names; xlsx empty: YAML only
	}{
		{"grade A 5000 %", func(s *standardsv1.Standard) {
			s.GradeScale = []*standardsv1.Grade{{Grade: "A", Percent: 5000}}
		}, "grade_scale[0].percent: must be between 0 and 100", ""},
		{"a negative percentage", func(s *standardsv1.Standard) {
			s.GradeScale = []*standardsv1.Grade{{Grade: "A", Percent: 100}, {Grade: "B", Percent: -10}}
		}, "grade_scale[1].percent: must be between 0 and 100", "sheet 体系设置, row 7, column B (grade_scale): must be between 0 and 100"},
		// Fails until resources.proto limits file_types to a list of types: its pattern
		// lets any short word through.
		{"file type exe", func(s *standardsv1.Standard) { ev(s).FileTypes = []string{"pdf", "exe"} },
			"indicators[1].evidence_spec.file_types[1]", ""},
		{"file type ../../x", func(s *standardsv1.Standard) { ev(s).FileTypes = []string{"../../x"} },
			"indicators[1].evidence_spec.file_types[0]: must be one of pdf", "sheet 测评细则, row 3, column M (file_types): must be one of pdf"},
		{"min_files -5", func(s *standardsv1.Standard) { ev(s).MinFiles = -5 },
			"indicators[1].evidence_spec.min_files: must be between 0 and 100", "sheet 测评细则, row 3, column N (min_files): must be between 0 and 100"},
		{"due_day 99", func(s *standardsv1.Standard) { ev(s).DueDay = 99 },
			"indicators[1].evidence_spec.due_day: must be between 0 and 28", ""},
		{"a code of 300 characters", func(s *standardsv1.Standard) { s.Code = strings.Repeat("C", 300) },
			"code: must be at most 64 characters", "sheet 体系设置, row 2, column B (code): must be at most 64 characters"},
		{"2 001 indicators", func(s *standardsv1.Standard) {
			for i := len(s.Indicators); i < 2001; i++ {
				s.Indicators = append(s.Indicators, &standardsv1.Indicator{Code: fmt.Sprint("1.", i), ParentCode: "1",
					Title: "指标", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_BONUS, MaxPoints: "1.00"})
			}
		}, "indicators: may have at most 2000 entries", "sheet 测评细则, row 2002: the sheet may have at most 2001 rows"},
	} {
		s, errs := standards.UnmarshalYAML([]byte(smallStandard))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		// A code of its own, so that a case wrongly accepted is named below.
		s.Code = "BAD " + c.name
		c.mut(s)
		files := []struct{ contentType, want string }{{"application/yaml", c.yaml}}
		y, err := standards.MarshalYAML(s)
		if err != nil {
			t.Fatal(err)
		}
		bodies := [][]byte{y}
		if c.xlsx != "" {
			x, err := standards.MarshalXLSX(s)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, struct{ contentType, want string }{XLSXType, c.xlsx})
			bodies = append(bodies, x)
		}
		for i, f := range files {
			r := e.Do(t, "POST", imp, tr.D1Admin, bodies[i], apptest.Header{"Content-Type": f.contentType, "Accept-Language": "en"})
			if r.Code != 400 || r.Reason(t) != "STANDARD_FILE_INVALID" || r.Field(t) != "content" || !strings.Contains(string(r.Raw), f.want) {
				t.Errorf("%s as %s: %d %.400s\nwant 400 naming %q", c.name, f.contentType, r.Code, r.Raw, f.want)
			}
		}
	}
	list := apptest.Call[*standardsv1.ListStandardsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/standards", tr.D1Admin, nil)
	for _, std := range list.GetStandards() {
		t.Errorf("an import that should be refused stored %q", std.GetCode())
	}
	// The same file without the bad values imports.
	apptest.Must(t, 200, e.Do(t, "POST", imp, tr.D1Admin, []byte(smallStandard), apptest.Header{"Content-Type": "application/yaml"}))
}

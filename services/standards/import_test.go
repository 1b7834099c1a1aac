package standards

import (
	"context"
	"fmt"
	"strings"
	"testing"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/services/platform/errs"
)

// small is a valid standard; its indicator 1.1 is indicators[1], row 3 of the XLSX form.
const small = `code: T
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

// badStandards are the values the security review imported and published, each with
// where the YAML and XLSX forms must say the problem is.
var badStandards = []struct {
	name      string
	mut       func(s *standardsv1.Standard)
	yaml, xls string
}{
	{"grade A 5000 %", func(s *standardsv1.Standard) {
		s.GradeScale = []*standardsv1.Grade{{Grade: "A", Percent: 5000}}
	}, "grade_scale[0].percent: must be between 0 and 100", "sheet 体系设置, row 7, column B (grade_scale): must be between 0 and 100"},
	{"a negative percentage", func(s *standardsv1.Standard) {
		s.GradeScale = []*standardsv1.Grade{{Grade: "A", Percent: 100}, {Grade: "B", Percent: -10}}
	}, "grade_scale[1].percent: must be between 0 and 100", "sheet 体系设置, row 7, column B (grade_scale): must be between 0 and 100"},
	// Pending the proto: file_types has a pattern, not a list of types (see the report).
	{"file type exe", func(s *standardsv1.Standard) {
		s.Indicators[1].EvidenceSpec.FileTypes = []string{"pdf", "exe"}
	}, "indicators[1].evidence_spec.file_types[1]", "sheet 测评细则, row 3, column M (file_types)"},
	{"file type ../../x", func(s *standardsv1.Standard) {
		s.Indicators[1].EvidenceSpec.FileTypes = []string{"../../x"}
	}, "indicators[1].evidence_spec.file_types[0]: must be one of pdf", "sheet 测评细则, row 3, column M (file_types): must be one of pdf"},
	{"min_files -5", func(s *standardsv1.Standard) {
		s.Indicators[1].EvidenceSpec.MinFiles = -5
	}, "indicators[1].evidence_spec.min_files: must be between 0 and 100", "sheet 测评细则, row 3, column N (min_files): must be between 0 and 100"},
	{"due_day 99", func(s *standardsv1.Standard) {
		s.Indicators[1].EvidenceSpec.DueDay = 99
	}, "indicators[1].evidence_spec.due_day: must be between 0 and 28", "sheet 测评细则, row 3, column R (due_day): must be between 0 and 28"},
	{"a code of 300 characters", func(s *standardsv1.Standard) {
		s.Code = strings.Repeat("C", 300)
	}, "code: must be at most 64 characters", "sheet 体系设置, row 2, column B (code): must be at most 64 characters"},
	{"2 001 indicators", func(s *standardsv1.Standard) {
		for i := len(s.Indicators); i < 2001; i++ {
			s.Indicators = append(s.Indicators, &standardsv1.Indicator{
				Code: fmt.Sprint("1.", i), ParentCode: "1", Title: "指标", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_BONUS, MaxPoints: "1.00",
			})
		}
	}, "indicators: may have at most 2000 entries", "sheet 测评细则, row 2002: the sheet may have at most 2001 rows"},
}

// badStandard returns the small valid standard changed by one of badStandards.
func badStandard(t testing.TB, mut func(s *standardsv1.Standard)) *standardsv1.Standard {
	t.Helper()
	s, errs := UnmarshalYAML([]byte(small))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if mut != nil {
		mut(s)
	}
	return s
}

// An imported standard passes the checks of the API's requests, each problem placed in
// the file: by field path in YAML, by sheet, row and column in XLSX.
func TestImportIsValidatedLikeTheAPI(t *testing.T) {
	problems := func(f *standardFile) string {
		var out []string
		for _, p := range f.problems {
			out = append(out, p.EN)
		}
		if len(out) == 0 {
			ps, err := f.check(&standardsv1.CreateStandardRequest{OfficeId: "o", Standard: f.std})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				out = append(out, p.EN)
			}
		}
		return strings.Join(out, "\n")
	}
	if got := problems(readYAML([]byte(small))); got != "" {
		t.Fatalf("the valid standard: %s", got)
	}
	for _, c := range badStandards {
		t.Run(c.name, func(t *testing.T) {
			s := badStandard(t, c.mut)
			y, err := MarshalYAML(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := problems(readYAML(y)); !strings.Contains(got, c.yaml) {
				t.Errorf("YAML: %q\nwant %q", got, c.yaml)
			}
			x, err := MarshalXLSX(s)
			if err != nil {
				t.Fatal(err)
			}
			f, err := readXLSX(context.Background(), x)
			if err != nil {
				t.Fatal(err)
			}
			if got := problems(f); !strings.Contains(got, c.xls) {
				t.Errorf("XLSX: %q\nwant %q", got, c.xls)
			}
		})
	}
}

// A refusal lists the first problems and counts the rest, not one line per bad row.
func TestFileProblemsAreCapped(t *testing.T) {
	var list []errs.Field
	for i := range 250 {
		list = append(list, problem(fmt.Sprint("row ", i)))
	}
	e := fileProblems(list).(*errs.Error)
	if len(e.Fields) != maxListed+1 || e.Fields[maxListed].EN != "and 150 more problems" || len(list) != 250 {
		t.Errorf("%d fields, last %q", len(e.Fields), e.Fields[len(e.Fields)-1].EN)
	}
}

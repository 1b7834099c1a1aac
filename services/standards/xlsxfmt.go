package standards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/xuri/excelize/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/xlsxread"
)

// The XLSX form is the template offices fill in: a sheet of settings and a sheet with one
// row per indicator. Each header says its meaning in Chinese and its key in brackets; the
// importer reads columns by key, so columns may be reordered. docs/standard-formats.md
// describes it.

const (
	settingsSheet   = "体系设置"
	indicatorsSheet = "测评细则"
)

type column struct{ key, label string }

var indicatorColumns = []column{
	{"code", "编码"}, {"parent_code", "上级编码"}, {"title", "测评内容"}, {"kind", "类型"},
	{"max_points", "分值"}, {"method", "测评方法"}, {"step", "步长"}, {"target", "目标值"},
	{"floor", "起点值"}, {"per_item", "每次扣分"}, {"items", "子项（编码:分值:名称；…）"},
	{"guidance", "测评标准"}, {"file_types", "文件类型"}, {"min_files", "最少文件数"},
	{"min_photos", "最少照片数"}, {"narrative_max_chars", "说明字数上限"}, {"cadence", "报送周期"},
	{"due_day", "截止日"},
}

var settingsRows = []column{
	{"code", "编码"}, {"name", "名称"}, {"base_points", "基础分"}, {"bonus_cap", "加分上限"},
	{"aggregation", "汇总方法"}, {"grade_scale", "等级比例（等级:百分比；…）"},
}

func header(c column) string { return c.label + " [" + c.key + "]" }

var headerKey = regexp.MustCompile(`\[([a-z_]+)\]\s*$`)

// MarshalXLSX writes a standard as the XLSX template.
func MarshalXLSX(s *standardsv1.Standard) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", settingsSheet); err != nil {
		return nil, err
	}
	var grades []string
	for _, g := range s.GetGradeScale() {
		grades = append(grades, fmt.Sprintf("%s:%d", g.GetGrade(), g.GetPercent()))
	}
	values := map[string]string{
		"code": s.GetCode(), "name": s.GetDisplayName(), "base_points": canonicalPoints(s.GetBasePoints()),
		"bonus_cap": canonicalPoints(s.GetBonusCap()), "aggregation": enumName(s.GetAggregation().String(), "AGGREGATION_"),
		"grade_scale": strings.Join(grades, "; "),
	}
	_ = f.SetCellStr(settingsSheet, "A1", "项目")
	_ = f.SetCellStr(settingsSheet, "B1", "值")
	for i, r := range settingsRows {
		_ = f.SetCellStr(settingsSheet, cell(0, i+2), header(r))
		_ = f.SetCellStr(settingsSheet, cell(1, i+2), values[r.key])
	}
	if _, err := f.NewSheet(indicatorsSheet); err != nil {
		return nil, err
	}
	for j, c := range indicatorColumns {
		_ = f.SetCellStr(indicatorsSheet, cell(j, 1), header(c))
	}
	for i, in := range s.GetIndicators() {
		var items []string
		for _, it := range in.GetItems() {
			items = append(items, it.GetCode()+":"+canonicalPoints(it.GetPoints())+":"+it.GetTitle())
		}
		e := in.GetEvidenceSpec()
		num := func(n int32) string {
			if n == 0 {
				return ""
			}
			return strconv.Itoa(int(n))
		}
		row := map[string]string{
			"code": in.GetCode(), "parent_code": in.GetParentCode(), "title": in.GetTitle(),
			"kind": enumName(in.GetKind().String(), "INDICATOR_KIND_"), "max_points": canonicalPoints(in.GetMaxPoints()),
			"method": enumName(in.GetMethod().String(), "ASSESSMENT_METHOD_"), "step": canonicalPoints(in.GetStep()),
			"target": canonicalPoints(in.GetTarget()), "floor": canonicalPoints(in.GetFloor()),
			"per_item": canonicalPoints(in.GetPerItem()), "items": strings.Join(items, "; "), "guidance": in.GetGuidance(),
		}
		if e != nil {
			row["file_types"] = strings.Join(e.GetFileTypes(), ",")
			row["min_files"] = num(e.GetMinFiles())
			row["min_photos"] = num(e.GetMinPhotos())
			row["narrative_max_chars"] = num(e.GetNarrativeMaxChars())
			row["cadence"] = enumName(e.GetCadence().String(), "CADENCE_")
			row["due_day"] = num(e.GetDueDay())
			if row["cadence"] == "" {
				row["cadence"] = "-" // marks an evidence spec with every field at its default
			}
		}
		for j, c := range indicatorColumns {
			if v := row[c.key]; v != "" {
				// Text cells, so that "1.10" stays "1.10" and codes are never turned into numbers.
				_ = f.SetCellStr(indicatorsSheet, cell(j, i+2), v)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col+1, row)
	return name
}

// The template's bounds, from the API's own (api/wenming/standards/v1/resources.proto):
// the indicator sheet has a header and at most as many rows as a standard has indicators,
// and no cell is longer than the longest text field.
var (
	maxIndicators = int(fieldRules((&standardsv1.Standard{}).ProtoReflect().Descriptor(), "indicators").GetRepeated().GetMaxItems())
	maxCellChars  = longestText((&standardsv1.Standard{}).ProtoReflect().Descriptor(), map[protoreflect.FullName]bool{})

	indicatorSheet = xlsxread.Limits{Rows: 1 + maxIndicators, Columns: len(indicatorColumns), CellChars: maxCellChars}
	settingSheet   = xlsxread.Limits{Rows: 1 + len(settingsRows), Columns: 2, CellChars: maxCellChars}
)

func fieldRules(md protoreflect.MessageDescriptor, name protoreflect.Name) *validate.FieldRules {
	r, _ := proto.GetExtension(md.Fields().ByName(name).Options(), validate.E_Field).(*validate.FieldRules)
	return r
}

// longestText is the longest max_len of a string field of md or of a message in it.
func longestText(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) int {
	seen[md.FullName()] = true
	n := 0
	for i := range md.Fields().Len() {
		fd := md.Fields().Get(i)
		r := fieldRules(md, fd.Name())
		n = max(n, int(r.GetString().GetMaxLen()), int(r.GetRepeated().GetItems().GetString().GetMaxLen()))
		if m := fd.Message(); m != nil && !seen[m.FullName()] {
			n = max(n, longestText(m, seen))
		}
	}
	return n
}

// readXLSX reads the XLSX template for import, through xlsxread's bounds. Every problem
// names its sheet, row and column, and so does the standard's at. The error is the
// context's, when the request ends first.
func readXLSX(ctx context.Context, data []byte) (*standardFile, error) {
	f := &standardFile{std: &standardsv1.Standard{}}
	s := f.std
	bad := func(sheet string, row, col int, key, msg string) {
		f.problems = append(f.problems, problem(fmt.Sprintf("sheet %s, row %d, column %s (%s): %s", sheet, row, colName(col), key, msg)))
	}
	// stop ends the reading at a problem the reader found; other errors are the context's.
	stop := func(err error) (*standardFile, error) {
		var e *xlsxread.Error
		if !errors.As(err, &e) {
			return nil, err
		}
		f.problems = append(f.problems, errs.Field{Name: "content", EN: e.Error(), ZH: e.Chinese()})
		return f, nil
	}
	wb, err := xlsxread.Open(data, indicatorSheet)
	if err != nil {
		return stop(err)
	}
	defer wb.Close()

	settingRow := map[string]int{}
	err = wb.Rows(ctx, settingsSheet, settingSheet, func(row int, r []string) error {
		m := headerKey.FindStringSubmatch(r[0])
		if row == 1 || m == nil {
			return nil
		}
		v := ""
		if len(r) > 1 {
			v = strings.TrimSpace(r[1])
		}
		settingRow[m[1]] = row
		switch m[1] {
		case "code":
			s.Code = v
		case "name":
			s.DisplayName = v
		case "base_points":
			s.BasePoints = v
		case "bonus_cap":
			s.BonusCap = v
		case "aggregation":
			var unknown []string
			s.Aggregation = enumValue[standardsv1.Aggregation](standardsv1.Aggregation_value, "AGGREGATION_", v, "aggregation", &unknown)
			if len(unknown) > 0 {
				bad(settingsSheet, row, 1, "aggregation", "unknown method "+v+" (MEAN, MEDIAN or TRIMMED_MEAN)")
			}
		case "grade_scale":
			for _, part := range splitList(v) {
				g, pct, ok := strings.Cut(part, ":")
				n, err := strconv.ParseInt(strings.TrimSpace(pct), 10, 32)
				if !ok || err != nil {
					bad(settingsSheet, row, 1, "grade_scale", "write grades as A:100; B:66")
					continue
				}
				s.GradeScale = append(s.GradeScale, &standardsv1.Grade{Grade: strings.TrimSpace(g), Percent: int32(n)})
			}
		default:
			bad(settingsSheet, row, 0, m[1], "unknown setting")
		}
		return nil
	})
	if err != nil {
		return stop(err)
	}

	cols := map[string]int{}
	header := false
	rowOf := map[int]int{} // indicator index → spreadsheet row, for validation messages
	err = wb.Rows(ctx, indicatorsSheet, indicatorSheet, func(rowNo int, r []string) error {
		if rowNo == 1 {
			header = true
			for j, h := range r {
				if m := headerKey.FindStringSubmatch(h); m != nil {
					cols[m[1]] = j
				} else if strings.TrimSpace(h) != "" {
					bad(indicatorsSheet, 1, j, h, "unknown column")
				}
			}
			for _, need := range []string{"code", "title", "kind"} {
				if _, ok := cols[need]; !ok {
					f.problems = append(f.problems, problem(fmt.Sprintf("sheet %s: the column [%s] is missing", indicatorsSheet, need)))
				}
			}
			return nil
		}
		get := func(key string) string {
			j, ok := cols[key]
			if !ok || j >= len(r) {
				return ""
			}
			return strings.TrimSpace(r[j])
		}
		in := &standardsv1.Indicator{
			Code: get("code"), ParentCode: get("parent_code"), Title: get("title"), Guidance: get("guidance"),
			MaxPoints: get("max_points"), Step: get("step"), Target: get("target"), Floor: get("floor"), PerItem: get("per_item"),
		}
		var unknown []string
		in.Kind = enumValue[standardsv1.IndicatorKind](standardsv1.IndicatorKind_value, "INDICATOR_KIND_", get("kind"), "kind", &unknown)
		if len(unknown) > 0 {
			bad(indicatorsSheet, rowNo, cols["kind"], "kind", "unknown kind "+get("kind")+" (GROUP, POINTS, GRADE, THRESHOLD, LINEAR, CHECKLIST, BONUS, DEDUCTION, VETO)")
		}
		unknown = nil
		in.Method = enumValue[standardsv1.AssessmentMethod](standardsv1.AssessmentMethod_value, "ASSESSMENT_METHOD_", get("method"), "method", &unknown)
		if len(unknown) > 0 {
			bad(indicatorsSheet, rowNo, cols["method"], "method", "unknown method "+get("method")+" (MATERIAL, ON_SITE, QUESTIONNAIRE, ONLINE, DEPARTMENT_OPINION)")
		}
		for _, part := range splitList(get("items")) {
			fields := strings.SplitN(part, ":", 3)
			if len(fields) < 2 {
				bad(indicatorsSheet, rowNo, cols["items"], "items", "write items as a:1.50:名称; b:1.00:名称")
				continue
			}
			it := &standardsv1.ChecklistItem{Code: strings.TrimSpace(fields[0]), Points: strings.TrimSpace(fields[1])}
			if len(fields) == 3 {
				it.Title = strings.TrimSpace(fields[2])
			}
			in.Items = append(in.Items, it)
		}
		cadence := get("cadence")
		if cadence != "" || get("file_types") != "" || get("min_files") != "" || get("min_photos") != "" ||
			get("narrative_max_chars") != "" || get("due_day") != "" {
			e := &standardsv1.EvidenceSpec{}
			for _, t := range strings.Split(get("file_types"), ",") {
				if t = strings.TrimSpace(t); t != "" {
					e.FileTypes = append(e.FileTypes, strings.ToLower(t))
				}
			}
			// Whole numbers only; their range is the API's, checked with the rest.
			intCol := func(key string) int32 {
				v := get(key)
				if v == "" {
					return 0
				}
				n, err := strconv.ParseInt(v, 10, 32)
				if err != nil {
					bad(indicatorsSheet, rowNo, cols[key], key, "write a whole number, not "+v)
				}
				return int32(n)
			}
			e.MinFiles, e.MinPhotos = intCol("min_files"), intCol("min_photos")
			e.NarrativeMaxChars, e.DueDay = intCol("narrative_max_chars"), intCol("due_day")
			if cadence != "" && cadence != "-" {
				unknown = nil
				e.Cadence = enumValue[standardsv1.Cadence](standardsv1.Cadence_value, "CADENCE_", cadence, "cadence", &unknown)
				if len(unknown) > 0 {
					bad(indicatorsSheet, rowNo, cols["cadence"], "cadence", "unknown cadence "+cadence+" (ANNUAL, QUARTERLY, MONTHLY)")
				}
			}
			in.EvidenceSpec = e
		}
		rowOf[len(s.Indicators)] = rowNo
		s.Indicators = append(s.Indicators, in)
		return nil
	})
	if err != nil {
		return stop(err)
	}
	if !header {
		f.problems = append(f.problems, problem("sheet "+indicatorsSheet+": row 1 must be the header row"))
	}
	f.at = func(field string) string {
		if m := indexField.FindStringSubmatch(field); m != nil {
			i, _ := strconv.Atoi(m[1])
			if j, ok := cols[m[2]]; ok {
				return fmt.Sprintf("sheet %s, row %d, column %s (%s)", indicatorsSheet, rowOf[i], colName(j), m[2])
			}
			return fmt.Sprintf("sheet %s, row %d (%s)", indicatorsSheet, rowOf[i], m[2])
		}
		if field == "indicators" {
			return "sheet " + indicatorsSheet
		}
		key := settingKey.FindString(field)
		if key == "display_name" {
			key = "name"
		}
		if row, ok := settingRow[key]; ok {
			return fmt.Sprintf("sheet %s, row %d, column B (%s)", settingsSheet, row, key)
		}
		return fmt.Sprintf("sheet %s (%s)", settingsSheet, key)
	}
	return f, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func colName(j int) string {
	name, _ := excelize.ColumnNumberToName(j + 1)
	return name
}

// indexField finds the indicator of a field path and the template column that holds the
// field: "indicators[3].evidence_spec.min_files" is column min_files of indicator 3,
// "indicators[3].items[1].title" column items.
var indexField = regexp.MustCompile(`^indicators\[(\d+)\]\.(?:evidence_spec\.)?([a-z_]+)`)

// settingKey is the setting a field path of the standard is in: "grade_scale[1].percent"
// is grade_scale.
var settingKey = regexp.MustCompile(`^[a-z_]+`)

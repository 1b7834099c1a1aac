package tenancy

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/services/platform/viewer"
	"github.com/wenming-platform/wenming/services/platform/xlsxread"
)

// The units file is the workbook GetUnitImportTemplate writes: a sheet with a header row
// and one row per unit, whose columns are found by their headers, and a sheet that
// explains it with a sample row. docs/units-and-titles.md describes it.

const contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

const (
	unitSheet  = "单位名单"
	guideSheet = "填写说明"
	// maxImportedUnits bounds one file: a district registers a few hundred units, and one
	// transaction of 5 000 stays well inside a request's deadline.
	maxImportedUnits = 5000
)

// unitColumns are the columns of the units sheet in the template's order: the field of
// CreateUnitRequest each fills, as rpc.Validate names it, and its header.
var unitColumns = []unitColumn{
	{"unit.display_name", "单位名称"}, {"unit.credit_code", "统一社会信用代码"}, {"unit.category", "单位类别"},
}

type unitColumn struct{ field, header string }

// unitCategories are the categories with their Chinese names (docs/units-and-titles.md).
var unitCategories = []struct {
	category tenancyv1.UnitCategory
	name     string
}{
	{tenancyv1.UnitCategory_UNIT_CATEGORY_PARTY_GOVERNMENT, "党政机关"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_PUBLIC_INSTITUTION, "事业单位"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_STATE_ENTERPRISE, "国有企业"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_PRIVATE_ENTERPRISE, "非公企业"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_SCHOOL, "学校"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_HOSPITAL, "医院"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_SERVICE_WINDOW, "窗口单位"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_SOCIAL_ORGANIZATION, "社会组织"},
	{tenancyv1.UnitCategory_UNIT_CATEGORY_OTHER, "其他"},
}

// unitHeaders are the headers of the units sheet, in the template's order.
func unitHeaders() []string {
	var out []string
	for _, c := range unitColumns {
		out = append(out, c.header)
	}
	return out
}

// unitCategoryNames are the categories' Chinese names, in the enum's order.
func unitCategoryNames() []string {
	var out []string
	for _, c := range unitCategories {
		out = append(out, c.name)
	}
	return out
}

// unitSheetLimits bound the units sheet: the header and maxImportedUnits rows, three
// columns, and no cell longer than the longest field (Unit.display_name, 200 characters).
var unitSheetLimits = xlsxread.Limits{Rows: 1 + maxImportedUnits, Columns: len(unitColumns), CellChars: 200}

// categoryOf reads a category as the file writes it: its Chinese name, or its enum name
// with or without the UNIT_CATEGORY_ prefix. Empty is UNSPECIFIED (CreateUnit's checks
// then require it); ok is false for anything else.
func categoryOf(s string) (c tenancyv1.UnitCategory, ok bool) {
	if s == "" {
		return tenancyv1.UnitCategory_UNIT_CATEGORY_UNSPECIFIED, true
	}
	for _, uc := range unitCategories {
		if s == uc.name {
			return uc.category, true
		}
	}
	n := tenancyv1.UnitCategory_value["UNIT_CATEGORY_"+strings.TrimPrefix(strings.ToUpper(s), "UNIT_CATEGORY_")]
	return tenancyv1.UnitCategory(n), n != 0
}

// unitFile is a units file as read: its rows, where the header put each column, and every
// problem found, placed by row and column.
type unitFile struct {
	cols     map[string]int // field → 0-based column
	rows     []unitRow
	problems []placed
}

type unitRow struct {
	n    int // the row's number in the sheet
	unit *tenancyv1.Unit
	// badCategory marks a category the file wrote but no category has.
	badCategory bool
	// register marks a row whose credit code is valid and first in the file: the one to
	// look up in the registry.
	register bool
}

// placed is a problem and the row it is on (0: the whole file), to list problems in row
// order whichever check found them.
type placed struct {
	row int
	errs.Field
}

// problem records a problem on row n, in the column of field when the header has it.
func (f *unitFile) problem(n int, field, en, zh string) {
	whereEN, whereZH := fmt.Sprintf("row %d", n), fmt.Sprintf("第 %d 行", n)
	if i := slices.IndexFunc(unitColumns, func(c unitColumn) bool { return c.field == field }); i >= 0 {
		col, h := xlsxread.ColumnName(f.cols[field]+1), unitColumns[i].header
		whereEN += fmt.Sprintf(", column %s (%s)", col, h)
		whereZH += fmt.Sprintf("，%s 列（%s）", col, h)
	}
	f.problems = append(f.problems, placed{n, errs.Field{Name: "content", EN: whereEN + ": " + en, ZH: whereZH + "：" + zh}})
}

// maxListed bounds the problems one refusal lists: a file of 2 000 bad rows is refused
// with the first ones, not with a response as large as the file.
const maxListed = 100

// refusal refuses the file, listing its problems in row order as violations of "content".
func (f *unitFile) refusal() error {
	slices.SortStableFunc(f.problems, func(a, b placed) int { return cmp.Compare(a.row, b.row) })
	e := errs.New(codes.InvalidArgument, "UNIT_FILE_INVALID", "the file has problems; no unit was registered", "文件存在问题，未登记任何单位")
	for i, p := range f.problems {
		if i == maxListed {
			n := strconv.Itoa(len(f.problems) - maxListed)
			e.Fields = append(e.Fields, errs.Field{Name: "content", EN: "and " + n + " more problems", ZH: "另有 " + n + " 个问题"})
			break
		}
		e.Fields = append(e.Fields, p.Field)
	}
	return e
}

// readUnitFile reads a units file through xlsxread's bounds, keeping every problem it
// finds; the rows it returns are those of a file read to its end. The error is the
// context's, when the request ends first.
func readUnitFile(ctx context.Context, data []byte) (*unitFile, error) {
	f := &unitFile{cols: map[string]int{}}
	wb, err := xlsxread.Open(data, unitSheetLimits)
	if err == nil {
		defer wb.Close()
		err = wb.Rows(ctx, unitSheet, unitSheetLimits, func(n int, cells []string) error {
			if len(f.cols) == 0 {
				return f.header(n, cells)
			}
			f.row(n, cells)
			return nil
		})
	}
	var e *xlsxread.Error
	switch {
	case errors.As(err, &e):
		// The file is refused for this problem, with those found before it: the rows read
		// so far (of a file too long, say) are not checked.
		f.problems = append(f.problems, placed{e.Row, errs.Field{Name: "content", EN: e.Error(), ZH: e.Chinese()}})
		f.rows = nil
	case errors.Is(err, errNoHeader):
	case err != nil:
		return nil, err
	}
	if len(f.rows) == 0 && len(f.problems) == 0 {
		f.problems = append(f.problems, placed{0, errs.Field{Name: "content",
			EN: "sheet " + unitSheet + ": no unit below the header row", ZH: "工作表 " + unitSheet + "：表头下没有单位"}})
	}
	return f, nil
}

// errNoHeader ends the reading of a sheet whose first row is not the header: without it
// no cell can be placed.
var errNoHeader = errors.New("no header row")

// header reads the first row with a value, which names the columns.
func (f *unitFile) header(n int, cells []string) error {
	for j, h := range cells {
		h = strings.TrimSpace(h)
		i := slices.IndexFunc(unitColumns, func(c unitColumn) bool { return c.header == h })
		if i >= 0 {
			f.cols[unitColumns[i].field] = j
		}
	}
	var missing []string
	for _, c := range unitColumns {
		if _, ok := f.cols[c.field]; !ok {
			missing = append(missing, c.header)
		}
	}
	if len(missing) > 0 {
		all := unitHeaders()
		f.problems = append(f.problems, placed{n, errs.Field{Name: "content",
			EN: fmt.Sprintf("row %d: the first row must be the header row (%s); missing: %s", n, strings.Join(all, ", "), strings.Join(missing, ", ")),
			ZH: fmt.Sprintf("第 %d 行：第一行须为表头（%s），缺少：%s", n, strings.Join(all, "、"), strings.Join(missing, "、"))}})
		return errNoHeader
	}
	return nil
}

// row reads one unit.
func (f *unitFile) row(n int, cells []string) {
	get := func(field string) string {
		if j := f.cols[field]; j < len(cells) {
			return strings.TrimSpace(cells[j])
		}
		return ""
	}
	r := unitRow{n: n, unit: &tenancyv1.Unit{DisplayName: get("unit.display_name"), CreditCode: get("unit.credit_code")}}
	var ok bool
	if r.unit.Category, ok = categoryOf(get("unit.category")); !ok {
		r.badCategory = true
		names := unitCategoryNames()
		f.problem(n, "unit.category", "unknown category "+strconv.Quote(get("unit.category"))+": write one of "+strings.Join(names, ", "),
			"未知的单位类别“"+get("unit.category")+"”，请填写："+strings.Join(names, "、"))
	}
	f.rows = append(f.rows, r)
}

// check runs on every row what CreateUnit runs on its request (rpc.Validate, then
// newUnitChecks), reporting one problem per cell, and finds credit codes written twice.
func (f *unitFile) check(officeID string) error {
	first := map[string]int{} // credit code → the row that has it first
	for i := range f.rows {
		r := &f.rows[i]
		var fields []errs.Field
		checks := append([]error{rpc.Validate(&tenancyv1.CreateUnitRequest{OfficeId: officeID, Unit: r.unit})}, newUnitChecks(r.unit)...)
		for _, err := range checks {
			var e *errs.Error
			if errors.As(err, &e) {
				fields = append(fields, e.Fields...)
			} else if err != nil {
				return err
			}
		}
		reported := map[string]bool{"unit.category": r.badCategory}
		for _, fd := range fields {
			if !reported[fd.Name] {
				reported[fd.Name] = true
				f.problem(r.n, fd.Name, fd.EN, fd.ZH)
			}
		}
		code := r.unit.GetCreditCode()
		switch m, seen := first[code]; {
		case reported["unit.credit_code"]:
		case seen:
			f.problem(r.n, "unit.credit_code", fmt.Sprintf("the same credit code as row %d", m), fmt.Sprintf("与第 %d 行的统一社会信用代码相同", m))
		default:
			first[code], r.register = r.n, true
		}
	}
	return nil
}

// registered looks up every fresh credit code of the file in the registry as CreateUnit
// does (creditCodeFree): a code registered in the caller's scope names its unit, one
// registered elsewhere says only that.
func (f *unitFile) registered(ctx context.Context, tx *ent.Tx) error {
	for _, r := range f.rows {
		if !r.register {
			continue
		}
		err := creditCodeFree(ctx, tx, r.unit.GetCreditCode(), "")
		var e *errs.Error
		switch {
		case errors.Is(err, errCreditCodeTaken) && errors.As(err, &e):
			f.problem(r.n, "unit.credit_code", e.Fields[0].EN, e.Fields[0].ZH)
		case err != nil:
			return err
		}
	}
	return nil
}

// ImportUnits registers the units of an XLSX file with an office the caller administers:
// every unit, or none and every problem, each placed by row and column.
//
// The caller's right to register units in the office is checked before a byte of the file
// is read, so a caller who may not import cannot make the server parse anything. Each row
// is then checked exactly as CreateUnit checks its request, and its credit code against
// the rest of the file and the registry, in the transaction that registers them.
func (s *Server) ImportUnits(ctx context.Context, req *tenancyv1.ImportUnitsRequest) (*tenancyv1.ImportUnitsResponse, error) {
	v := viewer.FromContext(ctx)
	o, err := s.st.Client.Office.Get(ctx, req.GetOfficeId())
	if err != nil {
		return nil, resource.NotFound(err, "office")
	}
	if err := mutate.OfficeAdmin(v)(o); err != nil {
		return nil, err
	}
	f, err := readUnitFile(ctx, req.GetContent())
	if err != nil {
		return nil, err
	}
	if err := f.check(o.ID); err != nil {
		return nil, err
	}
	if len(f.rows) == 0 {
		return nil, f.refusal()
	}
	units, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, []*ent.Unit]{
		Parent: "office", GetParent: mutate.InOffice(o.ID), Allow: mutate.OfficeAdmin(v),
		Save: func(tx *ent.Tx, o *ent.Office) ([]*ent.Unit, error) {
			if err := s.w.Lock(ctx, tx, o.ID); err != nil {
				return nil, err
			}
			if err := f.registered(ctx, tx); err != nil {
				return nil, err
			}
			if len(f.problems) > 0 {
				return nil, f.refusal()
			}
			var units []*ent.Unit
			for i, r := range f.rows {
				u, err := insertUnit(ctx, tx, o, r.unit)
				if errors.Is(err, errCreditCodeTaken) {
					// Registered by another request since the registry was read.
					f.problem(r.n, "unit.credit_code", "registered meanwhile by another request", "刚被另一请求登记")
					return nil, f.refusal()
				}
				if err != nil {
					return nil, err
				}
				units = append(units, u)
				// Each unit's registration is recorded as CreateUnit records it, in row
				// order: the last by Create itself (Audit below), the others here.
				if i < len(f.rows)-1 {
					if err := s.w.Record(ctx, tx, unitCreated(o, u)); err != nil {
						return nil, err
					}
				}
			}
			return units, nil
		},
		Audit: func(o *ent.Office, units []*ent.Unit) (audit.Event, error) {
			return unitCreated(o, units[len(units)-1]), nil
		},
	})
	if err != nil {
		return nil, err
	}
	resp := &tenancyv1.ImportUnitsResponse{}
	for _, u := range units {
		resp.Units = append(resp.Units, unitToProto(u))
	}
	return resp, nil
}

// GetUnitImportTemplate returns the units file to fill in. Whoever reads the office may
// fetch it.
func (s *Server) GetUnitImportTemplate(ctx context.Context, req *tenancyv1.GetUnitImportTemplateRequest) (*httpbody.HttpBody, error) {
	if _, err := s.st.Client.Office.Get(ctx, req.GetOfficeId()); err != nil {
		return nil, resource.NotFound(err, "office")
	}
	b, err := unitTemplate()
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: contentTypeXLSX, Data: b}, nil
}

// unitTemplate writes the units file: the units sheet with its header, text cells (a
// credit code of digits stays as written) and a drop-down of the categories, and a sheet
// that explains it with a sample row.
func unitTemplate() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", unitSheet); err != nil {
		return nil, err
	}
	var headers []any
	for _, h := range unitHeaders() {
		headers = append(headers, h)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, err
	}
	categories := excelize.NewDataValidation(true)
	categories.Sqref = "C2:C" + strconv.Itoa(1+maxImportedUnits)
	categories.SetInput("单位类别", "从列表中选择，或填写枚举名（如 UNIT_CATEGORY_SCHOOL）")
	if err := categories.SetDropList(unitCategoryNames()); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(guideSheet); err != nil {
		return nil, err
	}
	guide := [][]any{
		headers,
		{"西湖区图书馆", "91350100M000100Y43", "事业单位"},
		{},
		{"说明"},
		{"在“" + unitSheet + "”工作表第 1 行表头下逐行填写，每行一个单位，最多 " + strconv.Itoa(maxImportedUnits) + " 个；上面一行是示例，不会被导入。"},
		{"统一社会信用代码为 18 位，须符合 GB 32100-2015 校验位，且未被其他单位登记。"},
		{"文件中任何一行有问题时，所有单位都不会登记，问题会按行、列逐一列出。"},
		{},
		{"单位类别", "枚举名"},
	}
	for _, c := range unitCategories {
		guide = append(guide, []any{c.name, c.category.String()})
	}
	steps := []error{
		f.SetColStyle(unitSheet, "A:C", text),
		f.SetColWidth(unitSheet, "A", "A", 40),
		f.SetColWidth(unitSheet, "B", "C", 24),
		f.SetSheetRow(unitSheet, "A1", &headers),
		f.AddDataValidation(unitSheet, categories),
		f.SetColWidth(guideSheet, "A", "C", 36),
	}
	for i, row := range guide {
		steps = append(steps, f.SetSheetRow(guideSheet, "A"+strconv.Itoa(i+1), &row))
	}
	if err := errors.Join(steps...); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

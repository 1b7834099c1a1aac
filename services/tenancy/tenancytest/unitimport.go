package tenancytest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/xlsxread"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// workbook returns template (an XLSX file) with rows written into its first sheet from
// row at on.
func workbook(t *testing.T, template []byte, at int, rows ...[]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(template))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", at+i), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importCode is the i-th valid credit code the import suite registers.
func importCode(i int) string { return apptest.CreditCode(fmt.Sprintf("91330106MA2B%05d", i)) }

// UnitImport checks the units file: the template round trip, raw and JSON uploads, retries,
// every problem of a bad file listed and nothing registered, the file's bounds, and who
// may fetch the template and import.
func UnitImport(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	base := "/v1/offices/" + tr.D1 + "/units"
	raw := apptest.Header{"Content-Type": xlsxType}
	// The template: a header row, a category drop-down, and a sample on the second sheet.
	tmpl := apptest.Must(t, 200, e.Do(t, "GET", base+":template", tr.D1Admin, nil))
	if ct := tmpl.Header.Get("Content-Type"); ct != xlsxType {
		t.Errorf("template content type %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tmpl.Raw))
	if err != nil {
		t.Fatal(err)
	}
	dvs, _ := f.GetDataValidations(f.GetSheetName(0))
	names := []string{f.GetSheetName(0), f.GetSheetName(1)}
	_ = f.Close()
	// The sheets are read as an import reads them: row by row, bounded.
	sheetRows := func(sheet string) [][]string {
		limits := xlsxread.Limits{Rows: 50, Columns: 10, CellChars: 500}
		wb, err := xlsxread.Open(tmpl.Raw, limits)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]string
		if err := wb.Rows(context.Background(), sheet, limits, func(_ int, cells []string) error {
			out = append(out, slices.Clone(cells))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	rows, sample := sheetRows(names[0]), sheetRows(names[1])
	if len(rows) != 1 || !slices.Equal(rows[0], []string{"单位名称", "统一社会信用代码", "单位类别"}) {
		t.Errorf("template rows %v", rows)
	}
	if len(dvs) != 1 || !strings.Contains(dvs[0].Formula1, "事业单位") || !strings.HasPrefix(dvs[0].Sqref, "C2:") {
		t.Errorf("template drop-down %+v", dvs)
	}
	if len(sample) < 2 || len(sample[1]) != 3 {
		t.Errorf("template sample %v", sample)
	}
	// Whoever reads the office fetches the template.
	apptest.Must(t, 200, e.Do(t, "GET", base+":template", tr.CityAdmin, nil))
	apptest.Must(t, 200, e.Do(t, "GET", base+":template", tr.D1Viewer, nil))
	wantRefused(t, e, "GET", base+":template", nil, []refused{
		{"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404}, {"unit user", tr.Unit1Admin, 404}, {"anonymous", "", 401},
	})

	// The template filled in imports as a raw body, categories by name or enum name; a
	// retry with the same Idempotency-Key answers the same and registers nothing more.
	file := workbook(t, tmpl.Raw, 2,
		[]string{"西湖区第一小学", importCode(1), "学校"},
		[]string{" 西湖区档案馆 ", importCode(2), "UNIT_CATEGORY_PUBLIC_INSTITUTION"},
		[]string{"西湖区社工站", importCode(3), "social_organization"},
	)
	key := apptest.Header{"Content-Type": xlsxType, "Idempotency-Key": "unit-import-1"}
	first := apptest.Call[*tenancyv1.ImportUnitsResponse](t, e, "POST", base+":import", tr.D1Admin, file, key)
	var ids []string
	for _, u := range first.GetUnits() {
		ids = append(ids, u.GetId())
		if u.GetOfficeId() != tr.D1 {
			t.Errorf("imported unit %v", u)
		}
	}
	if u := first.GetUnits(); len(u) != 3 || u[1].GetDisplayName() != "西湖区档案馆" || u[0].GetCategory() != tenancyv1.UnitCategory_UNIT_CATEGORY_SCHOOL ||
		u[1].GetCategory() != tenancyv1.UnitCategory_UNIT_CATEGORY_PUBLIC_INSTITUTION || u[2].GetCategory() != tenancyv1.UnitCategory_UNIT_CATEGORY_SOCIAL_ORGANIZATION {
		t.Fatalf("imported %v", u)
	}
	again := apptest.Call[*tenancyv1.ImportUnitsResponse](t, e, "POST", base+":import", tr.D1Admin, file, key)
	if len(again.GetUnits()) != 3 || again.GetUnits()[0].GetId() != ids[0] {
		t.Errorf("retry answered %v", again)
	}
	if n := len(apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", base+"?name=%E7%AC%AC%E4%B8%80%E5%B0%8F%E5%AD%A6", tr.D1Admin, nil).GetUnits()); n != 1 { // 第一小学
		t.Errorf("%d units named 第一小学 after a retried import, want 1", n)
	}
	// A JSON request carries the file in content.
	apptest.Call[*tenancyv1.ImportUnitsResponse](t, e, "POST", base+":import", tr.D1Admin,
		&tenancyv1.ImportUnitsRequest{Content: workbook(t, tmpl.Raw, 2, []string{"西湖区少年宫", importCode(4), "事业单位"})})
	for _, id := range ids {
		if u := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+id, tr.CityAdmin, nil); u.GetOfficeId() != tr.D1 {
			t.Errorf("unit %s = %v", id, u)
		}
	}
	recorded(t, e, tr.D1, "unit.create", ids...)

	// A file with problems registers nothing and lists every problem by row and column,
	// naming a code's holder only inside the caller's scope.
	wrongCheck := importCode(7)[:17] + "0"
	if wrongCheck == importCode(7) {
		wrongCheck = importCode(7)[:17] + "1"
	}
	bad := workbook(t, tmpl.Raw, 2,
		[]string{"西湖区好单位", importCode(5), "学校"},
		[]string{"校验位错", wrongCheck, "学校"},
		[]string{"重复一", importCode(6), "学校"},
		[]string{"重复二", importCode(6), "医院"},
		[]string{"本区已登记", apptest.CreditCodes[0], "学校"},
		[]string{"外区已登记", apptest.CreditCodes[1], "学校"},
		[]string{"", importCode(8), "学校"},
		[]string{"类别不明", importCode(9), "幼儿园"},
	)
	r := e.Do(t, "POST", base+":import", tr.D1Admin, bad, apptest.Header{"Content-Type": xlsxType, "Accept-Language": "en"})
	if r.Code != 400 || r.Reason(t) != "UNIT_FILE_INVALID" || r.Field(t) != "content" {
		t.Fatalf("bad file: %d %s", r.Code, r.Raw)
	}
	got := violations(t, r)
	want := []string{
		"row 3, column B (统一社会信用代码): not a valid unified social credit code",
		"row 5, column B (统一社会信用代码): the same credit code as row 4",
		"row 6, column B (统一社会信用代码): already registered as 西湖区图书馆",
		"row 7, column B (统一社会信用代码): registered with another office",
		"row 8, column A (单位名称): is required",
		"row 9, column C (单位类别): unknown category",
	}
	if len(got) != len(want) {
		t.Errorf("problems %q, want %d", got, len(want))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want %q…", i, got[i], want[i])
		}
	}
	if strings.Contains(string(r.Raw), "上城区人民医院") || strings.Contains(string(r.Raw), tr.Unit2) {
		t.Errorf("the answer names a unit outside the caller's scope: %s", r.Raw)
	}
	zh := violations(t, e.Do(t, "POST", base+":import", tr.D1Admin, bad, raw))
	if len(zh) == 0 || !strings.HasPrefix(zh[0], "第 3 行，B 列（统一社会信用代码）：") {
		t.Errorf("Chinese problems %q", zh)
	}
	if n := len(apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", base+"?name=%E5%A5%BD%E5%8D%95%E4%BD%8D", tr.D1Admin, nil).GetUnits()); n != 0 { // 好单位
		t.Errorf("a file with problems registered its good row")
	}

	// The file's own bounds: a workbook, a header row, at most 5 000 units.
	many := [][]string{}
	for i := range 5001 {
		many = append(many, []string{fmt.Sprintf("单位%d", i), importCode(100 + i), "学校"})
	}
	for name, c := range map[string]struct {
		body []byte
		want string
	}{
		"not a workbook":   {[]byte("单位名称,统一社会信用代码\n"), "not an XLSX workbook"},
		"no header":        {workbook(t, tmpl.Raw, 1, []string{"西湖区好单位", importCode(5), "学校"}), "header row"},
		"header only":      {tmpl.Raw, "no unit below the header row"},
		"over 5 000 units": {workbook(t, tmpl.Raw, 2, many...), "row 5002: the sheet may have at most 5001 rows"},
	} {
		r := e.Do(t, "POST", base+":import", tr.D1Admin, c.body, apptest.Header{"Content-Type": xlsxType, "Accept-Language": "en"})
		if v := violations(t, r); r.Code != 400 || r.Reason(t) != "UNIT_FILE_INVALID" || len(v) != 1 || !strings.Contains(v[0], c.want) {
			t.Errorf("%s: %d %s, want a problem saying %q", name, r.Code, r.Raw, c.want)
		}
	}

	// Only the office's own admins import, and they are checked before the file is read:
	// a file that is no workbook is refused for the caller first.
	for _, body := range [][]byte{file, []byte("not a workbook")} {
		wantRefused(t, e, "POST", base+":import", body, []refused{
			{"viewer", tr.D1Viewer, 403}, {"office above", tr.CityAdmin, 403}, {"unit admin", tr.Unit1Admin, 403}, {"platform admin", tr.Platform, 403},
			{"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404}, {"anonymous", "", 401},
		}, raw)
	}
}

// ImportRacingCreate registers, while a large import of D1 runs, a single unit with a code
// the import holds: whichever commits first wins, the other is refused as taken (409 for the
// create, the row placed for the import), and neither ever answers 500. On PostgreSQL the
// two used to deadlock, the import waiting on the create's row and the create on the
// import's audit lock.
func ImportRacingCreate(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	base := "/v1/offices/" + tr.D1 + "/units"
	tmpl := apptest.Must(t, 200, e.Do(t, "GET", base+":template", tr.D1Admin, nil))
	for round := range 4 {
		var rows [][]string
		for i := range 3000 {
			rows = append(rows, []string{fmt.Sprintf("竞争单位%d-%d", round, i), importCode(20000 + round*3000 + i), "其他"})
		}
		last := rows[len(rows)-1][1]
		file := workbook(t, tmpl.Raw, 2, rows...)
		done := make(chan apptest.Resp, 1)
		go func() {
			done <- e.Do(t, "POST", base+":import", tr.D1Admin, file, apptest.Header{"Content-Type": xlsxType})
		}()
		time.Sleep(time.Duration(150+round*200) * time.Millisecond)
		single := e.Do(t, "POST", base, tr.D1Admin, &tenancyv1.Unit{DisplayName: "抢先登记", CreditCode: last, Category: tenancyv1.UnitCategory_UNIT_CATEGORY_OTHER})
		imported := <-done
		if single.Code >= 500 || imported.Code >= 500 {
			t.Fatalf("round %d: create %d %s; import %d %.300s", round, single.Code, single.Raw, imported.Code, imported.Raw)
		}
		if (single.Code == 200) == (imported.Code == 200) {
			t.Errorf("round %d: create %d, import %d: exactly one registers the code", round, single.Code, imported.Code)
		}
		if imported.Code != 200 && imported.Reason(t) != "UNIT_FILE_INVALID" {
			t.Errorf("round %d: the import was refused with %d %.300s", round, imported.Code, imported.Raw)
		}
		if single.Code != 200 && single.Reason(t) != "CREDIT_CODE_TAKEN" {
			t.Errorf("round %d: the create was refused with %d %s", round, single.Code, single.Raw)
		}
	}
}

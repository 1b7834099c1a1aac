package reviewtest

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// sheetRows reads every row of one sheet of an XLSX file, row by row.
func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cols)
	}
	return out
}

// readCSV checks a CSV export's byte-order mark and reads its records.
func readCSV(t *testing.T, r apptest.Resp) [][]string {
	t.Helper()
	if !bytes.HasPrefix(r.Raw, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("a CSV export without the UTF-8 byte-order mark: %.40q", r.Raw)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// Exports downloads the ranking and summary of Cycle's campaign as XLSX and CSV, in Chinese
// and English, and checks who may. It runs after Cycle: the ranking is U3, U4, U5, U1.
func Exports(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	base := "/v1/campaigns/" + fx.Campaign + "/ranking:export"
	r := apptest.Must(t, 200, e.Do(t, "GET", base, fx.Admin, nil))
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename*=UTF-8''ranking-") || !strings.HasSuffix(cd, ".xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatalf("the XLSX export does not open: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"排名", "指标得分", "评审原始数据"}) {
		t.Fatalf("sheets %v", got)
	}
	names := map[string]string{}
	for name, id := range fx.Units {
		names[id] = name
	}
	ranking := sheetRows(t, f, "排名")
	if len(ranking) != 5 || ranking[0][0] != "名次" || ranking[0][4] != "总分" {
		t.Fatalf("ranking sheet = %v", ranking)
	}
	var order []string
	for _, row := range ranking[1:] {
		order = append(order, strings.TrimPrefix(strings.TrimSuffix(strings.TrimSuffix(row[1], "小学"), "文化馆"), "拱墅区"))
	}
	if !slices.Equal(order, []string{"U3", "U4", "U5", "U1"}) || ranking[1][0] != "1" || ranking[2][4] != "55.50" || ranking[1][8] != "是" {
		t.Errorf("ranking rows = %v", ranking[1:])
	}
	points := sheetRows(t, f, "指标得分")
	col := slices.Index(points[0], "2.1 道德规范知晓率")
	if col < 0 || len(points) != 5 || points[2][col] != "0.00" || points[1][col] != "40.00" {
		t.Errorf("indicator sheet = %v", points)
	}
	// Five scored leaves, three reviewers, four applications.
	if inputs := sheetRows(t, f, "评审原始数据"); len(inputs) != 1+5*3*4 || inputs[0][3] != "评审员" {
		t.Errorf("the inputs sheet has %d rows", len(inputs))
	}

	en := apptest.Header{"Accept-Language": "en"}
	recs := readCSV(t, apptest.Must(t, 200, e.Do(t, "GET", base+"?format=EXPORT_FORMAT_CSV", fx.Admin, nil, en)))
	if len(recs) != 5 || recs[0][0] != "Rank" || recs[1][8] != "yes" || recs[4][0] != "4" {
		t.Errorf("CSV ranking = %v", recs)
	}
	if recs := readCSV(t, apptest.Must(t, 200, e.Do(t, "GET", base+"?format=EXPORT_FORMAT_CSV&sheet=EXPORT_SHEET_INPUTS", fx.Viewer, nil))); len(recs) != 61 {
		t.Errorf("CSV inputs hold %d records", len(recs))
	}
	sum := readCSV(t, apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.City+"/summary:export?format=EXPORT_FORMAT_CSV&targetLevel=TITLE_LEVEL_DISTRICT&year="+strconv.Itoa(int(fx.Year)), tr.CityAdmin, nil)))
	if len(sum) < 3 || sum[0][0] != "文明办" || sum[len(sum)-1][0] != "杭州市文明办" {
		t.Errorf("CSV summary = %v", sum)
	}
	for _, c := range []struct {
		who, token string
		codes      []int
	}{{"a unit", fx.UnitTokens["U1"], []int{403}}, {"a sibling district", tr.D2Admin, []int{404}}, {"another province", tr.Prov2Admin, []int{404}},
		{"a reviewer (the raw inputs are every reviewer's)", fx.Reviewers["r1"], []int{403}}} {
		if r := e.Do(t, "GET", base, c.token, nil); !slices.Contains(c.codes, r.Code) {
			t.Errorf("%s exporting the ranking: %d %.200s", c.who, r.Code, r.Raw)
		}
	}
}

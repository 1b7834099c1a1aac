package review

import (
	"strconv"
	"testing"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/services/platform/scoring"
)

// TestKrippendorffAlpha checks the running-sum form of alpha against the textbook
// coincidence form on a small case worked by hand: two reviewers, three applications of one
// 1-point indicator, entering (0, 0), (1, 1) and (0, 1). n = 6 pairable values; Dₒ = 1/6 ×
// ((0−1)² + (1−0)²) = 1/3; Dₑ = 18 unequal ordered pairs of the six values / (6 × 5) = 0.6;
// α = 1 − (1/3)/0.6 = 0.4444. It also checks the deviations and the widest disagreement.
func TestKrippendorffAlpha(t *testing.T) {
	ind := &scoring.Indicator{Code: "1", Title: "x", Kind: scoring.KindPoints, Max: 100, Step: 100}
	p := &plan{std: &scoring.Standard{Categories: []*scoring.Indicator{ind}}, byCode: map[string]*scoring.Indicator{"1": ind}, order: map[string]int{"1": 0}}
	st := newStats(p, 5)
	for i, pair := range [][2]string{{"0", "0"}, {"1", "1"}, {"0", "1"}} {
		app := "a" + strconv.Itoa(i)
		st.application([]*ent.Assignment{
			{ID: app + "x", ApplicationID: app, ReviewerID: "x", Scores: []jsonvalue.Score{{IndicatorCode: "1", Points: pair[0]}}},
			{ID: app + "y", ApplicationID: app, ReviewerID: "y", Scores: []jsonvalue.Score{{IndicatorCode: "1", Points: pair[1]}}},
		})
	}
	got := st.result(nil)
	if got.GetAlpha() != "0.4444" || got.GetValues() != 6 || got.GetUnits() != 3 {
		t.Errorf("alpha %s over %d values in %d units; want 0.4444, 6, 3", got.GetAlpha(), got.GetValues(), got.GetUnits())
	}
	dev := map[string]string{}
	for _, r := range got.GetReviewers() {
		dev[r.GetReviewerId()] = r.GetMeanDeviation()
	}
	// y is 1 point above x on one of three applications: +1/3 each way.
	if dev["x"] != "-0.33" || dev["y"] != "0.33" {
		t.Errorf("deviations %v", dev)
	}
	if d := got.GetDisagreements(); len(d) != 1 || d[0].GetApplicationId() != "a2" || d[0].GetSpread() != "1.00" || d[0].GetSpreadShare() != "1.0000" {
		t.Errorf("disagreements %v", d)
	}
}

// TestCSVCellsAreNeverFormulas checks that text a spreadsheet would run as a formula gets a
// leading apostrophe in a CSV export, and numbers (negative points) do not.
func TestCSVCellsAreNeverFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "+1+1": "'+1+1", "@SUM(A1)": "'@SUM(A1)", "-cmd": "'-cmd",
		"\t=1": "'\t=1", "-3.00": "-3.00", "87.50": "87.50", "西湖区图书馆": "西湖区图书馆", "": "",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

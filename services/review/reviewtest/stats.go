package reviewtest

import (
	"strconv"
	"testing"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Stats reads the reviewer consistency of Cycle's campaign: the reviewers agree everywhere
// but on U4's 1.1, where r1 entered 29.50 and the other two 28.00.
func Stats(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	path := "/v1/campaigns/" + fx.Campaign + "/reviewer-stats"
	st := apptest.Call[*reviewv1.ReviewerStats](t, e, "GET", path, fx.Viewer, nil)
	dev := map[string]float64{}
	for _, r := range st.GetReviewers() {
		d, err := strconv.ParseFloat(r.GetMeanDeviation(), 64)
		if err != nil || r.GetScored() == 0 || r.GetCompared() == 0 {
			t.Errorf("reviewer %v", r)
		}
		dev[r.GetReviewerId()] = d
	}
	if len(dev) != 4 || dev[fx.ReviewerIDs["r1"]] <= 0 || dev[fx.ReviewerIDs["r3"]] >= 0 || dev[fx.ReviewerIDs["r2"]] != 0 {
		t.Errorf("deviations %v (r1 lenient on U4's 1.1, r3 and r4 stricter, r2 not on U4)", st.GetReviewers())
	}
	if a, err := strconv.ParseFloat(st.GetAlpha(), 64); err != nil || a <= 0.9 || a > 1 {
		t.Errorf("alpha %q over %d values, want close to 1", st.GetAlpha(), st.GetValues())
	}
	if d := st.GetDisagreements(); len(d) != 1 || d[0].GetApplicationId() != fx.Apps["U4"] || d[0].GetIndicatorCode() != "1.1" || d[0].GetSpread() != "1.50" || len(d[0].GetInputs()) != 3 {
		t.Errorf("disagreements %v", d)
	}
	for _, c := range []struct {
		who, token, path string
		code             int
	}{
		{"a reviewer", fx.Reviewers["r1"], path, 403}, {"a sibling district", tr.D2Admin, path, 404}, {"a unit", fx.UnitTokens["U1"], path, 403},
		// The city's campaign is shared down to the district, its reviews are not.
		{"the district, of the city's campaign", fx.Admin, "/v1/campaigns/" + fx.Parent + "/reviewer-stats", 404},
	} {
		if r := e.Do(t, "GET", c.path, c.token, nil); r.Code != c.code {
			t.Errorf("%s: %d %s", c.who, r.Code, r.Raw)
		}
	}
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/campaigns/"+fx.Parent+"/reviewer-stats", tr.CityAdmin, nil))
}

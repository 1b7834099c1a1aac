package reviewtest

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Matrix sends every review route, on Cycle's campaign, sheets and results, as every caller
// who must not read or change them (a sibling district, another province, units that are not
// the application's, a reviewer of another office), and the writes as those who only read
// (the district's viewer, the city, the province). Strangers are refused (404, or 403 where
// their role has no such route at all) and never answered; readers read and are refused
// every write with 403; nothing changes (the sheet's etag stays).
func Matrix(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	sheets := apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/applications/"+fx.Apps["U1"]+"/assignments", fx.Admin, nil).GetAssignments()
	sheet := sheets[0]
	app, campaign := fx.Apps["U1"], fx.Campaign
	year := strconv.Itoa(int(fx.Year))
	due := timestamppb.New(time.Now().Add(240 * time.Hour))
	type call struct {
		name, method, path string
		body               any
		write              bool
	}
	calls := []call{
		{"get sheet", "GET", "/v1/assignments/" + sheet.GetId(), nil, false},
		{"list sheets", "GET", "/v1/applications/" + app + "/assignments", nil, false},
		{"result", "GET", "/v1/applications/" + app + "/result", nil, false},
		{"ranking", "GET", "/v1/campaigns/" + campaign + "/ranking", nil, false},
		{"ranking export", "GET", "/v1/campaigns/" + campaign + "/ranking:export?format=EXPORT_FORMAT_CSV", nil, false},
		{"summary", "GET", "/v1/offices/" + fx.Office + "/summary?year=" + year, nil, false},
		{"summary export", "GET", "/v1/offices/" + fx.Office + "/summary:export?year=" + year, nil, false},
		{"assign", "POST", "/v1/campaigns/" + campaign + ":assignReviewers", "{}", true},
		{"reassign", "POST", "/v1/assignments/" + sheet.GetId() + ":reassign", &reviewv1.ReassignReviewerRequest{ReviewerId: fx.ReviewerIDs["r3"], Reason: "x"}, true},
		{"save scores", "POST", "/v1/assignments/" + sheet.GetId() + ":saveScores", &reviewv1.SaveScoresRequest{Scores: marks["tie"]}, true},
		{"finalize", "POST", "/v1/assignments/" + sheet.GetId() + ":finalize", "{}", true},
		{"reopen", "POST", "/v1/assignments/" + sheet.GetId() + ":reopen", &reviewv1.ReopenAssignmentRequest{Reason: "x"}, true},
		{"return", "POST", "/v1/assignments/" + sheet.GetId() + ":returnEvidence",
			&reviewv1.ReturnEvidenceRequest{Items: []*reviewv1.ReturnItem{{IndicatorCode: "1.1"}}, Reason: "x", DueTime: due}, true},
		{"decide veto", "POST", "/v1/applications/" + app + "/vetoes/5:decide", &reviewv1.DecideVetoRequest{Confirm: true, Reason: "x"}, true},
		{"conflict", "POST", "/v1/reviewers/me/conflicts", &reviewv1.Conflict{UnitId: fx.Units["U1"], Reason: "x"}, true},
	}
	strangers := map[string]string{
		"sibling district": tr.D2Admin, "other province": tr.Prov2Admin, "unit of another district": tr.Unit1Admin,
		"another unit of the district": fx.UnitTokens["U3"], "reviewer of another office": fx.D2Reviewer,
	}
	readers := map[string]string{"district viewer": fx.Viewer, "city admin": tr.CityAdmin, "province admin": tr.ProvAdmin}
	for _, c := range calls {
		for who, tok := range strangers {
			if r := e.Do(t, c.method, c.path, tok, c.body); r.Code != 404 && r.Code != 403 {
				t.Errorf("%s by %s: %d %.300s", c.name, who, r.Code, r.Raw)
			}
		}
		if c.name == "conflict" {
			continue // a reviewer's own declaration: readers have no reviewer role
		}
		for who, tok := range readers {
			r := e.Do(t, c.method, c.path, tok, c.body)
			if c.write && r.Code != 403 || !c.write && r.Code != 200 {
				t.Errorf("%s by %s (a reader): %d %.300s", c.name, who, r.Code, r.Raw)
			}
		}
	}
	// Lists keep to the caller: another office's reviewer has an empty queue and no conflicts.
	if q := apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/reviewers/me/assignments", fx.D2Reviewer, nil); len(q.GetAssignments()) != 0 {
		t.Errorf("D2's reviewer lists %v", q.GetAssignments())
	}
	if got := apptest.Call[*reviewv1.Assignment](t, e, "GET", "/v1/assignments/"+sheet.GetId(), fx.Admin, nil).GetEtag(); got != sheet.GetEtag() {
		t.Errorf("a refused call changed the sheet: etag %s → %s", sheet.GetEtag(), got)
	}
}

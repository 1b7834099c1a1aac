package reviewtest

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
)

// marks are what every reviewer enters for a unit, by indicator: U3 and U4 score high (U4
// loses 3.00 to a negative-list entry, U3 is vetoed), U1 and U5 tie.
var marks = map[string][]*reviewv1.Score{
	"high": {
		{IndicatorCode: "1.1", Points: "28.00"}, {IndicatorCode: "1.2", Grade: "A"}, {IndicatorCode: "2.1", Value: "90.00"},
		{IndicatorCode: "3", Points: "3.00"}, {IndicatorCode: "4"},
	},
	"tie": {
		{IndicatorCode: "1.1", Points: "25.00"}, {IndicatorCode: "1.2", Grade: "B", Comment: "宣传栏内容偏少"},
		{IndicatorCode: "2.1", Value: "80.00"}, {IndicatorCode: "3", Points: "0"}, {IndicatorCode: "4", Occurrences: 1},
	},
}

var plan = map[string]string{"U1": "tie", "U3": "high", "U4": "high", "U5": "tie"}

// queue is a reviewer's open sheets by unit name.
func queue(t *testing.T, e *apptest.Env, fx *Fixture, token string) map[string]*reviewv1.Assignment {
	t.Helper()
	list := apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/reviewers/me/assignments?campaignId="+fx.Campaign+"&state=ASSIGNMENT_STATE_ASSIGNED", token, nil)
	out := map[string]*reviewv1.Assignment{}
	for _, a := range list.GetAssignments() {
		for name, id := range fx.Units {
			if a.GetUnitId() == id {
				out[name] = a
			}
		}
	}
	return out
}

// Cycle runs a campaign's review from assignment to the recommendation into the parent
// campaign, as the cycle test asks: a return and resubmission, a proposed and
// confirmed veto, a negative-list deduction, a tie broken by the documented order, and a
// spot check from the city.
func Cycle(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture, clock *evidencetest.Clock) {
	assign := "/v1/campaigns/" + fx.Campaign + ":assignReviewers"

	// r3 declares a conflict with U1: three reviewers for U1 are no longer there, and
	// nothing is assigned at all.
	apptest.Call[*reviewv1.Conflict](t, e, "POST", "/v1/reviewers/me/conflicts", fx.Reviewers["r3"],
		&reviewv1.Conflict{UnitId: fx.Units["U1"], Reason: "配偶在该单位任职"})
	if r := e.Do(t, "POST", "/v1/reviewers/me/conflicts", fx.Reviewers["r3"], &reviewv1.Conflict{UnitId: fx.Units["U1"], Reason: "再次声明"}); r.Reason(t) != "CONFLICT_EXISTS" {
		t.Errorf("a second conflict with the same unit: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", assign, fx.Admin, "{}"); r.Reason(t) != "NOT_ENOUGH_REVIEWERS" || !strings.Contains(string(r.Raw), fx.Apps["U1"]) {
		t.Fatalf("assigning without enough reviewers free of conflicts: %d %s", r.Code, r.Raw)
	}
	if q := queue(t, e, fx, fx.Reviewers["r1"]); len(q) != 0 {
		t.Errorf("a refused assignment left sheets: %v", q)
	}
	if r := e.Do(t, "POST", assign, fx.Reviewers["r1"], "{}"); r.Code != 403 {
		t.Errorf("a reviewer assigning: %d %s", r.Code, r.Raw)
	}
	fx.AddReviewer(t, e, tr, "r4")
	got := apptest.Call[*reviewv1.AssignReviewersResponse](t, e, "POST", assign, fx.Admin, "{}")
	if got.GetApplications() != 4 || got.GetAssignments() != 12 {
		t.Fatalf("assigned %d applications, %d sheets; want 4 and 12", got.GetApplications(), got.GetAssignments())
	}
	loads := got.GetLoads()
	if len(loads) != 4 || loads[len(loads)-1].GetAssignments()-loads[0].GetAssignments() > 1 {
		t.Errorf("unbalanced loads: %v", loads)
	}
	if again := apptest.Call[*reviewv1.AssignReviewersResponse](t, e, "POST", assign, fx.Admin, "{}"); again.GetAssignments() != 0 {
		t.Errorf("assigning again created %d sheets", again.GetAssignments())
	}
	if _, ok := queue(t, e, fx, fx.Reviewers["r3"])["U1"]; ok {
		t.Error("r3 was given U1 despite the declared conflict")
	}
	if c := apptest.Call[*reviewv1.ListConflictsResponse](t, e, "GET", "/v1/reviewers/me/conflicts", fx.Reviewers["r3"], nil); len(c.GetConflicts()) != 1 || c.GetConflicts()[0].GetUnitId() != fx.Units["U1"] {
		t.Errorf("r3's conflicts: %v", c.GetConflicts())
	}
	// r4's sheet on U5 goes to r1, who has none there; not to r3, who has one.
	moved := queue(t, e, fx, fx.Reviewers["r4"])["U5"]
	if r := e.Do(t, "POST", "/v1/assignments/"+moved.GetId()+":reassign", fx.Admin,
		&reviewv1.ReassignReviewerRequest{ReviewerId: fx.ReviewerIDs["r3"], Reason: "调整"}); r.Code != 400 || r.Field(t) != "reviewer_id" {
		t.Errorf("reassigning to a reviewer of the application: %d %s", r.Code, r.Raw)
	}
	if to := apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+moved.GetId()+":reassign", fx.Admin,
		&reviewv1.ReassignReviewerRequest{ReviewerId: fx.ReviewerIDs["r1"], Reason: "r4 出差", Etag: moved.GetEtag()}); to.GetReviewerId() != fx.ReviewerIDs["r1"] {
		t.Errorf("reassigned to %s", to.GetReviewerId())
	}
	if old := apptest.Call[*reviewv1.Assignment](t, e, "GET", "/v1/assignments/"+moved.GetId(), fx.Admin, nil); old.GetState() != reviewv1.AssignmentState_ASSIGNMENT_STATE_WITHDRAWN || old.GetReason() != "r4 出差" {
		t.Errorf("the reassigned sheet is %v", old)
	}
	app := apptest.Call[*evidencev1.Application](t, e, "GET", "/v1/applications/"+fx.Apps["U1"], fx.Admin, nil)
	if app.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_IN_REVIEW {
		t.Errorf("U1 after assignment: %v", app.GetState())
	}

	// Another district's reviewer sees none of it.
	r1 := queue(t, e, fx, fx.Reviewers["r1"])
	sheet := r1["U1"]
	if sheet == nil {
		t.Fatalf("r1's queue: %v", r1)
	}
	if q := queue(t, e, fx, fx.D2Reviewer); len(q) != 0 {
		t.Errorf("D2's reviewer sees %v", q)
	}
	for _, r := range []apptest.Resp{
		e.Do(t, "GET", "/v1/assignments/"+sheet.GetId(), fx.D2Reviewer, nil),
		e.Do(t, "POST", "/v1/assignments/"+sheet.GetId()+":saveScores", fx.D2Reviewer, &reviewv1.SaveScoresRequest{Scores: marks["tie"]}),
		e.Do(t, "GET", "/v1/assignments/"+sheet.GetId(), fx.Reviewers["r2"], nil),
	} {
		if r.Code != 404 {
			t.Errorf("another reviewer reaching r1's sheet: %d %s", r.Code, r.Raw)
		}
	}

	// Entries that do not fit their indicator are refused by field and indicator, and
	// change nothing.
	save := func(token string, a *reviewv1.Assignment, scores ...*reviewv1.Score) apptest.Resp {
		return e.Do(t, "POST", "/v1/assignments/"+a.GetId()+":saveScores", token, &reviewv1.SaveScoresRequest{Scores: scores})
	}
	for _, c := range []struct {
		score *reviewv1.Score
		field string
	}{
		{&reviewv1.Score{IndicatorCode: "1.2", Points: "20.00"}, "scores[0].points"},
		{&reviewv1.Score{IndicatorCode: "1.1", Points: "30.50"}, "scores[0].points"},
		{&reviewv1.Score{IndicatorCode: "1.1", Points: "7.25"}, "scores[0].points"},
		{&reviewv1.Score{IndicatorCode: "1.1", Points: "1e1"}, "scores[0].points"},
		{&reviewv1.Score{IndicatorCode: "1.2", Grade: "E"}, "scores[0].grade"},
		{&reviewv1.Score{IndicatorCode: "2.1"}, "scores[0].value"},
		{&reviewv1.Score{IndicatorCode: "5", Veto: true}, "scores[0].veto_reason"},
		{&reviewv1.Score{IndicatorCode: "1"}, "scores[0].indicator_code"},
		{&reviewv1.Score{IndicatorCode: "9.9", Points: "1"}, "scores[0].indicator_code"},
	} {
		r := save(fx.Reviewers["r1"], sheet, c.score)
		if r.Code != 400 || r.Field(t) != c.field || !strings.Contains(string(r.Raw), c.score.GetIndicatorCode()) {
			t.Errorf("%v: %d %s; want 400 on %s naming the indicator", c.score, r.Code, r.Raw, c.field)
		}
	}
	if now := apptest.Call[*reviewv1.Assignment](t, e, "GET", "/v1/assignments/"+sheet.GetId(), fx.Reviewers["r1"], nil); now.GetEtag() != sheet.GetEtag() || len(now.GetScores()) != 0 {
		t.Errorf("refused entries changed the sheet: %v", now)
	}

	// A return: r1 sends U1's 1.1 back; the sheet waits for the resubmission.
	due := timestamppb.New(clock.Now().Add(48 * time.Hour))
	ret := apptest.Call[*reviewv1.ReturnEvidenceResponse](t, e, "POST", "/v1/assignments/"+sheet.GetId()+":returnEvidence", fx.Reviewers["r1"],
		&reviewv1.ReturnEvidenceRequest{Items: []*reviewv1.ReturnItem{{IndicatorCode: "1.1"}}, Reason: "缺少活动照片说明", DueTime: due})
	if len(ret.GetItems()) != 1 || ret.GetItems()[0].GetLocked() || ret.GetApplicationState() != "RETURNED" {
		t.Errorf("return = %v", ret)
	}
	apptest.Must(t, 200, save(fx.Reviewers["r1"], sheet, marks["tie"]...))
	sheet = apptest.Call[*reviewv1.Assignment](t, e, "GET", "/v1/assignments/"+sheet.GetId(), fx.Reviewers["r1"], nil)
	if r := e.Do(t, "POST", "/v1/assignments/"+sheet.GetId()+":finalize", fx.Reviewers["r1"], "{}"); r.Reason(t) != "AWAITING_RESUBMISSION" {
		t.Errorf("finalizing while the return is open: %d %s", r.Code, r.Raw)
	}
	ev := apptest.Call[*evidencev1.Evidence](t, e, "GET", "/v1/applications/"+fx.Apps["U1"]+"/evidence/1.1/"+fx.Period(), fx.UnitTokens["U1"], nil)
	if ev.GetState() != evidencev1.EvidenceState_EVIDENCE_STATE_RETURNED || ev.GetReturnReason() != "缺少活动照片说明" {
		t.Errorf("the unit sees its returned item as %v", ev)
	}
	clock.Set(clock.Now().Add(time.Hour))
	evidencetest.SaveAndSubmit(t, e, fx.U1Submitter, fx.Apps["U1"], "1.1", fx.Period(), &evidencev1.EvidenceContent{Narrative: "补充了活动照片说明"})
	if a := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+fx.Apps["U1"]+":submit", fx.UnitTokens["U1"], map[string]string{}); a.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_RESUBMITTED {
		t.Errorf("resubmitted U1 is %v", a.GetState())
	}

	// U4's bonus evidence is returned twice: the second return, past the campaign's one
	// resubmission, locks it instead, and the bonus scores 0 whatever the reviewers enter.
	u4 := queue(t, e, fx, fx.Reviewers["r3"])["U4"]
	returnBonus := func() *reviewv1.ReturnEvidenceResponse {
		return apptest.Call[*reviewv1.ReturnEvidenceResponse](t, e, "POST", "/v1/assignments/"+u4.GetId()+":returnEvidence", fx.Reviewers["r3"],
			&reviewv1.ReturnEvidenceRequest{Items: []*reviewv1.ReturnItem{{IndicatorCode: "3", Period: fx.Period()}}, Reason: "加分材料不全", DueTime: due})
	}
	if r := returnBonus(); len(r.GetItems()) != 1 || r.GetItems()[0].GetLocked() || r.GetApplicationState() != "RETURNED" {
		t.Errorf("the first return of U4's bonus: %v", r)
	}
	evidencetest.SaveAndSubmit(t, e, fx.UnitTokens["U4"], fx.Apps["U4"], "3", fx.Period(), &evidencev1.EvidenceContent{Narrative: "补充加分材料"})
	apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+fx.Apps["U4"]+":submit", fx.UnitTokens["U4"], map[string]string{})
	if r := returnBonus(); len(r.GetItems()) != 1 || !r.GetItems()[0].GetLocked() || r.GetApplicationState() != "RESUBMITTED" {
		t.Errorf("the second return of U4's bonus: %v", r)
	}
	if r := evidencetest.Save(t, e, fx.UnitTokens["U4"], fx.Apps["U4"], "3", fx.Period(), &evidencev1.EvidenceContent{Narrative: "再次补充"}); r.Code == 200 {
		t.Errorf("a locked item was saved again: %s", r.Raw)
	}

	// U4's negative-list entry deducts 3.00 from its result.
	apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/units/"+fx.Units["U4"]+"/negative-list-entries", fx.Admin, &tenancyv1.NegativeListEntry{
		Category: tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_DISCIPLINE_VIOLATION, Description: "食堂卫生检查不合格",
		OccurredOn: strconv.Itoa(int(fx.Year-1)) + "-03-01", Effect: tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DEDUCT, Points: "3.00", SourceDocument: "西文明〔2026〕3号",
	})

	// Everyone scores; r2 proposes a veto on U3. No result shows before the last sheet.
	for _, name := range []string{"r1", "r2", "r3", "r4"} {
		for unit, a := range queue(t, e, fx, fx.Reviewers[name]) {
			scores := slices.Clone(marks[plan[unit]])
			if name == "r2" && unit == "U3" {
				scores = append(scores, &reviewv1.Score{IndicatorCode: "5", Veto: true, VetoReason: "年内发生一起重大安全责任事故"})
			}
			if name == "r1" && unit == "U4" {
				scores[0] = &reviewv1.Score{IndicatorCode: "1.1", Points: "29.50"}
			}
			apptest.Must(t, 200, save(fx.Reviewers[name], a, scores...))
			if name == "r4" && unit != "U1" {
				if r := e.Do(t, "GET", "/v1/applications/"+fx.Apps[unit]+"/result", fx.Admin, nil); r.Code != 404 {
					t.Errorf("%s has a result before its last sheet: %d %s", unit, r.Code, r.Raw)
				}
			}
			apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+a.GetId()+":finalize", fx.Reviewers[name], "{}")
		}
	}
	result := func(unit, token string) *reviewv1.Result {
		t.Helper()
		return apptest.Call[*reviewv1.Result](t, e, "GET", "/v1/applications/"+fx.Apps[unit]+"/result", token, nil)
	}
	// U4: 1.1 is the mean of 29.50, 28.00, 28.00 = 28.50; 1.2 A = 30.00; 2.1 90 ≥ 85 = 40.00;
	// the bonus locked at 0 (the reviewers entered 3.00); the negative list −3.00.
	if r := result("U4", fx.Admin); r.GetTotal() != "95.50" || r.GetBase() != "98.50" || r.GetBonus() != "0.00" || r.GetDeductions() != "3.00" || r.GetState() != "SCORED" {
		t.Errorf("U4 = total %s base %s bonus %s deductions %s state %s", r.GetTotal(), r.GetBase(), r.GetBonus(), r.GetDeductions(), r.GetState())
	} else if n := node(r.GetExplanation(), func(n *reviewv1.ExplanationNode) bool { return n.GetCode() == "3" }); n.GetPoints() != "0.00" || n.GetRawPoints() != "3.00" || !strings.Contains(n.GetZeroed(), "returned more often") {
		t.Errorf("U4's locked bonus is explained as %v", n)
	} else if n := node(r.GetExplanation(), func(n *reviewv1.ExplanationNode) bool { return n.GetKind() == "NEGATIVE_LIST" }); n == nil || !strings.Contains(n.GetTitle(), "食堂卫生检查不合格") || n.GetPoints() != "-3.00" {
		t.Errorf("U4's explanation does not name its negative-list entry: %v", n)
	}
	// U1 and U5: 25.00 + B of 30 (19.80) + 0 (80 < 85) = 44.80 base, − 2.00 for one occurrence.
	for _, u := range []string{"U1", "U5"} {
		r := result(u, fx.Admin)
		if r.GetTotal() != "42.80" || r.GetBase() != "44.80" {
			t.Errorf("%s = total %s base %s, want 42.80 and 44.80", u, r.GetTotal(), r.GetBase())
		}
		leaf := node(r.GetExplanation(), func(n *reviewv1.ExplanationNode) bool { return n.GetCode() == "1.2" })
		if leaf == nil || len(leaf.GetInputs()) != 3 || leaf.GetInputs()[0].GetComment() != "宣传栏内容偏少" || leaf.GetMethod() != "MEAN" {
			t.Errorf("%s's 1.2 explanation = %v", u, leaf)
		}
	}

	// A reviewer reads a result with their own entries only.
	own := result("U1", fx.Reviewers["r1"])
	walk(own.GetExplanation(), func(n *reviewv1.ExplanationNode) {
		for _, in := range n.GetInputs() {
			if in.GetReviewerId() != fx.ReviewerIDs["r1"] {
				t.Errorf("r1 reads %s's entry on %s", in.GetReviewerId(), n.GetCode())
			}
		}
	})
	if n := node(own.GetExplanation(), func(n *reviewv1.ExplanationNode) bool { return n.GetCode() == "1.1" }); len(n.GetInputs()) != 1 {
		t.Errorf("r1 reads U1's 1.1 with %d entries, want their own", len(n.GetInputs()))
	}

	// The veto: proposed, then confirmed by D1's admin; U3 keeps its score, VETOED.
	if r := result("U3", fx.Admin); r.GetVetoed() || len(r.GetVetoes()) != 1 || r.GetVetoes()[0].GetConfirmed() {
		t.Errorf("U3 with a proposed veto: %v", r.GetVetoes())
	}
	decide := "/v1/applications/" + fx.Apps["U3"] + "/vetoes/5:decide"
	if r := e.Do(t, "POST", decide, fx.Reviewers["r2"], &reviewv1.DecideVetoRequest{Confirm: true, Reason: "核实"}); r.Code != 403 {
		t.Errorf("a reviewer deciding a veto: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/applications/"+fx.Apps["U4"]+"/vetoes/5:decide", fx.Admin, &reviewv1.DecideVetoRequest{Confirm: true, Reason: "核实"}); r.Reason(t) != "NO_VETO_PROPOSED" {
		t.Errorf("deciding a veto nobody proposed: %d %s", r.Code, r.Raw)
	}
	apptest.Call[*reviewv1.Veto](t, e, "POST", decide, fx.Admin, &reviewv1.DecideVetoRequest{Confirm: true, Reason: "经核实，事故属实"})
	if r := result("U3", fx.Admin); !r.GetVetoed() || r.GetState() != "VETOED" || r.GetTotal() != "101.00" || !r.GetVetoes()[0].GetDecided() {
		t.Errorf("U3 after the confirmed veto: vetoed %v state %s total %s", r.GetVetoed(), r.GetState(), r.GetTotal())
	}

	// A reopen withdraws the result until the sheet is finalized again.
	var u5 *reviewv1.Assignment
	for _, a := range apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/applications/"+fx.Apps["U5"]+"/assignments", fx.Admin, nil).GetAssignments() {
		if a.GetState() == reviewv1.AssignmentState_ASSIGNMENT_STATE_FINALIZED && u5 == nil {
			u5 = a
		}
	}
	if r := e.Do(t, "POST", "/v1/assignments/"+u5.GetId()+":reopen", fx.Reviewers["r1"], &reviewv1.ReopenAssignmentRequest{Reason: "复核"}); r.Code != 403 {
		t.Errorf("a reviewer reopening: %d %s", r.Code, r.Raw)
	}
	apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+u5.GetId()+":reopen", fx.Admin, &reviewv1.ReopenAssignmentRequest{Reason: "复核 2.1 的测量值"})
	if r := e.Do(t, "GET", "/v1/applications/"+fx.Apps["U5"]+"/result", fx.Admin, nil); r.Code != 404 {
		t.Errorf("a reopened application still has a result: %d %s", r.Code, r.Raw)
	}
	owner := ""
	for name, id := range fx.ReviewerIDs {
		if id == u5.GetReviewerId() {
			owner = name
		}
	}
	apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+u5.GetId()+":finalize", fx.Reviewers[owner], "{}")

	// The ranking: U3 101.00 (vetoed), U4 95.50, then the tie at 42.80 broken by the
	// earlier final submission: U5 submitted once, U1 resubmitted later.
	page := func(query, token string) *reviewv1.ListRankingResponse {
		t.Helper()
		return apptest.Call[*reviewv1.ListRankingResponse](t, e, "GET", "/v1/campaigns/"+fx.Campaign+"/ranking"+query, token, nil)
	}
	order := func(rs []*reviewv1.Result) (units []string, ranks []int32) {
		for _, r := range rs {
			for name, id := range fx.Units {
				if id == r.GetUnitId() {
					units = append(units, name)
				}
			}
			ranks = append(ranks, r.GetRank())
		}
		return units, ranks
	}
	all := page("", fx.Admin)
	if units, ranks := order(all.GetResults()); !slices.Equal(units, []string{"U3", "U4", "U5", "U1"}) || !slices.Equal(ranks, []int32{1, 2, 3, 4}) || all.GetRanked() != 4 {
		t.Errorf("ranking = %v %v (%d)", units, ranks, all.GetRanked())
	}
	first := page("?pageSize=3", tr.CityAdmin)
	second := page("?pageSize=3&pageToken="+first.GetNextPageToken(), tr.CityAdmin)
	if units, ranks := order(append(first.GetResults(), second.GetResults()...)); !slices.Equal(units, []string{"U3", "U4", "U5", "U1"}) || !slices.Equal(ranks, []int32{1, 2, 3, 4}) {
		t.Errorf("paged ranking = %v %v", units, ranks)
	}
	if units, ranks := order(page("?unitCategory=UNIT_CATEGORY_PUBLIC_INSTITUTION", fx.Viewer).GetResults()); !slices.Equal(units, []string{"U1"}) || !slices.Equal(ranks, []int32{4}) {
		t.Errorf("filtered ranking = %v %v; the rank stays the campaign's", units, ranks)
	}
	for _, c := range []struct{ who, token string }{{"D2's admin", tr.D2Admin}, {"another province", tr.Prov2Admin}, {"a unit", fx.UnitTokens["U1"]}} {
		if r := e.Do(t, "GET", "/v1/campaigns/"+fx.Campaign+"/ranking", c.token, nil); r.Code != 404 && r.Code != 403 {
			t.Errorf("%s reading the ranking: %d %s", c.who, r.Code, r.Raw)
		}
	}

	// Results: office users of the line see them now; the unit only once RANKED; other
	// units and tenants never.
	result("U1", tr.CityAdmin)
	result("U1", tr.ProvAdmin)
	for _, c := range []struct{ who, token, unit string }{
		{"U1 before ranking", fx.UnitTokens["U1"], "U1"}, {"U3 reading U1", fx.UnitTokens["U3"], "U1"},
		{"D2's admin", tr.D2Admin, "U1"}, {"another province", tr.Prov2Admin, "U1"}, {"D2's reviewer", fx.D2Reviewer, "U1"},
	} {
		if r := e.Do(t, "GET", "/v1/applications/"+fx.Apps[c.unit]+"/result", c.token, nil); r.Code != 404 {
			t.Errorf("%s: %d %s", c.who, r.Code, r.Raw)
		}
	}

	// Ranking the campaign recommends U4 and U5 (quota 2; U3 is vetoed) into the city's.
	apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+fx.Campaign+":transition", fx.Admin,
		&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_RANKED, Force: true, Reason: "测试：评审完成"})
	want := map[string]evidencev1.ApplicationState{
		"U3": evidencev1.ApplicationState_APPLICATION_STATE_VETOED, "U4": evidencev1.ApplicationState_APPLICATION_STATE_RECOMMENDED,
		"U5": evidencev1.ApplicationState_APPLICATION_STATE_RECOMMENDED, "U1": evidencev1.ApplicationState_APPLICATION_STATE_NOT_RECOMMENDED,
	}
	for unit, st := range want {
		if a := apptest.Call[*evidencev1.Application](t, e, "GET", "/v1/applications/"+fx.Apps[unit], fx.Admin, nil); a.GetState() != st {
			t.Errorf("%s after ranking: %v, want %v", unit, a.GetState(), st)
		}
	}
	parent := apptest.Call[*evidencev1.ListApplicationsResponse](t, e, "GET", "/v1/campaigns/"+fx.Parent+"/applications", tr.CityAdmin, nil)
	var entered []string
	for _, a := range parent.GetApplications() {
		for _, unit := range []string{"U1", "U3", "U4", "U5"} {
			if a.GetSourceApplicationId() == fx.Apps[unit] && a.GetUnitId() == fx.Units[unit] {
				entered = append(entered, unit)
			}
		}
		if a.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_SUBMITTED {
			t.Errorf("a recommended application entered the parent campaign as %v", a.GetState())
		}
	}
	slices.Sort(entered)
	if !slices.Equal(entered, []string{"U4", "U5"}) || len(parent.GetApplications()) != 2 {
		t.Errorf("the parent campaign holds %v (%d applications); want U4 and U5", entered, len(parent.GetApplications()))
	}

	// The unit sees its result now, without its reviewers' names.
	mine := result("U1", fx.UnitTokens["U1"])
	if mine.GetState() != "NOT_RECOMMENDED" || mine.GetRank() != 4 {
		t.Errorf("U1's own result: state %s rank %d", mine.GetState(), mine.GetRank())
	}
	if strings.Contains(protoText(t, mine), fx.ReviewerIDs["r1"]) || !strings.Contains(protoText(t, mine), "评审员1") {
		t.Error("the unit's result names its reviewers")
	}

	// A spot check by the city vetoes U4's 2.1 evidence: the indicator scores 0.
	if r := e.Do(t, "POST", "/v1/applications/"+fx.Apps["U4"]+"/spotChecks", tr.D2Admin,
		&reviewv1.SpotCheck{IndicatorCode: "2.1", Finding: "x", Veto: true}); r.Code != 404 {
		t.Errorf("a sibling district spot-checking: %d %s", r.Code, r.Raw)
	}
	// The ranking is read (and kept by the server) before the check, and shows its effect after.
	page("", fx.Admin)
	page("", fx.Admin)
	apptest.Call[*reviewv1.SpotCheck](t, e, "POST", "/v1/applications/"+fx.Apps["U4"]+"/spotChecks", tr.CityAdmin,
		&reviewv1.SpotCheck{IndicatorCode: "2.1", Period: fx.Period(), Finding: "知晓率调查问卷系伪造", Veto: true})
	r := result("U4", tr.CityAdmin)
	leaf := node(r.GetExplanation(), func(n *reviewv1.ExplanationNode) bool { return n.GetCode() == "2.1" })
	if r.GetTotal() != "55.50" || leaf.GetPoints() != "0.00" || !strings.Contains(leaf.GetZeroed(), "知晓率调查问卷系伪造") {
		t.Errorf("U4 after the spot check: total %s, 2.1 = %v", r.GetTotal(), leaf)
	}
	if rs := page("", fx.Admin).GetResults(); len(rs) != 4 || rs[1].GetUnitId() != fx.Units["U4"] || rs[1].GetTotal() != "55.50" {
		t.Errorf("the ranking after the spot check: %v", rs)
	}
	// A negative-list entry recorded after scoring counts at once, and its annulment too.
	entry := apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/units/"+fx.Units["U1"]+"/negative-list-entries", fx.Admin, &tenancyv1.NegativeListEntry{
		Category: tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_DISCIPLINE_VIOLATION, Description: "窗口服务投诉属实",
		OccurredOn: strconv.Itoa(int(fx.Year-1)) + "-06-01", Effect: tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DEDUCT, Points: "2.00", SourceDocument: "西文明〔2026〕9号",
	})
	if r := result("U1", fx.Admin); r.GetTotal() != "40.80" || r.GetDeductions() != "4.00" {
		t.Errorf("U1 after a new negative-list entry: total %s deductions %s, want 40.80 and 4.00", r.GetTotal(), r.GetDeductions())
	}
	if rs := page("", fx.Admin).GetResults(); len(rs) != 4 || rs[3].GetTotal() != "40.80" {
		t.Errorf("the ranking after the entry: %v", rs)
	}
	apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/negative-list-entries/"+entry.GetId()+":annul", fx.Admin,
		&tenancyv1.AnnulNegativeListEntryRequest{Reason: "复核后撤销"})
	if r := result("U1", fx.Admin); r.GetTotal() != "42.80" {
		t.Errorf("U1 after the entry's annulment: total %s, want 42.80", r.GetTotal())
	}
}

// protoText is m as JSON, for looking for a string anywhere in it.
func protoText(t *testing.T, m proto.Message) string {
	t.Helper()
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// walk calls fn for every node of an explanation.
func walk(n *reviewv1.ExplanationNode, fn func(*reviewv1.ExplanationNode)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range n.GetChildren() {
		walk(c, fn)
	}
}

// node finds the first explanation node that ok accepts, depth first.
func node(n *reviewv1.ExplanationNode, ok func(*reviewv1.ExplanationNode) bool) *reviewv1.ExplanationNode {
	if n == nil {
		return nil
	}
	if ok(n) {
		return n
	}
	for _, c := range n.GetChildren() {
		if f := node(c, ok); f != nil {
			return f
		}
	}
	return nil
}

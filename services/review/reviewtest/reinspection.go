package reviewtest

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
)

// Reinspection runs a reinspection (复查) of the district's title holders after Publicity:
// U1 (its recorded title; a disqualifying entry stands against it, so it is vetoed), U3 and
// U5 (titles recorded now) are entered when the campaign opens, U4 (revoked) is not. Their
// scores propose REVOKE, WARN and KEEP from the campaign's lines; the admin decides each,
// which moves the titles, and the campaign closes once all are decided.
func Reinspection(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	for _, u := range []string{"U3", "U5"} {
		apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", "/v1/units/"+fx.Units[u]+"/titles", fx.Admin, &tenancyv1.TitleRecord{
			Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: timestamppb.New(time.Now().AddDate(-1, 0, 0)), DocumentNumber: "拱文明委〔2026〕1号"})
	}
	src := apptest.Call[*standardsv1.Campaign](t, e, "GET", "/v1/campaigns/"+fx.Campaign, fx.Admin, nil)
	campaign := func(edit func(*standardsv1.Campaign)) apptest.Resp {
		c := &standardsv1.Campaign{StandardId: src.GetStandardId(), Year: fx.Year, TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT,
			DisplayName: "2026 年度文明单位复查", Kind: standardsv1.CampaignKind_CAMPAIGN_KIND_REINSPECTION, KeepLine: "90.00", WarnLine: "40.00",
			ApplicationWindow: src.GetApplicationWindow(), SubmissionWindow: src.GetSubmissionWindow(), ReviewWindow: src.GetReviewWindow(),
			PublicityWindow: src.GetPublicityWindow(), ReviewersPerApplication: 1}
		if edit != nil {
			edit(c)
		}
		return e.Do(t, "POST", "/v1/offices/"+fx.Office+"/campaigns", fx.Admin, c)
	}
	for _, c := range []struct {
		name, field string
		edit        func(*standardsv1.Campaign)
	}{
		{"a quota", "campaign.quota", func(c *standardsv1.Campaign) { c.Quota = &standardsv1.Quota{Limit: &standardsv1.Quota_Count{Count: 2}} }},
		{"no keep line", "campaign.keep_line", func(c *standardsv1.Campaign) { c.KeepLine = "" }},
		{"a warn line above the keep line", "campaign.warn_line", func(c *standardsv1.Campaign) { c.WarnLine = "95.00" }},
		{"a parent campaign", "campaign.parent_campaign_id", func(c *standardsv1.Campaign) { c.ParentCampaignId = fx.Parent }},
	} {
		if r := campaign(c.edit); r.Code != 400 || r.Field(t) != c.field {
			t.Errorf("a reinspection with %s: %d %s", c.name, r.Code, r.Raw)
		}
	}
	if r := e.Do(t, "POST", "/v1/offices/"+fx.Office+"/campaigns", fx.Admin, &standardsv1.Campaign{StandardId: src.GetStandardId(), Year: fx.Year,
		TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT, DisplayName: "x", KeepLine: "90.00", ApplicationWindow: src.GetApplicationWindow(),
		SubmissionWindow: src.GetSubmissionWindow(), ReviewWindow: src.GetReviewWindow(), PublicityWindow: src.GetPublicityWindow(),
		Quota: src.GetQuota()}); r.Code != 400 || r.Field(t) != "campaign.keep_line" {
		t.Errorf("a selection with a keep line: %d %s", r.Code, r.Raw)
	}
	c := apptest.Decode[*standardsv1.Campaign](t, apptest.Must(t, 200, campaign(nil)))
	if c.GetKind() != standardsv1.CampaignKind_CAMPAIGN_KIND_REINSPECTION || c.GetKeepLine() != "90.00" || c.GetWarnLine() != "40.00" {
		t.Errorf("the reinspection campaign: %v", c)
	}
	move := func(to standardsv1.CampaignState) apptest.Resp {
		return e.Do(t, "POST", "/v1/campaigns/"+c.GetId()+":transition", fx.Admin, &standardsv1.TransitionCampaignRequest{To: to, Force: true, Reason: "测试：复查"})
	}
	apptest.Must(t, 200, move(standardsv1.CampaignState_CAMPAIGN_STATE_OPEN))

	// Opening entered the three holders, and nobody applies.
	apps := map[string]string{}
	for _, a := range apptest.Call[*evidencev1.ListApplicationsResponse](t, e, "GET", "/v1/campaigns/"+c.GetId()+"/applications", fx.Admin, nil).GetApplications() {
		for name, id := range fx.Units {
			if a.GetUnitId() == id {
				apps[name] = a.GetId()
			}
		}
		if a.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_DRAFT {
			t.Errorf("a holder entered as %v", a.GetState())
		}
	}
	var entered []string
	for name := range apps {
		entered = append(entered, name)
	}
	slices.Sort(entered)
	if !slices.Equal(entered, []string{"U1", "U3", "U5"}) {
		t.Fatalf("the reinspection entered %v; want U1, U3, U5", entered)
	}
	if r := e.Do(t, "POST", "/v1/campaigns/"+c.GetId()+"/applications", fx.UnitTokens["U4"], &evidencev1.Application{UnitId: fx.Units["U4"]}); r.Code != 400 || r.Reason(t) != "CAMPAIGN_IS_REINSPECTION" {
		t.Errorf("applying to a reinspection: %d %s", r.Code, r.Raw)
	}
	// A holder cannot leave the reinspection to keep its title out of it.
	if r := e.Do(t, "POST", "/v1/applications/"+apps["U1"]+":withdraw", fx.UnitTokens["U1"], &evidencev1.WithdrawApplicationRequest{Reason: "本年度不参加复查"}); r.Code != 400 || r.Reason(t) != "CAMPAIGN_IS_REINSPECTION" {
		t.Errorf("a holder withdrawing from the reinspection: %d %s", r.Code, r.Raw)
	}

	// The holders answer with evidence, one reviewer scores each, and the campaign ranks.
	evidencetest.ToSubmission(t, e, fx.Admin, c.GetId())
	for _, name := range entered {
		for _, code := range []string{"1.1", "1.2", "2.1", "3"} {
			content := &evidencev1.EvidenceContent{Narrative: name + " 的 " + code + " 复查台账"}
			if code == "2.1" {
				content.Value = "88.00"
			}
			evidencetest.SaveAndSubmit(t, e, fx.UnitTokens[name], apps[name], code, fx.Period(), content)
		}
		apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+apps[name]+":submit", fx.UnitTokens[name], map[string]string{})
	}
	apptest.Must(t, 200, move(standardsv1.CampaignState_CAMPAIGN_STATE_REVIEW))
	if r := e.Do(t, "GET", "/v1/campaigns/"+c.GetId()+"/reinspection", fx.Admin, nil); r.Code != 400 || r.Reason(t) != "CAMPAIGN_WRONG_PHASE" {
		t.Errorf("outcomes before ranking: %d %s", r.Code, r.Raw)
	}
	apptest.Call[*reviewv1.AssignReviewersResponse](t, e, "POST", "/v1/campaigns/"+c.GetId()+":assignReviewers", fx.Admin, "{}")
	scores := map[string]string{"U1": "tie", "U3": "tie", "U5": "high"}
	for name, app := range apps {
		sheet := apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/applications/"+app+"/assignments", fx.Admin, nil).GetAssignments()[0]
		var token string
		for r, id := range fx.ReviewerIDs {
			if id == sheet.GetReviewerId() {
				token = fx.Reviewers[r]
			}
		}
		apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+sheet.GetId()+":saveScores", token, &reviewv1.SaveScoresRequest{Scores: marks[scores[name]]})
		apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+sheet.GetId()+":finalize", token, "{}")
	}
	apptest.Must(t, 200, move(standardsv1.CampaignState_CAMPAIGN_STATE_RANKED))

	// U5 (98.00 and a bonus) keeps its title, U3 (42.80) is warned, U1 (vetoed by its
	// disqualifying entry) loses it; nobody was recommended.
	outcomes := func(token string) map[string]*reviewv1.ReinspectionOutcome {
		out := map[string]*reviewv1.ReinspectionOutcome{}
		for _, o := range apptest.Call[*reviewv1.ListReinspectionResponse](t, e, "GET", "/v1/campaigns/"+c.GetId()+"/reinspection", token, nil).GetOutcomes() {
			for name, id := range fx.Units {
				if o.GetUnitId() == id {
					out[name] = o
				}
			}
		}
		return out
	}
	got := outcomes(tr.CityAdmin)
	want := map[string]reviewv1.ReinspectionVerdict{"U5": reviewv1.ReinspectionVerdict_REINSPECTION_VERDICT_KEEP,
		"U3": reviewv1.ReinspectionVerdict_REINSPECTION_VERDICT_WARN, "U1": reviewv1.ReinspectionVerdict_REINSPECTION_VERDICT_REVOKE}
	for name, v := range want {
		if o := got[name]; o.GetProposed() != v || !o.GetScored() || o.GetTitleId() == "" || o.GetDecision() != nil {
			t.Errorf("%s's outcome: %v, want %v proposed", name, o, v)
		}
	}
	if !got["U1"].GetVetoed() || got["U3"].GetTotal() != "42.80" {
		t.Errorf("U1 vetoed %v, U3's total %s", got["U1"].GetVetoed(), got["U3"].GetTotal())
	}
	for who, tok := range map[string]string{"a sibling district": tr.D2Admin, "a unit": fx.UnitTokens["U5"], "a reviewer": fx.Reviewers["r1"]} {
		if r := e.Do(t, "GET", "/v1/campaigns/"+c.GetId()+"/reinspection", tok, nil); r.Code != 404 && r.Code != 403 {
			t.Errorf("%s reading the outcomes: %d %s", who, r.Code, r.Raw)
		}
	}
	if a := apptest.Call[*evidencev1.Application](t, e, "GET", "/v1/applications/"+apps["U5"], fx.Admin, nil); a.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_SCORED {
		t.Errorf("U5's reinspection after ranking: %v", a.GetState())
	}

	decide := func(token, unit string, v reviewv1.ReinspectionVerdict, edit func(*reviewv1.DecideReinspectionRequest)) apptest.Resp {
		req := &reviewv1.DecideReinspectionRequest{Verdict: v, Reason: "依据复查得分", DocumentNumber: "拱文明委〔2026〕9号"}
		if v == reviewv1.ReinspectionVerdict_REINSPECTION_VERDICT_WARN {
			req.RectificationDeadline = timestamppb.New(time.Now().Add(60 * 24 * time.Hour))
		}
		if edit != nil {
			edit(req)
		}
		return e.Do(t, "POST", "/v1/applications/"+apps[unit]+":decideReinspection", token, req)
	}
	for who, c := range map[string]struct {
		token string
		code  int
	}{"the viewer": {fx.Viewer, 403}, "the city": {tr.CityAdmin, 403}, "a sibling district": {tr.D2Admin, 404}, "the unit": {fx.UnitTokens["U5"], 403}} {
		if r := decide(c.token, "U5", want["U5"], nil); r.Code != c.code {
			t.Errorf("%s deciding: %d %s", who, r.Code, r.Raw)
		}
	}
	if r := decide(fx.Admin, "U3", want["U3"], func(r *reviewv1.DecideReinspectionRequest) { r.RectificationDeadline = nil }); r.Code != 400 || r.Field(t) != "rectification_deadline" {
		t.Errorf("warning without a deadline: %d %s", r.Code, r.Raw)
	}
	apptest.Must(t, 200, decide(fx.Admin, "U5", want["U5"], nil))
	warned := apptest.Decode[*reviewv1.ReinspectionOutcome](t, apptest.Must(t, 200, decide(fx.Admin, "U3", want["U3"], nil)))
	if warned.GetDecision().GetVerdict() != want["U3"] || warned.GetDecision().GetDecidedBy() == "" {
		t.Errorf("U3's decision: %v", warned)
	}
	if r := decide(fx.Admin, "U5", want["U5"], nil); r.Code != 400 || r.Reason(t) != "REINSPECTION_DECIDED" {
		t.Errorf("deciding twice: %d %s", r.Code, r.Raw)
	}

	// A reinspection publishes nothing, and closes only once every holder is decided.
	apptest.Must(t, 200, move(standardsv1.CampaignState_CAMPAIGN_STATE_PUBLICITY))
	if r := e.Do(t, "GET", "/v1/public/campaigns/"+c.GetId()+"/publicity", "", nil); r.Code != 404 {
		t.Errorf("a reinspection's public list: %d %s", r.Code, r.Raw)
	}
	if r := move(standardsv1.CampaignState_CAMPAIGN_STATE_CLOSED); r.Code != 400 || r.Reason(t) != "REINSPECTION_UNDECIDED" {
		t.Errorf("closing with U1 undecided: %d %s", r.Code, r.Raw)
	}
	// The office records a newer title for U1 meanwhile: the decision still moves the
	// title U1 was entered for, not the newer one.
	newer := apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", "/v1/units/"+fx.Units["U1"]+"/titles", fx.Admin, &tenancyv1.TitleRecord{
		Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: timestamppb.New(time.Now().Add(-time.Hour)), DocumentNumber: "拱文明委〔2026〕12号"})
	apptest.Must(t, 200, decide(fx.Admin, "U1", want["U1"], nil))
	apptest.Must(t, 200, move(standardsv1.CampaignState_CAMPAIGN_STATE_CLOSED))
	for _, r := range apptest.Call[*tenancyv1.ListTitlesResponse](t, e, "GET", "/v1/units/"+fx.Units["U1"]+"/titles", fx.Admin, nil).GetTitles() {
		switch r.GetId() {
		case got["U1"].GetTitleId():
			if r.GetState() != tenancyv1.TitleState_TITLE_STATE_REVOKED {
				t.Errorf("U1's reinspected title: %v", r.GetState())
			}
		case newer.GetId():
			if r.GetState() != tenancyv1.TitleState_TITLE_STATE_NAMED || !r.GetCurrent() {
				t.Errorf("U1's newer title: %v", r)
			}
		}
	}

	states := map[string]tenancyv1.TitleState{}
	for _, name := range []string{"U3", "U5"} {
		u := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+fx.Units[name], fx.Admin, nil)
		states[name] = u.GetTitle().GetState()
	}
	if states["U5"] != tenancyv1.TitleState_TITLE_STATE_NAMED || states["U3"] != tenancyv1.TitleState_TITLE_STATE_WARNED {
		t.Errorf("the titles after the reinspection: %v", states)
	}
	u3 := apptest.Call[*tenancyv1.ListTitlesResponse](t, e, "GET", "/v1/units/"+fx.Units["U3"]+"/titles", fx.UnitTokens["U3"], nil).GetTitles()[0]
	if last := u3.GetHistory()[len(u3.GetHistory())-1]; u3.GetRectificationDeadline() == nil || last.GetDocumentNumber() != "拱文明委〔2026〕9号" {
		t.Errorf("U3's warned title: %v", u3)
	}
}

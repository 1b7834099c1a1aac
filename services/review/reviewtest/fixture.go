// Package reviewtest holds the review service's REST suites: the whole cycle from
// assigning reviewers to a recommendation into the parent campaign, and who may see and
// change what, run through the real gateway on every store by services/review's tests.
package reviewtest

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
)

// Year is the campaigns' year on a process that runs on the evidence clock
// (evidencetest.NewClock stands in it).
const Year = 2026

// Indicators is the suites' standard: two categories of annual indicators a unit answers
// with a narrative (and a measured value for 2.1), a bonus, a deduction and a veto.
func Indicators() []*standardsv1.Indicator {
	annual := &standardsv1.EvidenceSpec{NarrativeMaxChars: 200}
	return []*standardsv1.Indicator{
		{Code: "1", Title: "基础工作", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "60.00"},
		{Code: "1.1", ParentCode: "1", Title: "志愿服务", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "30.00", EvidenceSpec: annual},
		{Code: "1.2", ParentCode: "1", Title: "文明宣传", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GRADE, MaxPoints: "30.00", EvidenceSpec: annual},
		{Code: "2", Title: "工作业绩", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "40.00"},
		{Code: "2.1", ParentCode: "2", Title: "道德规范知晓率", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_THRESHOLD, MaxPoints: "40.00", Target: "85.00", EvidenceSpec: annual},
		{Code: "3", Title: "创新加分", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_BONUS, MaxPoints: "5.00", EvidenceSpec: annual},
		{Code: "4", Title: "违规扣分", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_DEDUCTION, MaxPoints: "10.00", PerItem: "2.00"},
		{Code: "5", Title: "重大安全责任事故", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_VETO},
	}
}

// Fixture is a district campaign in REVIEW with four submitted applications, reviewers, and
// the city campaign it recommends into. The district is a new one under the tree's city, so
// its reviewers are only the suite's, whatever other suites ran on the process before.
type Fixture struct {
	// Office is the district; Admin and Viewer are its admin's and viewer's tokens.
	Office, Admin, Viewer string
	// U1Submitter is a submitter of U1.
	U1Submitter string
	// Year is the campaigns' year, and the period of their annual evidence.
	Year             int32
	Campaign, Parent string
	// Units and Apps by name: "U1" (a public institution), "U3", "U4", "U5" (schools), all
	// of the district; UnitTokens are their admins'.
	Units, Apps, UnitTokens map[string]string
	// Reviewers of the district by name ("r1" … "r3", AddReviewer adds more): ids and tokens;
	// D2Reviewer is a reviewer of D2.
	ReviewerIDs, Reviewers map[string]string
	D2Reviewer             string
}

// Setup publishes the city's standard, opens the city campaign and D1's campaign under it
// (quota 2), applies four units of D1, submits their evidence, and moves D1's campaign to
// REVIEW. U5 submits before U1: the tie between them is broken by that. clock is the
// process's (on the wall clock, one set to now: it only times the suite's own requests).
func Setup(t *testing.T, e *apptest.Env, tr *apptest.Tree, clock *evidencetest.Clock, year int32) *Fixture {
	t.Helper()
	std := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/offices/"+tr.City+"/standards", tr.CityAdmin, &standardsv1.Standard{
		Code: "HZ-REVIEW", DisplayName: "杭州市文明单位测评细则（评审）", BasePoints: "100.00", BonusCap: "5.00", Indicators: Indicators(),
	})
	apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/standards/"+std.GetId()+":publish", tr.CityAdmin,
		&standardsv1.PublishStandardRequest{Etag: std.GetEtag()})
	now := time.Now().UTC().Truncate(time.Second)
	day := 24 * time.Hour
	window := func(start, end time.Duration) *standardsv1.Window {
		return &standardsv1.Window{StartTime: timestamppb.New(now.Add(start)), EndTime: timestamppb.New(now.Add(end))}
	}
	campaignOf := func(office, token string, level standardsv1.TitleLevel, parent string) string {
		c := apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/offices/"+office+"/campaigns", token, &standardsv1.Campaign{
			StandardId: std.GetId(), Year: year, TargetLevel: level, DisplayName: "2026 年度文明单位测评",
			ApplicationWindow: window(-time.Hour, 10*day), SubmissionWindow: window(day, 20*day),
			ReviewWindow: window(21*day, 30*day), PublicityWindow: window(31*day, 38*day),
			Quota: &standardsv1.Quota{Limit: &standardsv1.Quota_Count{Count: 2}}, ParentCampaignId: parent,
		})
		apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+c.GetId()+":transition", token,
			&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_OPEN})
		return c.GetId()
	}
	fx := &Fixture{Year: year, Units: map[string]string{}, Apps: map[string]string{}, UnitTokens: map[string]string{},
		ReviewerIDs: map[string]string{}, Reviewers: map[string]string{}}
	fx.Office = e.Office(t, tr.CityAdmin, tr.City, "拱墅区文明办", tenancyv1.Level_LEVEL_DISTRICT, "330105")
	e.User(t, tr.CityAdmin, "/v1/offices/"+fx.Office+"/users", "review-admin", authzv1.Role_ROLE_OFFICE_ADMIN)
	fx.Admin, _ = e.Login(t, "review-admin", "review-admin-password")
	e.User(t, fx.Admin, "/v1/offices/"+fx.Office+"/users", "review-viewer", authzv1.Role_ROLE_OFFICE_VIEWER)
	fx.Viewer, _ = e.Login(t, "review-viewer", "review-viewer-password")
	fx.Parent = campaignOf(tr.City, tr.CityAdmin, standardsv1.TitleLevel_TITLE_LEVEL_MUNICIPAL, "")
	fx.Campaign = campaignOf(fx.Office, fx.Admin, standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT, fx.Parent)
	for i, name := range []string{"U1", "U3", "U4", "U5"} {
		category, kind := tenancyv1.UnitCategory_UNIT_CATEGORY_SCHOOL, "小学"
		if name == "U1" {
			category, kind = tenancyv1.UnitCategory_UNIT_CATEGORY_PUBLIC_INSTITUTION, "文化馆"
		}
		u := apptest.Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+fx.Office+"/units", fx.Admin, &tenancyv1.Unit{
			DisplayName: "拱墅区" + name + kind, CreditCode: apptest.CreditCode("12330105MB000" + string(rune('1'+i)) + "00X"), Category: category,
		})
		login := "review-" + name
		e.User(t, fx.Admin, "/v1/units/"+u.GetId()+"/users", login, authzv1.Role_ROLE_UNIT_ADMIN)
		fx.Units[name] = u.GetId()
		fx.UnitTokens[name], _ = e.Login(t, login, login+"-password")
	}
	e.User(t, fx.Admin, "/v1/units/"+fx.Units["U1"]+"/users", "review-U1-submitter", authzv1.Role_ROLE_UNIT_SUBMITTER)
	fx.U1Submitter, _ = e.Login(t, "review-U1-submitter", "review-U1-submitter-password")
	for _, name := range []string{"U1", "U3", "U4", "U5"} {
		fx.Apps[name] = apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+fx.Campaign+"/applications", fx.UnitTokens[name],
			&evidencev1.Application{UnitId: fx.Units[name]}).GetId()
	}
	evidencetest.ToSubmission(t, e, fx.Admin, fx.Campaign)
	for _, name := range []string{"U3", "U4", "U5", "U1"} {
		app, token := fx.Apps[name], fx.UnitTokens[name]
		for _, code := range []string{"1.1", "1.2", "2.1", "3"} {
			content := &evidencev1.EvidenceContent{Narrative: name + " 的 " + code + " 年度台账"}
			if code == "2.1" {
				content.Value = "88.00"
			}
			evidencetest.SaveAndSubmit(t, e, token, app, code, fx.Period(), content)
		}
		apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+app+":submit", token, map[string]string{})
		clock.Set(clock.Now().Add(time.Minute))
	}
	apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+fx.Campaign+":transition", fx.Admin,
		&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_REVIEW, Force: true, Reason: "测试：提前进入评审"})
	for _, name := range []string{"r1", "r2", "r3"} {
		fx.AddReviewer(t, e, tr, name)
	}
	e.User(t, tr.D2Admin, "/v1/offices/"+tr.D2+"/users", "review-d2-r1", authzv1.Role_ROLE_OFFICE_REVIEWER)
	fx.D2Reviewer, _ = e.Login(t, "review-d2-r1", "review-d2-r1-password")
	return fx
}

// AddReviewer creates a REVIEWER of the district named name ("r4"), logged in.
func (fx *Fixture) AddReviewer(t *testing.T, e *apptest.Env, tr *apptest.Tree, name string) {
	t.Helper()
	login := "review-" + name
	fx.ReviewerIDs[name] = e.User(t, fx.Admin, "/v1/offices/"+fx.Office+"/users", login, authzv1.Role_ROLE_OFFICE_REVIEWER)
	fx.Reviewers[name], _ = e.Login(t, login, login+"-password")
}

// Period is the annual evidence's period: the campaigns' year.
func (fx *Fixture) Period() string { return strconv.Itoa(int(fx.Year)) }

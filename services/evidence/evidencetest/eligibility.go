package evidencetest

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Eligibility applies to the City's campaign, which asks for a district title in force and
// no disqualifying negative-list entry within 24 months, each refusal naming its rule; and
// then checks that the same evidence uploaded by units of two districts is flagged for the
// offices, naming the other unit only to one that sees both.
func Eligibility(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	day := func(s string) *timestamppb.Timestamp {
		d, err := time.ParseInLocation("2006-01-02", s, Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return timestamppb.New(d)
	}
	apply := func(token string) apptest.Resp {
		return e.Do(t, "POST", "/v1/campaigns/"+fx.City+"/applications", token, &evidencev1.Application{})
	}
	title := func(token, unit, start, end string) {
		apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", "/v1/units/"+unit+"/titles", token, &tenancyv1.TitleRecord{
			Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: day(start), TermEnd: day(end), DocumentNumber: "区文明委〔" + start[:4] + "〕1号"})
	}
	// A title whose term has ended does not count; one in force does.
	title(tr.D1Admin, tr.Unit1, "2022-01-01", "2024-12-31")
	if r := apply(tr.Unit1Admin); r.Reason(t) != "TITLE_REQUIRED" {
		t.Errorf("applying with an expired title: %d %s", r.Code, r.Raw)
	}
	title(tr.D1Admin, tr.Unit1, "2025-01-01", "2027-12-31")
	city1 := apptest.Decode[*evidencev1.Application](t, apptest.Must(t, 200, apply(tr.Unit1Admin))).GetId()

	// A disqualifying entry inside the look-back refuses; a deduction does not; annulled, the
	// disqualification no longer counts.
	title(tr.D2Admin, tr.Unit2, "2025-01-01", "2027-12-31")
	entry := func(effect tenancyv1.NegativeListEffect, points string) *tenancyv1.NegativeListEntry {
		return apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/units/"+tr.Unit2+"/negative-list-entries", tr.D2Admin, &tenancyv1.NegativeListEntry{
			Category: tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_MAJOR_ACCIDENT, Description: "病房楼发生火灾",
			OccurredOn: "2026-01-10", Effect: effect, Points: points, SourceDocument: "上城应急〔2026〕2号"})
	}
	entry(tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DEDUCT, "2.00")
	veto := entry(tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DISQUALIFY, "")
	if r := apply(tr.Unit2Admin); r.Reason(t) != "NEGATIVE_LIST_DISQUALIFIED" {
		t.Errorf("applying with a disqualifying entry: %d %s", r.Code, r.Raw)
	}
	apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/negative-list-entries/"+veto.GetId()+":annul", tr.D2Admin,
		&tenancyv1.AnnulNegativeListEntryRequest{Reason: "经复核，事故责任不在该单位", Etag: veto.GetEtag()})
	city2 := apptest.Decode[*evidencev1.Application](t, apptest.Must(t, 200, apply(tr.Unit2Admin))).GetId()

	// The same photo from both units: the city sees both units named; each district sees a
	// flag without the other district's unit; the units see nothing.
	f1 := File(t, e, tr.Unit1Admin, city1, "活动.png", PNG(42))
	File(t, e, tr.Unit2Admin, city2, "活动.png", PNG(42))
	for name, c := range map[string]struct {
		token string
		named bool
		flags int
	}{"city": {tr.CityAdmin, true, 1}, "district of the file's unit": {tr.D1Admin, false, 1}, "the unit": {tr.Unit1Admin, false, 0}} {
		f := apptest.Call[*evidencev1.File](t, e, "GET", "/v1/files/"+f1.GetId(), c.token, nil)
		if len(f.GetCopies()) != c.flags {
			t.Errorf("%s sees %d copies: %v", name, len(f.GetCopies()), f.GetCopies())
			continue
		}
		if c.flags > 0 && (f.GetCopies()[0].GetUnitId() == tr.Unit2) != c.named {
			t.Errorf("%s sees the copy as %v", name, f.GetCopies()[0])
		}
		if c.flags > 0 && !c.named && (f.GetCopies()[0].GetApplicationId() != "" || f.GetCopies()[0].GetUnitDisplayName() != "") {
			t.Errorf("%s learns of the other unit: %v", name, f.GetCopies()[0])
		}
	}

	// Once the campaign is in review, a draft application takes no more files.
	ToSubmission(t, e, tr.CityAdmin, fx.City)
	apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+fx.City+":transition", tr.CityAdmin,
		&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_REVIEW, Force: true, Reason: "测试：提前进入审核"})
	if r := Upload(t, e, tr.Unit1Admin, city1, "late.png", PNG(43)); r.Reason(t) != "CAMPAIGN_NOT_TAKING_EVIDENCE" {
		t.Errorf("a file for a draft in a campaign under review: %d %s", r.Code, r.Raw)
	}
}

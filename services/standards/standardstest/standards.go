package standardstest

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/standards"
	"github.com/wenming-platform/wenming/services/standards/examples"
)

// problems lists a validation's problems as "indicator-code field" → message.
func problems(v *standardsv1.ValidateStandardResponse) map[string]string {
	out := map[string]string{}
	for _, p := range v.GetProblems() {
		out[p.GetIndicatorCode()+" "+p.GetField()] = p.GetMessage()
	}
	return out
}

// goodIndicators is a valid indicator tree, one indicator of each kind.
func goodIndicators() []*standardsv1.Indicator {
	return []*standardsv1.Indicator{
		{Code: "1", Title: "领导班子好", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "6.00"},
		{Code: "1.1", ParentCode: "1", Title: "理论学习", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "3.00",
			Method: standardsv1.AssessmentMethod_ASSESSMENT_METHOD_MATERIAL, Guidance: "查阅中心组学习记录",
			EvidenceSpec: &standardsv1.EvidenceSpec{FileTypes: []string{"pdf", "jpg"}, MinFiles: 1, Cadence: standardsv1.Cadence_CADENCE_QUARTERLY, DueDay: 20}},
		{Code: "1.2", ParentCode: "1", Title: "基本道德规范知晓率", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_THRESHOLD, MaxPoints: "2.00", Target: "85.00",
			Method: standardsv1.AssessmentMethod_ASSESSMENT_METHOD_QUESTIONNAIRE},
		{Code: "1.3", ParentCode: "1", Title: "志愿服务", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GRADE, MaxPoints: "2.00"},
		{Code: "2", Title: "工作业绩好", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "4.00"},
		{Code: "2.1", ParentCode: "2", Title: "群众满意度", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_LINEAR, MaxPoints: "4.00", Floor: "60.00", Target: "95.00"},
		{Code: "3", Title: "加分项", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_BONUS, MaxPoints: "2.00"},
		{Code: "4", Title: "负面清单", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_DEDUCTION, MaxPoints: "5.00", PerItem: "1.00"},
		{Code: "5", Title: "重大安全责任事故", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_VETO},
	}
}

// Lifecycle takes a standard from an invalid draft to published, a new version and
// retirement, checking who reads and edits it at each step; it returns the published
// standard's id.
func Lifecycle(t *testing.T, e *apptest.Env, tr *apptest.Tree) string {
	// A draft may be incomplete; validation names every problem by indicator and field.
	bad := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/offices/"+tr.Province+"/standards", tr.ProvAdmin, &standardsv1.Standard{
		Code: "ZJ-WMDW", DisplayName: "浙江省文明单位测评细则", BasePoints: "10.00", BonusCap: "2.00",
		Indicators: []*standardsv1.Indicator{
			{Code: "1", Title: "领导班子好", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "6.00"},
			{Code: "1.1", ParentCode: "1", Title: "理论学习", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "3.00"},
			{Code: "1.1", ParentCode: "1", Title: "重复", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "1.00"},
			{Code: "1.2", ParentCode: "1", Title: "知晓率", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_THRESHOLD, MaxPoints: "2.00"},
			{Code: "1.3", ParentCode: "1.1", Title: "挂错", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "1.00"},
			{Code: "2.1", Title: "满意度", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_LINEAR, MaxPoints: "4.00", Floor: "90.00", Target: "90.00"},
		},
	})
	id := bad.GetId()
	if bad.GetState() != standardsv1.StandardState_STANDARD_STATE_DRAFT || bad.GetVersion() != 1 {
		t.Errorf("draft = %v", bad)
	}
	v := apptest.Call[*standardsv1.ValidateStandardResponse](t, e, "GET", "/v1/standards/"+id+":validate", tr.ProvAdmin, nil)
	ps := problems(v)
	for _, want := range []string{"1.1 indicators[2].code", "1.2 indicators[3].target", "1.3 indicators[4].parent_code", "2.1 indicators[5].floor"} {
		if _, ok := ps[want]; !ok {
			t.Errorf("validation misses %q: %v", want, ps)
		}
	}
	r := e.Do(t, "POST", "/v1/standards/"+id+":publish", tr.ProvAdmin, &standardsv1.PublishStandardRequest{Etag: bad.GetEtag()})
	if r.Code != 400 || r.Reason(t) != "STANDARD_INVALID" || !strings.Contains(string(r.Raw), "indicators[5].floor") {
		t.Errorf("publishing an invalid draft: %d %s", r.Code, r.Raw)
	}
	// Fix the tree in one edit; a stale etag is refused first.
	fix := &standardsv1.Standard{Etag: "999", Indicators: goodIndicators()}
	if r := e.Do(t, "PATCH", "/v1/standards/"+id+"?updateMask=indicators", tr.ProvAdmin, fix); r.Code != 409 {
		t.Errorf("stale etag: %d", r.Code)
	}
	fix.Etag = bad.GetEtag()
	fixed := apptest.Call[*standardsv1.Standard](t, e, "PATCH", "/v1/standards/"+id+"?updateMask=indicators", tr.ProvAdmin, fix)
	v = apptest.Call[*standardsv1.ValidateStandardResponse](t, e, "GET", "/v1/standards/"+id+":validate", tr.ProvAdmin, nil)
	if len(v.GetProblems()) != 0 || len(v.GetWarnings()) == 0 {
		t.Errorf("after the fix: %v", v)
	}
	// Only the owner's admins edit or publish it.
	if r := e.Do(t, "POST", "/v1/standards/"+id+":publish", tr.CityAdmin, &standardsv1.PublishStandardRequest{Etag: fixed.GetEtag()}); r.Code != 404 {
		t.Errorf("a child office publishing the province's draft: %d", r.Code)
	}
	pub := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/standards/"+id+":publish", tr.ProvAdmin, &standardsv1.PublishStandardRequest{Etag: fixed.GetEtag()})
	if pub.GetState() != standardsv1.StandardState_STANDARD_STATE_PUBLISHED || len(pub.GetContentHash()) != 64 {
		t.Errorf("published = %v", pub)
	}
	// Published means immutable.
	r = e.Do(t, "PATCH", "/v1/standards/"+id+"?updateMask=displayName", tr.ProvAdmin, &standardsv1.Standard{DisplayName: "改名", Etag: pub.GetEtag()})
	if r.Code != 400 || r.Reason(t) != "STANDARD_NOT_DRAFT" {
		t.Errorf("editing a published standard: %d %s", r.Code, r.Raw)
	}
	// Published standards are read down the tree; drafts are not; other provinces see nothing.
	draft := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/offices/"+tr.Province+"/standards", tr.ProvAdmin, &standardsv1.Standard{
		Code: "ZJ-DRAFT", DisplayName: "草稿",
	}).GetId()
	// Drafts stay with their owner in both directions: the offices above do not read them either.
	districtDraft := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/offices/"+tr.D1+"/standards", tr.D1Admin, &standardsv1.Standard{
		Code: "XH-DRAFT", DisplayName: "区草稿",
	}).GetId()
	for _, c := range []struct {
		name, token, id string
		want            int
	}{
		{"the owner's viewer reads its draft", tr.D1Viewer, districtDraft, 200},
		{"the city reads a district's draft", tr.CityAdmin, districtDraft, 404},
		{"the province reads a district's draft", tr.ProvAdmin, districtDraft, 404},
		{"district reads the published", tr.D1Admin, id, 200},
		{"unit reads the published", tr.Unit1Submitter, id, 200},
		{"district reads the draft", tr.D1Admin, draft, 404},
		{"unit reads the draft", tr.Unit1Admin, draft, 404},
		{"other province", tr.Prov2Admin, id, 404},
	} {
		if r := e.Do(t, "GET", "/v1/standards/"+c.id, c.token, nil); r.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, r.Code, c.want)
		}
	}
	got := apptest.Call[*standardsv1.Standard](t, e, "GET", "/v1/standards/"+id, tr.D1Viewer, nil)
	if inds := got.GetIndicators(); len(inds) != len(goodIndicators()) || inds[1].GetEvidenceSpec().GetCadence() != standardsv1.Cadence_CADENCE_QUARTERLY {
		t.Errorf("indicators as read by a district: %v", got)
	}
	list := apptest.Call[*standardsv1.ListStandardsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/standards", tr.D1Admin, nil)
	ids := standardIDs(list)
	withIndicators := slices.ContainsFunc(list.GetStandards(), func(s *standardsv1.Standard) bool { return len(s.GetIndicators()) > 0 })
	if !slices.Contains(ids, id) || slices.Contains(ids, draft) || withIndicators {
		t.Errorf("standards usable by the district: %v", list)
	}
	if r := e.Do(t, "GET", "/v1/offices/"+tr.D2+"/standards", tr.D1Admin, nil); r.Code != 404 {
		t.Errorf("listing a sibling's standards: %d", r.Code)
	}
	// New versions and retirement.
	v2 := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/standards/"+id+":newVersion", tr.ProvAdmin, &standardsv1.NewStandardVersionRequest{})
	if v2.GetVersion() != 2 || v2.GetState() != standardsv1.StandardState_STANDARD_STATE_DRAFT || len(v2.GetIndicators()) != len(goodIndicators()) {
		t.Errorf("new version = %v", v2)
	}
	indicatorEdits(t, e, tr, v2.GetId(), v2.GetEtag(), id)
	if r := e.Do(t, "POST", "/v1/standards/"+id+":newVersion", tr.ProvAdmin, &standardsv1.NewStandardVersionRequest{}); r.Code != 409 {
		t.Errorf("a second draft version: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/offices/"+tr.Province+"/standards", tr.ProvAdmin, &standardsv1.Standard{Code: "ZJ-WMDW", DisplayName: "x"}); r.Code != 409 {
		t.Errorf("a second standard with the same code: %d", r.Code)
	}
	for _, c := range []struct {
		name, token, method, path string
		body                      proto.Message
	}{
		{"viewer creates a standard", tr.D1Viewer, "POST", "/v1/offices/" + tr.D1 + "/standards", &standardsv1.Standard{Code: "x", DisplayName: "x"}},
		{"unit admin creates a standard", tr.Unit1Admin, "POST", "/v1/offices/" + tr.D1 + "/standards", &standardsv1.Standard{Code: "x", DisplayName: "x"}},
		{"district retires the province's", tr.D1Admin, "POST", "/v1/standards/" + id + ":retire", &standardsv1.RetireStandardRequest{}},
	} {
		if r := e.Do(t, c.method, c.path, c.token, c.body); r.Code != 403 {
			t.Errorf("%s: %d", c.name, r.Code)
		}
	}
	return id
}

func standardIDs(l *standardsv1.ListStandardsResponse) []string {
	var ids []string
	for _, s := range l.GetStandards() {
		ids = append(ids, s.GetId())
	}
	return ids
}

func campaignIDs(l *standardsv1.ListCampaignsResponse) []string {
	var ids []string
	for _, c := range l.GetCampaigns() {
		ids = append(ids, c.GetId())
	}
	return ids
}

// Campaigns creates a district's campaign on the published standard std and moves it
// through its phases, checking its rules and who may act; it returns the campaign's id.
// It retires std at the end.
func Campaigns(t *testing.T, e *apptest.Env, tr *apptest.Tree, std string) string {
	// Whole seconds: the windows are compared as the API returns them.
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(now.Add(d)) }
	window := func(start, end time.Duration) *standardsv1.Window {
		return &standardsv1.Window{StartTime: at(start), EndTime: at(end)}
	}
	day := 24 * time.Hour
	body := func(mut func(c *standardsv1.Campaign)) *standardsv1.Campaign {
		c := &standardsv1.Campaign{
			StandardId: std, Year: 2026, TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT, DisplayName: "2026 年度西湖区文明单位测评",
			ApplicationWindow: window(-time.Hour, 10*day),
			SubmissionWindow:  window(day, 20*day),
			ReviewWindow:      window(21*day, 30*day),
			PublicityWindow:   window(31*day, 38*day),
			Quota:             &standardsv1.Quota{Limit: &standardsv1.Quota_Percent{Percent: 30}}, PassLine: "80.00",
			Eligibility: &standardsv1.Eligibility{LookbackMonths: 24},
		}
		if mut != nil {
			mut(c)
		}
		return c
	}
	path := "/v1/offices/" + tr.D1 + "/campaigns"
	for name, c := range map[string]struct {
		mut   func(c *standardsv1.Campaign)
		field string
	}{
		"wrong level":       {func(c *standardsv1.Campaign) { c.TargetLevel = standardsv1.TitleLevel_TITLE_LEVEL_MUNICIPAL }, "campaign.target_level"},
		"no quota":          {func(c *standardsv1.Campaign) { c.Quota = nil }, "campaign.quota"},
		"reversed window":   {func(c *standardsv1.Campaign) { c.ReviewWindow = window(30*day, 21*day) }, "campaign.review_window"},
		"review before end": {func(c *standardsv1.Campaign) { c.ReviewWindow = window(15*day, 30*day) }, "campaign.review_window"},
		"bad pass line":     {func(c *standardsv1.Campaign) { c.PassLine = "80.005" }, "campaign.pass_line"},
		"missing standard":  {func(c *standardsv1.Campaign) { c.StandardId = "nope" }, "campaign.standard_id"},
	} {
		r := e.Do(t, "POST", path, tr.D1Admin, body(c.mut))
		if r.Code != 400 || r.Field(t) != c.field {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
	}
	c := apptest.Call[*standardsv1.Campaign](t, e, "POST", path, tr.D1Admin, body(nil))
	id := c.GetId()
	if c.GetState() != standardsv1.CampaignState_CAMPAIGN_STATE_DRAFT || c.GetMaxResubmissions() != 1 || c.GetReviewersPerApplication() != 3 {
		t.Errorf("campaign = %v", c)
	}
	// A draft campaign stays with its office; the units below see it once it is open.
	if r := e.Do(t, "GET", "/v1/campaigns/"+id, tr.Unit1Submitter, nil); r.Code != 404 {
		t.Errorf("unit reading a draft campaign: %d", r.Code)
	}
	if r := e.Do(t, "GET", "/v1/campaigns/"+id, tr.CityAdmin, nil); r.Code != 404 {
		t.Errorf("city reading a district's draft campaign: %d", r.Code)
	}
	move := func(token string, req *standardsv1.TransitionCampaignRequest) apptest.Resp {
		return e.Do(t, "POST", "/v1/campaigns/"+id+":transition", token, req)
	}
	const (
		open       = standardsv1.CampaignState_CAMPAIGN_STATE_OPEN
		submission = standardsv1.CampaignState_CAMPAIGN_STATE_SUBMISSION
		review     = standardsv1.CampaignState_CAMPAIGN_STATE_REVIEW
	)
	apptest.Must(t, 200, move(tr.D1Admin, &standardsv1.TransitionCampaignRequest{To: open}))
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/campaigns/"+id, tr.Unit1Submitter, nil))
	if r := move(tr.D1Admin, &standardsv1.TransitionCampaignRequest{To: review}); r.Code != 400 || r.Reason(t) != "CAMPAIGN_WRONG_ORDER" {
		t.Errorf("skipping a phase: %d %s", r.Code, r.Raw)
	}
	if r := move(tr.D1Admin, &standardsv1.TransitionCampaignRequest{To: submission}); r.Code != 400 || r.Reason(t) != "CAMPAIGN_TOO_EARLY" {
		t.Errorf("before the submission window: %d %s", r.Code, r.Raw)
	}
	if r := move(tr.D1Admin, &standardsv1.TransitionCampaignRequest{To: submission, Force: true}); r.Code != 400 || r.Field(t) != "reason" {
		t.Errorf("force without a reason: %d %s", r.Code, r.Raw)
	}
	for _, c := range []struct{ name, token string }{{"viewer", tr.D1Viewer}, {"city admin", tr.CityAdmin}, {"unit admin", tr.Unit1Admin}} {
		if r := move(c.token, &standardsv1.TransitionCampaignRequest{To: submission, Force: true, Reason: "x"}); r.Code != 403 && r.Code != 404 {
			t.Errorf("%s moving the district's campaign: %d", c.name, r.Code)
		}
	}
	moved := apptest.Decode[*standardsv1.Campaign](t, apptest.Must(t, 200,
		move(tr.D1Admin, &standardsv1.TransitionCampaignRequest{To: submission, Force: true, Reason: "市文明办通知提前报送"})))
	if moved.GetState() != submission {
		t.Errorf("forced move = %v", moved)
	}
	// Updates: a deadline extension is allowed during SUBMISSION; eligibility is frozen.
	patch := func(token, mask, etag string, fields *standardsv1.Campaign) apptest.Resp {
		b := proto.Clone(fields).(*standardsv1.Campaign)
		b.Etag = etag
		return e.Do(t, "PATCH", "/v1/campaigns/"+id+"?updateMask="+mask, token, b)
	}
	ext := &standardsv1.Campaign{SubmissionWindow: window(day, 20*day+12*time.Hour)}
	if r := patch(tr.D1Admin, "submissionWindow", "999", ext); r.Code != 409 {
		t.Errorf("stale etag: %d", r.Code)
	}
	extended := apptest.Decode[*standardsv1.Campaign](t, apptest.Must(t, 200, patch(tr.D1Admin, "submissionWindow", moved.GetEtag(), ext)))
	if end := extended.GetSubmissionWindow().GetEndTime(); !end.AsTime().Equal(now.Add(20*day + 12*time.Hour)) {
		t.Errorf("extended deadline = %v", end)
	}
	if r := patch(tr.D1Admin, "eligibility", extended.GetEtag(), &standardsv1.Campaign{Eligibility: &standardsv1.Eligibility{LookbackMonths: 12}}); r.Code != 400 || r.Reason(t) != "CAMPAIGN_FIELD_FROZEN" {
		t.Errorf("eligibility during submission: %d %s", r.Code, r.Raw)
	}
	overlap := &standardsv1.Campaign{SubmissionWindow: window(day, 25*day)}
	if r := patch(tr.D1Admin, "submissionWindow", extended.GetEtag(), overlap); r.Code != 400 || r.Field(t) != "campaign.review_window" {
		t.Errorf("a deadline past the review window's start: %d %s", r.Code, r.Raw)
	}
	if r := patch(tr.D1Viewer, "displayName", extended.GetEtag(), &standardsv1.Campaign{DisplayName: "x"}); r.Code != 403 {
		t.Errorf("viewer update: %d", r.Code)
	}
	if r := patch(tr.Prov2Admin, "displayName", extended.GetEtag(), &standardsv1.Campaign{DisplayName: "x"}); r.Code != 404 {
		t.Errorf("other province update: %d", r.Code)
	}
	moved = apptest.Call[*standardsv1.Campaign](t, e, "GET", "/v1/campaigns/"+id, tr.D1Admin, nil)
	if moved.GetEtag() != extended.GetEtag() {
		t.Errorf("a refused update changed the campaign")
	}
	// The forced move and its reason are in the audit trail.
	trail := apptest.Call[*tenancyv1.ListAuditEventsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/audit-events?pageSize=500", tr.D1Admin, nil)
	found := false
	for _, ev := range trail.GetAuditEvents() {
		after, err := protojson.Marshal(ev.GetAfter())
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetAction() == "campaign.transition" && strings.Contains(string(after), "市文明办通知提前报送") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audited forced transition in %v", trail)
	}
	// Lists: the city sees the district's campaign in its subtree; filters apply.
	list := func(query string) []string {
		return campaignIDs(apptest.Call[*standardsv1.ListCampaignsResponse](t, e, "GET", "/v1/offices/"+tr.City+"/campaigns"+query, tr.CityAdmin, nil))
	}
	if sub := list("?subtree=true&year=2026"); !slices.Contains(sub, id) {
		t.Errorf("city subtree: %v", sub)
	}
	if own := list(""); slices.Contains(own, id) {
		t.Errorf("the city's own campaigns include the district's")
	}
	if other := list("?subtree=true&year=2025"); slices.Contains(other, id) {
		t.Errorf("year filter ignored")
	}
	for _, c := range []struct{ name, token string }{{"sibling district", tr.D2Admin}, {"other province", tr.Prov2Admin}, {"other unit", tr.Unit2Admin}} {
		if r := e.Do(t, "GET", "/v1/campaigns/"+id, c.token, nil); r.Code != 404 {
			t.Errorf("%s reading the campaign: %d", c.name, r.Code)
		}
		if r := e.Do(t, "GET", "/v1/offices/"+tr.D1+"/campaigns", c.token, nil); r.Code != 404 {
			t.Errorf("%s listing the district's campaigns: %d", c.name, r.Code)
		}
	}
	if r := e.Do(t, "POST", path, tr.D1Viewer, body(nil)); r.Code != 403 {
		t.Errorf("viewer creating a campaign: %d", r.Code)
	}
	if r := e.Do(t, "POST", "/v1/offices/"+tr.D2+"/campaigns", tr.D1Admin, body(nil)); r.Code != 404 {
		t.Errorf("creating a campaign in a sibling: %d", r.Code)
	}
	// A retired standard cannot be pinned by a new campaign.
	s := apptest.Call[*standardsv1.Standard](t, e, "GET", "/v1/standards/"+std, tr.ProvAdmin, nil)
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/standards/"+std+":retire", tr.ProvAdmin, &standardsv1.RetireStandardRequest{Etag: s.GetEtag()}))
	if r := e.Do(t, "POST", path, tr.D1Admin, body(nil)); r.Code != 400 || r.Field(t) != "campaign.standard_id" {
		t.Errorf("campaign on a retired standard: %d %s", r.Code, r.Raw)
	}
	return id
}

// CrossTenant calls every standards RPC on another province's objects (the standard
// Lifecycle published, and its draft new version; the campaign Campaigns created): all are
// 404, like missing ids, and nothing changes.
func CrossTenant(t *testing.T, e *apptest.Env, tr *apptest.Tree, published, campaign string) {
	list := apptest.Call[*standardsv1.ListStandardsResponse](t, e, "GET", "/v1/offices/"+tr.Province+"/standards?state=STANDARD_STATE_DRAFT", tr.ProvAdmin, nil)
	var draft string
	for _, s := range list.GetStandards() {
		if s.GetCode() == "ZJ-WMDW" {
			draft = s.GetId()
		}
	}
	if draft == "" {
		t.Fatalf("no draft version in %v", list)
	}
	before := apptest.Call[*standardsv1.Standard](t, e, "GET", "/v1/standards/"+draft, tr.ProvAdmin, nil)
	etag := before.GetEtag()
	calls := []struct {
		method, path string
		body         proto.Message // nil: none
	}{
		{"POST", "/v1/offices/" + tr.Province + "/standards", &standardsv1.Standard{Code: "X", DisplayName: "x"}},
		{"POST", "/v1/offices/" + tr.Province + "/standards:import", &standardsv1.ImportStandardRequest{
			Format: standardsv1.StandardFormat_STANDARD_FORMAT_YAML, Content: []byte("code: x\nname: y\nindicators: []\n"),
		}},
		{"GET", "/v1/offices/" + tr.Province + "/standards", nil},
		{"GET", "/v1/standards/" + draft, nil},
		{"GET", "/v1/standards/" + published, nil},
		{"PATCH", "/v1/standards/" + draft + "?updateMask=displayName", &standardsv1.Standard{DisplayName: "pwned", Etag: etag}},
		{"POST", "/v1/standards/" + draft + "/indicators?etag=" + etag, &standardsv1.Indicator{
			Code: "pwned", Title: "x", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "1.00",
		}},
		{"PATCH", "/v1/standards/" + draft + "/indicators/1?updateMask=title&etag=" + etag, &standardsv1.Indicator{Title: "pwned"}},
		{"DELETE", "/v1/standards/" + draft + "/indicators/1?cascade=true&etag=" + etag, nil},
		{"GET", "/v1/standards/" + draft + ":validate", nil},
		{"GET", "/v1/standards/" + draft + ":export", nil},
		{"POST", "/v1/standards/" + draft + ":publish", &standardsv1.PublishStandardRequest{}},
		{"POST", "/v1/standards/" + published + ":newVersion", &standardsv1.NewStandardVersionRequest{}},
		{"POST", "/v1/standards/" + published + ":retire", &standardsv1.RetireStandardRequest{}},
		{"GET", "/v1/campaigns/" + campaign, nil},
		{"GET", "/v1/offices/" + tr.D1 + "/campaigns", nil},
		{"POST", "/v1/campaigns/" + campaign + ":transition", &standardsv1.TransitionCampaignRequest{
			To: standardsv1.CampaignState_CAMPAIGN_STATE_REVIEW, Force: true, Reason: "x",
		}},
	}
	for _, who := range []struct{ name, token string }{{"other province", tr.Prov2Admin}} {
		for _, c := range calls {
			r := e.Do(t, c.method, c.path, who.token, c.body)
			if r.Code != 404 {
				t.Errorf("%s: %s %s = %d, want 404: %.200s", who.name, c.method, c.path, r.Code, r.Raw)
			}
		}
	}
	after := apptest.Call[*standardsv1.Standard](t, e, "GET", "/v1/standards/"+draft, tr.ProvAdmin, nil)
	if after.GetEtag() != before.GetEtag() || after.GetDisplayName() != before.GetDisplayName() {
		t.Errorf("the draft changed: %s → %s", before.GetEtag(), after.GetEtag())
	}
	c := apptest.Call[*standardsv1.Campaign](t, e, "GET", "/v1/campaigns/"+campaign, tr.D1Admin, nil)
	if c.GetState() != standardsv1.CampaignState_CAMPAIGN_STATE_SUBMISSION {
		t.Errorf("the campaign moved: %s", c.GetState())
	}
}

// ImportExport imports the example standard as YAML and round-trips it through XLSX,
// and checks the refusals of broken files and callers who may not import.
func ImportExport(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	raw := func(token, path, contentType string, body []byte) apptest.Resp {
		return e.Do(t, "POST", path, token, body, apptest.Header{"Content-Type": contentType})
	}
	get := func(path, token string) (int, string, []byte) {
		r := e.Do(t, "GET", path, token, nil)
		return r.Code, r.Header.Get("Content-Type"), r.Raw
	}
	imp := "/v1/offices/" + tr.City + "/standards:import"
	// The example standard, imported as YAML through the raw body.
	s := apptest.Decode[*standardsv1.Standard](t, apptest.Must(t, 200, raw(tr.CityAdmin, imp, "application/yaml", examples.Municipal)))
	id := s.GetId()
	if s.GetState() != standardsv1.StandardState_STANDARD_STATE_DRAFT || s.GetBasePoints() != "100.00" || len(s.GetIndicators()) < 40 {
		t.Fatalf("imported = %.300v", s)
	}
	code, ct, yml := get("/v1/standards/"+id+":export", tr.CityAdmin)
	if code != 200 || !strings.HasPrefix(ct, "application/yaml") || string(yml) != string(examples.Municipal) {
		t.Errorf("YAML export: %d %s, same as the file: %v", code, ct, string(yml) == string(examples.Municipal))
	}
	// XLSX: export, re-import under a new code, export again: the same standard.
	code, ct, xlsx := get("/v1/standards/"+id+":export?format=STANDARD_FORMAT_XLSX", tr.CityAdmin)
	if code != 200 || ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || len(xlsx) < 1000 {
		t.Fatalf("XLSX export: %d %s %d bytes", code, ct, len(xlsx))
	}
	// Importing the same code again is refused: a new version goes through :newVersion.
	if r := raw(tr.CityAdmin, imp, XLSXType, xlsx); r.Code != 409 {
		t.Errorf("re-import of the same code: %d %s", r.Code, r.Raw)
	}
	again := apptest.Decode[*standardsv1.Standard](t, apptest.Must(t, 200, raw(tr.D1Admin, "/v1/offices/"+tr.D1+"/standards:import", XLSXType, xlsx)))
	_, _, yml2 := get("/v1/standards/"+again.GetId()+":export", tr.D1Admin)
	if string(yml2) != string(examples.Municipal) {
		t.Errorf("YAML → XLSX → YAML is not the same:\n%s", yml2)
	}
	// A spreadsheet with mistakes imports nothing and names each by sheet, row and column.
	std, _ := standards.UnmarshalYAML(examples.Municipal)
	std.Code = "BROKEN"
	std.Indicators[2].Kind = 0
	std.Indicators[3].MaxPoints = "四分"
	std.Indicators[5].Floor = "99.00"
	broken, err := standards.MarshalXLSX(std)
	if err != nil {
		t.Fatal(err)
	}
	r := raw(tr.CityAdmin, imp, XLSXType, broken)
	msg := string(r.Raw)
	if r.Code != 400 || r.Reason(t) != "STANDARD_FILE_INVALID" || !strings.Contains(msg, "sheet 测评细则, row 4, column D (kind)") ||
		!strings.Contains(msg, "row 5, column E (max_points)") {
		t.Errorf("broken spreadsheet: %d %s", r.Code, msg)
	}
	list := apptest.Call[*standardsv1.ListStandardsResponse](t, e, "GET", "/v1/offices/"+tr.City+"/standards", tr.CityAdmin, nil)
	if slices.ContainsFunc(list.GetStandards(), func(s *standardsv1.Standard) bool { return s.GetCode() == "BROKEN" }) {
		t.Errorf("a refused import left a standard")
	}
	if r := raw(tr.CityAdmin, imp, "application/yaml", []byte("code: x\nname: y\nindicators: []\nquota: 3\n")); r.Code != 400 || !strings.Contains(string(r.Raw), "quota") {
		t.Errorf("YAML with an unknown key: %d %s", r.Code, r.Raw)
	}
	// Only admins import; every reader may export what it may read.
	if r := raw(tr.D1Viewer, "/v1/offices/"+tr.D1+"/standards:import", "application/yaml", examples.Municipal); r.Code != 403 {
		t.Errorf("viewer import: %d", r.Code)
	}
	if code, _, _ := get("/v1/standards/"+id+":export", tr.Prov2Admin); code != 404 {
		t.Errorf("other province exporting: %d", code)
	}
}

// XLSXType is the content type of the XLSX form of a standard.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// codes lists a standard's indicators as "parent>code" in stored order.
func codes(s *standardsv1.Standard) string {
	var out []string
	for _, in := range s.GetIndicators() {
		out = append(out, in.GetParentCode()+">"+in.GetCode())
	}
	return strings.Join(out, " ")
}

// indicatorEdits edits the indicators of the draft id (at etag) one at a time; published
// is a published standard, whose indicators cannot be edited.
func indicatorEdits(t *testing.T, e *apptest.Env, tr *apptest.Tree, id, etag, published string) {
	base := "/v1/standards/" + id + "/indicators"
	r := apptest.Call[*standardsv1.Standard](t, e, "POST", base+"?position=0&etag="+etag, tr.ProvAdmin, &standardsv1.Indicator{
		Code: "1.0", ParentCode: "1", Title: "新增指标", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, MaxPoints: "1.00",
	})
	if got := codes(r); !strings.HasPrefix(got, ">1 1>1.0 1>1.1") {
		t.Errorf("insert at position 0: %s", got)
	}
	if x := e.Do(t, "POST", base+"?etag="+etag, tr.ProvAdmin, &standardsv1.Indicator{Code: "x"}); x.Code != 409 {
		t.Errorf("stale etag: %d", x.Code)
	}
	if x := e.Do(t, "POST", base+"?etag="+r.GetEtag(), tr.ProvAdmin, &standardsv1.Indicator{Code: "1.1"}); x.Code != 409 || x.Reason(t) != "INDICATOR_CODE_TAKEN" {
		t.Errorf("duplicate code: %d %s", x.Code, x.Raw)
	}
	// Move 1.0 under 2 (to its end), then rename 2: its children follow.
	r = apptest.Call[*standardsv1.Standard](t, e, "PATCH", base+"/1.0?updateMask=parentCode&etag="+r.GetEtag(), tr.ProvAdmin, &standardsv1.Indicator{ParentCode: "2"})
	if got := codes(r); !strings.Contains(got, "2>2.1 2>1.0") {
		t.Errorf("move: %s", got)
	}
	r = apptest.Call[*standardsv1.Standard](t, e, "PATCH", base+"/2?updateMask=code,title&etag="+r.GetEtag(), tr.ProvAdmin, &standardsv1.Indicator{Code: "B", Title: "工作业绩好（新）"})
	if got := codes(r); !strings.Contains(got, ">B B>2.1 B>1.0") {
		t.Errorf("rename: %s", got)
	}
	if x := e.Do(t, "PATCH", base+"/B?updateMask=parentCode&etag="+r.GetEtag(), tr.ProvAdmin, &standardsv1.Indicator{ParentCode: "2.1"}); x.Code != 400 {
		t.Errorf("moving a group under its own child: %d %s", x.Code, x.Raw)
	}
	if x := e.Do(t, "DELETE", base+"/B?etag="+r.GetEtag(), tr.ProvAdmin, nil); x.Code != 400 || x.Reason(t) != "INDICATOR_HAS_CHILDREN" {
		t.Errorf("deleting a group with children: %d %s", x.Code, x.Raw)
	}
	r = apptest.Call[*standardsv1.Standard](t, e, "DELETE", base+"/B?cascade=true&etag="+r.GetEtag(), tr.ProvAdmin, nil)
	if got := codes(r); strings.Contains(got, "B") || strings.Contains(got, "2.1") || strings.Contains(got, "1.0") {
		t.Errorf("cascade delete: %s", got)
	}
	pub := apptest.Call[*standardsv1.Standard](t, e, "GET", "/v1/standards/"+published, tr.ProvAdmin, nil)
	if x := e.Do(t, "DELETE", "/v1/standards/"+published+"/indicators/1.1?etag="+pub.GetEtag(), tr.ProvAdmin, nil); x.Code != 400 || x.Reason(t) != "STANDARD_NOT_DRAFT" {
		t.Errorf("editing a published standard's indicator: %d %s", x.Code, x.Raw)
	}
	if x := e.Do(t, "DELETE", base+"/1.1?etag="+r.GetEtag(), tr.D1Admin, nil); x.Code != 404 {
		t.Errorf("a district editing the province's draft: %d", x.Code)
	}
	if x := e.Do(t, "DELETE", base+"/1.1?etag="+r.GetEtag(), tr.Prov2Admin, nil); x.Code != 404 {
		t.Errorf("another province editing the draft: %d", x.Code)
	}
}

// Idempotency retries creates with an Idempotency-Key: the first response comes back,
// nothing is created twice, and the key cannot be reused for another request.
func Idempotency(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	path := "/v1/offices/" + tr.D2 + "/units"
	other := tenancyv1.UnitCategory_UNIT_CATEGORY_OTHER
	body := &tenancyv1.Unit{DisplayName: "幂等测试单位", CreditCode: apptest.CreditCode("91330102MA2XDEMP1"), Category: other}
	key := apptest.Header{"Idempotency-Key": "create-unit-7f3a"}
	first := apptest.Call[*tenancyv1.Unit](t, e, "POST", path, tr.D2Admin, body, key)
	for range 3 {
		again := apptest.Call[*tenancyv1.Unit](t, e, "POST", path, tr.D2Admin, body, key)
		if again.GetId() != first.GetId() || !proto.Equal(again.GetCreateTime(), first.GetCreateTime()) {
			t.Fatalf("retry returned another unit: %v vs %v", again, first)
		}
	}
	list := apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", path+"?name=%E5%B9%82%E7%AD%89", tr.D2Admin, nil) // 幂等
	if n := len(list.GetUnits()); n != 1 {
		t.Errorf("%d units after retries, want 1", n)
	}
	another := &tenancyv1.Unit{DisplayName: "另一个单位", CreditCode: apptest.CreditCode("91330102MA2XDEMP2"), Category: other}
	if r := e.Do(t, "POST", path, tr.D2Admin, another, key); r.Code != 422 || r.Reason(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("same key, other request: %d %s", r.Code, r.Raw)
	}
	// Keys are per caller: another caller's same key is a new request of its own, never a
	// replay of someone else's response (here refused: a city admin does not create units
	// in a district).
	if r := e.Do(t, "POST", path, tr.CityAdmin, body, key); r.Code != 403 {
		t.Errorf("another caller with the same key: %d %s", r.Code, r.Raw)
	}
	// A failed create claims nothing: after fixing the request the same key works.
	bad := &tenancyv1.Unit{DisplayName: "x", CreditCode: "91330102MA2XDEMP00", Category: other}
	k2 := apptest.Header{"Idempotency-Key": "create-unit-bad"}
	if r := e.Do(t, "POST", path, tr.D2Admin, bad, k2); r.Code != 400 {
		t.Errorf("bad create: %d", r.Code)
	}
	if r := e.Do(t, "POST", path, tr.D2Admin, &tenancyv1.Unit{DisplayName: "x"}, apptest.Header{"Idempotency-Key": "bad key with spaces"}); r.Code != 400 {
		t.Errorf("malformed key: %d", r.Code)
	}
	// Concurrent retries: exactly one create, every success the same unit.
	race := &tenancyv1.Unit{DisplayName: "并发幂等单位", CreditCode: apptest.CreditCode("91330102MA2XDEMP3"), Category: other}
	var wg sync.WaitGroup
	results := make([]apptest.Resp, 8)
	for i := range results {
		wg.Go(func() {
			results[i] = e.Do(t, "POST", path, tr.D2Admin, race, apptest.Header{"Idempotency-Key": "race-1"})
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range results {
		switch r.Code {
		case 200:
			ids[apptest.Decode[*tenancyv1.Unit](t, r).GetId()] = true
		case 409:
			if r.Reason(t) != "IDEMPOTENCY_KEY_IN_USE" {
				t.Errorf("concurrent retry: %s", r.Raw)
			}
		default:
			t.Errorf("concurrent retry: %d %s", r.Code, r.Raw)
		}
	}
	list = apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", path+"?name=%E5%B9%B6%E5%8F%91", tr.D2Admin, nil) // 并发
	if n := len(list.GetUnits()); n != 1 || len(ids) > 1 {
		t.Errorf("concurrent retries made %d units, %d distinct answers", n, len(ids))
	}
	// A campaign, a standard import: the same guarantee.
	yml := []byte("code: IDEM\nname: 幂等\nindicators:\n  - code: \"1\"\n    title: t\n    kind: POINTS\n    max_points: \"1.00\"\n")
	k3 := apptest.Header{"Idempotency-Key": "import-1", "Content-Type": "application/yaml"}
	a := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/offices/"+tr.D2+"/standards:import", tr.D2Admin, yml, k3)
	b := apptest.Call[*standardsv1.Standard](t, e, "POST", "/v1/offices/"+tr.D2+"/standards:import", tr.D2Admin, yml, k3)
	if a.GetId() != b.GetId() {
		t.Errorf("import retried: %s vs %s", a.GetId(), b.GetId())
	}
}

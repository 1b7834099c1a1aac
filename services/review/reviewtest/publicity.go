package reviewtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
)

// Publicity takes Cycle's ranked campaign (U4 and U5 recommended) through publicity (公示),
// objections from the public and by phone, naming (命名), and the life of the title it
// names: a warning, rectification, restoration, a revocation proposed by a negative-list
// entry and confirmed. Run it last: it closes the campaign.
func Publicity(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture, clock *evidencetest.Clock) {
	pub := "/v1/public/campaigns/" + fx.Campaign + "/publicity"
	objections := "/v1/public/campaigns/" + fx.Campaign + "/objections"
	from := func(addr string) apptest.Header { return apptest.Header{"X-Forwarded-For": addr} }
	unknown := e.Do(t, "GET", "/v1/public/campaigns/"+uuid.NewString()+"/publicity", "", nil)
	if unknown.Code != 404 {
		t.Fatalf("an unknown campaign's publicity: %d %s", unknown.Code, unknown.Raw)
	}
	// Before PUBLICITY, and for a campaign in another phase (the city's is OPEN), the public
	// gets exactly what it gets for a campaign that does not exist.
	for _, path := range []string{pub, "/v1/public/campaigns/" + fx.Parent + "/publicity"} {
		if r := e.Do(t, "GET", path, "", nil); r.Code != 404 || !bytes.Equal(r.Raw, unknown.Raw) {
			t.Errorf("GET %s before publicity: %d %s", path, r.Code, r.Raw)
		}
	}
	early := &reviewv1.PublicObjection{UnitId: fx.Units["U4"], Content: "该单位去年发生安全事故"}
	if r := e.Do(t, "POST", objections, "", early, from("198.51.100.1")); r.Code != 404 {
		t.Errorf("an objection before publicity: %d %s", r.Code, r.Raw)
	}
	// The list is published with the ranks the ranking shows at the move.
	var wantRanks []int32
	for _, res := range apptest.Call[*reviewv1.ListRankingResponse](t, e, "GET", "/v1/campaigns/"+fx.Campaign+"/ranking", fx.Admin, nil).GetResults() {
		if res.GetUnitId() == fx.Units["U4"] || res.GetUnitId() == fx.Units["U5"] {
			wantRanks = append(wantRanks, res.GetRank())
		}
	}
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.Campaign+":transition", fx.Admin, &standardsv1.TransitionCampaignRequest{
		To: standardsv1.CampaignState_CAMPAIGN_STATE_PUBLICITY, Force: true, Reason: "测试：提前公示"}, nil); r.Code != 200 {
		t.Fatalf("moving to PUBLICITY: %d %s", r.Code, r.Raw)
	}

	// The list: U4 and U5, numbered 1 and 2, with the ranks they were published with, and
	// nothing else: no scores per indicator, no reviewers, no other unit.
	r := e.Do(t, "GET", pub, "", nil)
	list := apptest.Decode[*reviewv1.Publicity](t, apptest.Must(t, 200, r))
	lines := func(p *reviewv1.Publicity) (units []string, numbers, ranks []int32) {
		for _, l := range p.GetLines() {
			for name, id := range fx.Units {
				if l.GetUnitId() == id {
					units = append(units, name)
				}
			}
			numbers, ranks = append(numbers, l.GetNumber()), append(ranks, l.GetRank())
		}
		return
	}
	if units, numbers, ranks := lines(list); !slices.Equal(units, []string{"U4", "U5"}) || !slices.Equal(numbers, []int32{1, 2}) || !slices.Equal(ranks, wantRanks) {
		t.Errorf("the publicity list: %v numbers %v ranks %v", units, numbers, ranks)
	}
	if l := list.GetLines()[0]; l.GetTotal() != "55.50" || l.GetOfficeDisplayName() != "拱墅区文明办" || l.GetUnitCategory() == "" {
		t.Errorf("U4's line: %v", l)
	}
	var raw map[string]any
	if err := json.Unmarshal(r.Raw, &raw); err != nil {
		t.Fatal(err)
	}
	for _, line := range raw["lines"].([]any) {
		for k := range line.(map[string]any) {
			if !slices.Contains([]string{"number", "unitId", "unitDisplayName", "officeDisplayName", "unitCategory", "total", "rank"}, k) {
				t.Errorf("a public line carries %q", k)
			}
		}
	}
	for _, secret := range []string{fx.Units["U1"], fx.Units["U3"], fx.ReviewerIDs["r1"], fx.Apps["U4"], "explanation"} {
		if strings.Contains(string(r.Raw), secret) {
			t.Errorf("the public list shows %q", secret)
		}
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=60" || r.Header.Get("ETag") != list.GetEtag() || list.GetEtag() == "" {
		t.Errorf("caching headers: Cache-Control %q ETag %q (body %q)", cc, r.Header.Get("ETag"), list.GetEtag())
	}
	// A signed-in reader gets the same public answer, cacheable alike.
	if r := e.Do(t, "GET", pub, fx.Viewer, nil); r.Code != 200 || len(r.Header.Values("Cache-Control")) != 1 || r.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("the public list read with a token: %d, Cache-Control %q", r.Code, r.Header.Values("Cache-Control"))
	}
	if r := e.Do(t, "GET", pub, "", nil, apptest.Header{"If-None-Match": list.GetEtag()}); r.Code != 304 {
		t.Errorf("If-None-Match with the list's ETag: %d %s", r.Code, r.Raw)
	}

	// The public objects to U4; bad objections are refused and change nothing.
	receipt := apptest.Call[*reviewv1.ObjectionReceipt](t, e, "POST", objections, "",
		&reviewv1.PublicObjection{UnitId: fx.Units["U4"], Content: "该校存在有偿补课问题，群众反映强烈。", Name: "张先生", Contact: "13800000000"}, from("198.51.100.2"))
	if len(receipt.GetReference()) != 11 || receipt.GetReference()[5] != '-' {
		t.Errorf("the objection's reference: %q", receipt.GetReference())
	}
	for _, c := range []struct {
		name  string
		body  any
		field string
	}{
		{"content too long", &reviewv1.PublicObjection{UnitId: fx.Units["U4"], Content: strings.Repeat("异", 2001)}, "objection.content"},
		{"no content", &reviewv1.PublicObjection{UnitId: fx.Units["U4"], Content: "  "}, "objection.content"},
		{"a unit not on the list", &reviewv1.PublicObjection{UnitId: fx.Units["U1"], Content: "x"}, "objection.unit_id"},
		{"an unknown unit", &reviewv1.PublicObjection{UnitId: uuid.NewString(), Content: "x"}, "objection.unit_id"},
		{"a control character", &reviewv1.PublicObjection{UnitId: fx.Units["U4"], Content: "a\x00b"}, "objection.content"},
		{"malformed JSON", `{"unitId": `, ""},
		{"an unknown field", `{"unitId": "` + fx.Units["U4"] + `", "content": "x", "contactEmail": "a@b"}`, ""},
	} {
		r := e.Do(t, "POST", objections, "", c.body, from("198.51.100.3"))
		if r.Code != 400 || c.field != "" && r.Field(t) != c.field {
			t.Errorf("%s: %d %s", c.name, r.Code, r.Raw)
		}
	}

	// Staff record a call about U5; only the campaign office's admins and reviewers may.
	phone := &reviewv1.Objection{UnitId: fx.Units["U5"], Channel: reviewv1.ObjectionChannel_OBJECTION_CHANNEL_PHONE,
		Content: "来电反映该校食堂发生食物中毒事件", Name: "李女士", Contact: "0571-88888888"}
	for who, tok := range map[string]string{"the district's viewer": fx.Viewer, "the city": tr.CityAdmin, "a unit": fx.UnitTokens["U5"]} {
		if r := e.Do(t, "POST", "/v1/campaigns/"+fx.Campaign+"/objections", tok, phone); r.Code != 403 {
			t.Errorf("%s recording an objection: %d %s", who, r.Code, r.Raw)
		}
	}
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.Campaign+"/objections", tr.D2Admin, phone); r.Code != 404 {
		t.Errorf("a sibling district recording an objection: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.Campaign+"/objections", fx.Admin,
		&reviewv1.Objection{UnitId: fx.Units["U5"], Channel: reviewv1.ObjectionChannel_OBJECTION_CHANNEL_PUBLIC_FORM, Content: "x"}); r.Code != 400 || r.Field(t) != "objection.channel" {
		t.Errorf("staff recording a public-form objection: %d %s", r.Code, r.Raw)
	}
	called := apptest.Call[*reviewv1.Objection](t, e, "POST", "/v1/campaigns/"+fx.Campaign+"/objections", fx.Reviewers["r1"], phone)
	if called.GetState() != reviewv1.ObjectionState_OBJECTION_STATE_RECEIVED || called.GetRecordedBy() == "" || called.GetContact() != "" {
		t.Errorf("the recorded call, as its reviewer sees it: %v", called)
	}

	// The office's admins see the objectors' contacts; the city and the viewer see the
	// objections without them; nobody else sees them at all.
	listed := func(token string) []*reviewv1.Objection {
		return apptest.Call[*reviewv1.ListObjectionsResponse](t, e, "GET", "/v1/campaigns/"+fx.Campaign+"/objections", token, nil).GetObjections()
	}
	all := listed(fx.Admin)
	if len(all) != 2 || all[0].GetContact() != "13800000000" || all[0].GetReference() != receipt.GetReference() ||
		all[0].GetChannel() != reviewv1.ObjectionChannel_OBJECTION_CHANNEL_PUBLIC_FORM || all[1].GetContact() != "0571-88888888" {
		t.Fatalf("the admin's list: %v", all)
	}
	for who, tok := range map[string]string{"the viewer": fx.Viewer, "the city": tr.CityAdmin, "the province": tr.ProvAdmin} {
		os := listed(tok)
		if len(os) != 2 || os[0].GetContact() != "" || os[1].GetContact() != "" || os[0].GetContent() == "" {
			t.Errorf("%s's list: %v", who, os)
		}
		if r := e.Do(t, "GET", "/v1/objections/"+all[0].GetId(), tok, nil); r.Code != 200 || strings.Contains(string(r.Raw), "13800000000") {
			t.Errorf("%s reading an objection: %d %s", who, r.Code, r.Raw)
		}
	}
	for who, tok := range map[string]string{"a sibling district": tr.D2Admin, "another province": tr.Prov2Admin,
		"the unit objected to": fx.UnitTokens["U4"], "a reviewer of another office": fx.D2Reviewer} {
		for _, path := range []string{"/v1/campaigns/" + fx.Campaign + "/objections", "/v1/objections/" + all[0].GetId(),
			"/v1/campaigns/" + fx.Campaign + "/naming:export"} {
			if r := e.Do(t, "GET", path, tok, nil); r.Code != 404 && r.Code != 403 {
				t.Errorf("%s reading %s: %d %.300s", who, path, r.Code, r.Raw)
			}
		}
	}
	if pending := apptest.Call[*reviewv1.ListObjectionsResponse](t, e, "GET", "/v1/campaigns/"+fx.Campaign+"/objections?state=OBJECTION_STATE_RECEIVED&pageSize=1", fx.Admin, nil); len(pending.GetObjections()) != 1 || pending.GetNextPageToken() == "" {
		t.Errorf("the first page of pending objections: %v", pending)
	}

	// Closing waits for every objection.
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.Campaign+":transition", fx.Admin, &standardsv1.TransitionCampaignRequest{
		To: standardsv1.CampaignState_CAMPAIGN_STATE_CLOSED, Force: true, Reason: "测试", DocumentNumber: "拱文明委〔2026〕1号"}); r.Code != 400 || r.Reason(t) != "OBJECTIONS_PENDING" {
		t.Errorf("closing with objections pending: %d %s", r.Code, r.Raw)
	}

	// The objection to U4 is resolved; the call about U5 is upheld: U5 leaves the list, U4
	// keeps number 1, and U5's application in the city's campaign is withdrawn.
	decide := func(token string, o *reviewv1.Objection, outcome reviewv1.ObjectionState, finding string) apptest.Resp {
		return e.Do(t, "POST", "/v1/objections/"+o.GetId()+":decide", token,
			&reviewv1.DecideObjectionRequest{Outcome: outcome, Finding: finding, Etag: o.GetEtag()})
	}
	for who, tok := range map[string]string{"the viewer": fx.Viewer, "the city": tr.CityAdmin, "a reviewer": fx.Reviewers["r1"]} {
		if r := decide(tok, all[1], reviewv1.ObjectionState_OBJECTION_STATE_UPHELD, "x"); r.Code != 403 {
			t.Errorf("%s deciding: %d %s", who, r.Code, r.Raw)
		}
	}
	if r := decide(tr.D2Admin, all[1], reviewv1.ObjectionState_OBJECTION_STATE_UPHELD, "x"); r.Code != 404 {
		t.Errorf("a sibling district deciding: %d %s", r.Code, r.Raw)
	}
	if r := decide(fx.Admin, all[1], reviewv1.ObjectionState_OBJECTION_STATE_RECEIVED, "x"); r.Code != 400 || r.Field(t) != "outcome" {
		t.Errorf("deciding without an outcome: %d %s", r.Code, r.Raw)
	}
	apptest.Must(t, 200, decide(fx.Admin, all[0], reviewv1.ObjectionState_OBJECTION_STATE_RESOLVED, "经核查，有偿补课问题系个别教师行为，已于 2025 年整改。"))
	upheld := apptest.Decode[*reviewv1.Objection](t, apptest.Must(t, 200,
		decide(fx.Admin, all[1], reviewv1.ObjectionState_OBJECTION_STATE_UPHELD, "经卫生部门核实，食物中毒事件属实。")))
	if upheld.GetState() != reviewv1.ObjectionState_OBJECTION_STATE_UPHELD || upheld.GetHandledBy() == "" || upheld.GetHandleTime() == nil {
		t.Errorf("the upheld objection: %v", upheld)
	}
	if r := decide(fx.Admin, upheld, reviewv1.ObjectionState_OBJECTION_STATE_RESOLVED, "x"); r.Code != 400 || r.Reason(t) != "OBJECTION_DECIDED" {
		t.Errorf("deciding twice: %d %s", r.Code, r.Raw)
	}
	after := apptest.Call[*reviewv1.Publicity](t, e, "GET", pub, "", nil)
	if units, numbers, ranks := lines(after); !slices.Equal(units, []string{"U4"}) || !slices.Equal(numbers, []int32{1}) || !slices.Equal(ranks, wantRanks[:1]) || after.GetEtag() == list.GetEtag() {
		t.Errorf("the list after the upheld objection: %v %v %v", units, numbers, ranks)
	}
	if a := apptest.Call[*evidencev1.Application](t, e, "GET", "/v1/applications/"+fx.Apps["U5"], fx.Admin, nil); a.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_NOT_RECOMMENDED {
		t.Errorf("U5 after the upheld objection: %v", a.GetState())
	}
	for _, a := range apptest.Call[*evidencev1.ListApplicationsResponse](t, e, "GET", "/v1/campaigns/"+fx.Parent+"/applications", tr.CityAdmin, nil).GetApplications() {
		want := evidencev1.ApplicationState_APPLICATION_STATE_SUBMITTED
		if a.GetSourceApplicationId() == fx.Apps["U5"] {
			want = evidencev1.ApplicationState_APPLICATION_STATE_WITHDRAWN
		}
		if a.GetState() != want {
			t.Errorf("the city's application from %s: %v, want %v", a.GetSourceApplicationId(), a.GetState(), want)
		}
	}

	// A flood: the sixth objection from one address within the hour is refused.
	for i := range 6 {
		r := e.Do(t, "POST", objections, "", &reviewv1.PublicObjection{UnitId: fx.Units["U4"], Content: "重复提交 " + strconv.Itoa(i)}, from("203.0.113.9"))
		if i < 5 && r.Code != 200 || i == 5 && (r.Code != 429 || r.Reason(t) != "RATE_LIMITED" || r.Header.Get("Retry-After") == "") {
			t.Errorf("objection %d from one address: %d %s", i+1, r.Code, r.Raw)
		}
	}
	// Rotating through the /64s of one IPv6 /48 buys 20 requests an hour, not 65 536 × 5.
	for i := range 21 {
		r := e.Do(t, "POST", objections, "", &reviewv1.PublicObjection{UnitId: fx.Units["U1"], Content: "探测"},
			from(fmt.Sprintf("2001:db8:77:%x::1", i)))
		if i < 20 && r.Code != 400 || i == 20 && r.Code != 429 {
			t.Errorf("request %d from one /48: %d %s", i+1, r.Code, r.Raw)
		}
	}
	// The flood is resolved in one decision; one already decided in the batch refuses it all.
	var flood []string
	for _, o := range listed(fx.Admin) {
		if o.GetState() == reviewv1.ObjectionState_OBJECTION_STATE_RECEIVED {
			flood = append(flood, o.GetId())
		}
	}
	bulk := func(token string, ids []string) apptest.Resp {
		return e.Do(t, "POST", "/v1/campaigns/"+fx.Campaign+"/objections:decide", token, &reviewv1.DecideObjectionsRequest{
			ObjectionIds: ids, Outcome: reviewv1.ObjectionState_OBJECTION_STATE_RESOLVED, Finding: "重复异议，已合并处理"})
	}
	if r := bulk(fx.Admin, append(slices.Clone(flood), upheld.GetId())); r.Code != 400 || r.Field(t) != fmt.Sprintf("objection_ids[%d]", len(flood)) {
		t.Errorf("a batch with a decided objection: %d %s", r.Code, r.Raw)
	}
	if n := len(flood); n != 5 || len(apptest.Call[*reviewv1.ListObjectionsResponse](t, e, "GET",
		"/v1/campaigns/"+fx.Campaign+"/objections?state=OBJECTION_STATE_RECEIVED", fx.Admin, nil).GetObjections()) != n {
		t.Errorf("a refused batch decided something (%d pending before)", n)
	}
	for who, c := range map[string]struct {
		token string
		code  int
	}{"the viewer": {fx.Viewer, 403}, "the city": {tr.CityAdmin, 403}, "a sibling district": {tr.D2Admin, 404}, "a unit": {fx.UnitTokens["U4"], 403}} {
		if r := bulk(c.token, flood); r.Code != c.code {
			t.Errorf("%s deciding in bulk: %d %s", who, r.Code, r.Raw)
		}
	}
	if got := apptest.Call[*reviewv1.DecideObjectionsResponse](t, e, "POST", "/v1/campaigns/"+fx.Campaign+"/objections:decide", fx.Admin,
		&reviewv1.DecideObjectionsRequest{ObjectionIds: flood, Outcome: reviewv1.ObjectionState_OBJECTION_STATE_RESOLVED, Finding: "重复异议，已合并处理"}); len(got.GetObjections()) != len(flood) {
		t.Errorf("the batch decided %d of %d", len(got.GetObjections()), len(flood))
	}

	// The naming list, drafted during publicity, without a document number yet.
	f, err := excelize.OpenReader(bytes.NewReader(apptest.Must(t, 200, e.Do(t, "GET", "/v1/campaigns/"+fx.Campaign+"/naming:export", fx.Viewer, nil)).Raw))
	if err != nil {
		t.Fatal(err)
	}
	if rows := sheetRows(t, f, "命名名单"); len(rows) != 2 || rows[1][0] != "1" || !strings.Contains(rows[1][1], "U4") || rows[1][6] != "区县级" {
		t.Errorf("the draft naming list: %v", rows)
	}

	// Closing names U4: its application is NAMED and it holds a district title for three
	// years under the document's number.
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.Campaign+":transition", fx.Admin, &standardsv1.TransitionCampaignRequest{
		To: standardsv1.CampaignState_CAMPAIGN_STATE_CLOSED, Force: true, Reason: "测试"}); r.Code != 400 || r.Field(t) != "document_number" {
		t.Errorf("closing without a document number: %d %s", r.Code, r.Raw)
	}
	apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+fx.Campaign+":transition", fx.Admin, &standardsv1.TransitionCampaignRequest{
		To: standardsv1.CampaignState_CAMPAIGN_STATE_CLOSED, Force: true, Reason: "测试：提前命名", DocumentNumber: "拱文明委〔2026〕1号"})
	if r := e.Do(t, "GET", pub, "", nil); r.Code != 404 || !bytes.Equal(r.Raw, unknown.Raw) {
		t.Errorf("the publicity list after closing: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", objections, "", early, from("198.51.100.4")); r.Code != 404 {
		t.Errorf("an objection after closing: %d %s", r.Code, r.Raw)
	}
	for name, want := range map[string]evidencev1.ApplicationState{"U4": evidencev1.ApplicationState_APPLICATION_STATE_NAMED,
		"U5": evidencev1.ApplicationState_APPLICATION_STATE_NOT_RECOMMENDED, "U1": evidencev1.ApplicationState_APPLICATION_STATE_NOT_RECOMMENDED} {
		if a := apptest.Call[*evidencev1.Application](t, e, "GET", "/v1/applications/"+fx.Apps[name], fx.Admin, nil); a.GetState() != want {
			t.Errorf("%s after closing: %v, want %v", name, a.GetState(), want)
		}
	}
	titlesOf := func(unit, token string) []*tenancyv1.TitleRecord {
		return apptest.Call[*tenancyv1.ListTitlesResponse](t, e, "GET", "/v1/units/"+fx.Units[unit]+"/titles", token, nil).GetTitles()
	}
	named := titlesOf("U4", fx.UnitTokens["U4"])
	if len(named) != 1 {
		t.Fatalf("U4's titles: %v", named)
	}
	title := named[0]
	if title.GetSource() != tenancyv1.TitleSource_TITLE_SOURCE_NAMED || title.GetLevel() != tenancyv1.Level_LEVEL_DISTRICT || !title.GetCurrent() ||
		!title.GetInForce() || title.GetDocumentNumber() != "拱文明委〔2026〕1号" || title.GetCampaignId() != fx.Campaign ||
		title.GetTermEnd().AsTime().Sub(title.GetTermStart().AsTime()) < 3*365*24*time.Hour || title.GetOfficeId() != fx.Office {
		t.Errorf("U4's title: %v", title)
	}
	if len(titlesOf("U5", fx.Admin)) != 0 {
		t.Error("U5, taken off the list, was named")
	}
	f, err = excelize.OpenReader(bytes.NewReader(apptest.Must(t, 200, e.Do(t, "GET", "/v1/campaigns/"+fx.Campaign+"/naming:export", fx.Admin, nil)).Raw))
	if err != nil {
		t.Fatal(err)
	}
	if rows := sheetRows(t, f, "命名名单"); len(rows) != 2 || rows[1][10] != "拱文明委〔2026〕1号" || rows[1][8] == "" {
		t.Errorf("the naming list: %v", rows)
	}

	titleLife(t, e, tr, fx, title, titlesOf)
}

// titleLife moves U4's new title: warned, rectifying, restored; then a disqualifying
// negative-list entry proposes its revocation, which is confirmed, and U4 may no longer
// apply where a district title is required. Dismissal and annulment withdraw proposals.
func titleLife(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture, title *tenancyv1.TitleRecord,
	titlesOf func(unit, token string) []*tenancyv1.TitleRecord) {
	move := func(token string, to tenancyv1.TitleState, etag string, edit func(*tenancyv1.TransitionTitleRequest)) apptest.Resp {
		req := &tenancyv1.TransitionTitleRequest{To: to, Reason: "复查发现问题", DocumentNumber: "拱文明委〔2027〕2号", Etag: etag}
		if to == tenancyv1.TitleState_TITLE_STATE_WARNED {
			req.RectificationDeadline = timestamppb.New(time.Now().Add(90 * 24 * time.Hour))
		}
		if edit != nil {
			edit(req)
		}
		return e.Do(t, "POST", "/v1/titles/"+title.GetId()+":transition", token, req)
	}
	warn := tenancyv1.TitleState_TITLE_STATE_WARNED
	for _, c := range []struct {
		name, token string
		code        int
	}{
		{"the unit", fx.UnitTokens["U4"], 403}, {"the district's viewer", fx.Viewer, 403}, {"a reviewer", fx.Reviewers["r1"], 403},
		{"a sibling district", tr.D2Admin, 404}, {"another province", tr.Prov2Admin, 404},
	} {
		if r := move(c.token, warn, "", nil); r.Code != c.code {
			t.Errorf("%s warning the title: %d %s", c.name, r.Code, r.Raw)
		}
	}
	for _, c := range []struct {
		name, field string
		edit        func(*tenancyv1.TransitionTitleRequest)
	}{
		{"no deadline", "rectification_deadline", func(r *tenancyv1.TransitionTitleRequest) { r.RectificationDeadline = nil }},
		{"a past deadline", "rectification_deadline", func(r *tenancyv1.TransitionTitleRequest) {
			r.RectificationDeadline = timestamppb.New(time.Now().Add(-time.Hour))
		}},
		{"no reason", "reason", func(r *tenancyv1.TransitionTitleRequest) { r.Reason = " " }},
		{"no document", "document_number", func(r *tenancyv1.TransitionTitleRequest) { r.DocumentNumber = "" }},
	} {
		if r := move(fx.Admin, warn, "", c.edit); r.Code != 400 || r.Field(t) != c.field {
			t.Errorf("warning with %s: %d %s", c.name, r.Code, r.Raw)
		}
	}
	if r := move(fx.Admin, tenancyv1.TitleState_TITLE_STATE_RESTORED, "", nil); r.Code != 400 || r.Reason(t) != "TITLE_WRONG_STATE" {
		t.Errorf("restoring a named title: %d %s", r.Code, r.Raw)
	}
	if r := move(fx.Admin, tenancyv1.TitleState_TITLE_STATE_REVOKED, "", nil); r.Code != 400 || r.Field(t) != "negative_list_entry_id" {
		t.Errorf("revoking a named title without an entry: %d %s", r.Code, r.Raw)
	}
	if r := move(fx.Admin, warn, "999", nil); r.Code != 409 {
		t.Errorf("a stale etag: %d %s", r.Code, r.Raw)
	}
	unitTitle := func() *tenancyv1.Title {
		return apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+fx.Units["U4"], fx.Admin, nil).GetTitle()
	}
	// The city, above the naming district, warns; the district follows the rectification.
	warned := apptest.Decode[*tenancyv1.TitleRecord](t, apptest.Must(t, 200, move(tr.CityAdmin, warn, title.GetEtag(), nil)))
	if u := unitTitle(); u.GetState() != warn || !u.GetInForce() || warned.GetRectificationDeadline() == nil {
		t.Errorf("after the warning: unit title %v, record %v", u, warned)
	}
	rect := apptest.Decode[*tenancyv1.TitleRecord](t, apptest.Must(t, 200, move(fx.Admin, tenancyv1.TitleState_TITLE_STATE_RECTIFYING, "", nil)))
	if u := unitTitle(); u.GetState() != tenancyv1.TitleState_TITLE_STATE_RECTIFYING || u.GetInForce() || rect.GetRectificationDeadline() == nil {
		t.Errorf("while rectifying: unit title %v, record %v", u, rect)
	}
	apptest.Must(t, 200, move(fx.Admin, tenancyv1.TitleState_TITLE_STATE_RESTORED, rect.GetEtag(), nil))
	if u := unitTitle(); u.GetState() != tenancyv1.TitleState_TITLE_STATE_RESTORED || !u.GetInForce() {
		t.Errorf("after restoration: %v", u)
	}

	// U4 holds a district title in force: it may apply to a city campaign that requires one.
	std := apptest.Call[*standardsv1.Campaign](t, e, "GET", "/v1/campaigns/"+fx.Parent, tr.CityAdmin, nil)
	cityCampaign := func(name string) string {
		in := &standardsv1.Campaign{StandardId: std.GetStandardId(), Year: fx.Year + 1, TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_MUNICIPAL,
			DisplayName: name, ApplicationWindow: std.GetApplicationWindow(), SubmissionWindow: std.GetSubmissionWindow(),
			ReviewWindow: std.GetReviewWindow(), PublicityWindow: std.GetPublicityWindow(), Quota: std.GetQuota()}
		c := apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/offices/"+tr.City+"/campaigns", tr.CityAdmin, in)
		apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+c.GetId()+":transition", tr.CityAdmin,
			&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_OPEN, Force: true, Reason: "测试"})
		return c.GetId()
	}
	apply := func(campaign string) apptest.Resp {
		return e.Do(t, "POST", "/v1/campaigns/"+campaign+"/applications", fx.UnitTokens["U4"], &evidencev1.Application{UnitId: fx.Units["U4"]})
	}
	apptest.Must(t, 200, apply(cityCampaign("2027 年度市级文明单位测评（甲）")))

	// A disqualifying entry proposes revoking the title; an admin confirms it.
	entry := apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/units/"+fx.Units["U4"]+"/negative-list-entries", fx.Admin, &tenancyv1.NegativeListEntry{
		Category: tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_CRIMINAL_CASE, Description: "职工发生刑事案件",
		OccurredOn: time.Now().In(evidencetest.Shanghai).Format(time.DateOnly), Effect: tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DISQUALIFY,
		SourceDocument: "拱公〔2026〕8号",
	})
	proposed := titlesOf("U4", fx.Admin)[0]
	if proposed.GetProposedRevocationEntryId() != entry.GetId() || proposed.GetState() != tenancyv1.TitleState_TITLE_STATE_RESTORED {
		t.Errorf("the title after a disqualifying entry: %v", proposed)
	}
	revoked := apptest.Decode[*tenancyv1.TitleRecord](t, apptest.Must(t, 200, move(fx.Admin, tenancyv1.TitleState_TITLE_STATE_REVOKED, proposed.GetEtag(),
		func(r *tenancyv1.TransitionTitleRequest) { r.NegativeListEntryId = entry.GetId() })))
	if revoked.GetState() != tenancyv1.TitleState_TITLE_STATE_REVOKED || revoked.GetInForce() || revoked.GetProposedRevocationEntryId() != "" {
		t.Errorf("the revoked title: %v", revoked)
	}
	var states []string
	for _, m := range revoked.GetHistory() {
		states = append(states, strings.TrimPrefix(m.GetState().String(), "TITLE_STATE_"))
	}
	if want := []string{"NAMED", "WARNED", "RECTIFYING", "RESTORED", "RESTORED", "REVOKED"}; !slices.Equal(states, want) {
		t.Errorf("the title's history: %v, want %v", states, want)
	}
	if last := revoked.GetHistory()[len(revoked.GetHistory())-1]; last.GetNegativeListEntryId() != entry.GetId() || last.GetDocumentNumber() == "" || last.GetActor() == "" {
		t.Errorf("the revocation's history entry: %v", last)
	}
	if r := move(fx.Admin, tenancyv1.TitleState_TITLE_STATE_RESTORED, "", nil); r.Code != 400 || r.Reason(t) != "TITLE_WRONG_STATE" {
		t.Errorf("moving a revoked title: %d %s", r.Code, r.Raw)
	}
	if u := unitTitle(); u.GetState() != tenancyv1.TitleState_TITLE_STATE_REVOKED || u.GetInForce() {
		t.Errorf("the unit's title after revocation: %v", u)
	}
	if r := apply(cityCampaign("2027 年度市级文明单位测评（乙）")); r.Code != 400 || r.Reason(t) != "TITLE_REQUIRED" {
		t.Errorf("a unit whose title was revoked applying: %d %s", r.Code, r.Raw)
	}

	// U1's recorded title: a proposal dismissed, another withdrawn by annulling its entry.
	u1 := apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", "/v1/units/"+fx.Units["U1"]+"/titles", fx.Admin, &tenancyv1.TitleRecord{
		Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: timestamppb.New(time.Now().AddDate(-1, 0, 0)), DocumentNumber: "拱文明委〔2025〕3号"})
	disqualify := func(what string) *tenancyv1.NegativeListEntry {
		return apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/units/"+fx.Units["U1"]+"/negative-list-entries", fx.Admin, &tenancyv1.NegativeListEntry{
			Category: tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_OTHER, Description: what,
			OccurredOn: time.Now().In(evidencetest.Shanghai).Format(time.DateOnly), Effect: tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DISQUALIFY, SourceDocument: "拱文明办〔2026〕4号",
		})
	}
	first := disqualify("举报待核实")
	dismiss := func(token string) apptest.Resp {
		return e.Do(t, "POST", "/v1/titles/"+u1.GetId()+":dismissRevocation", token, &tenancyv1.DismissTitleRevocationRequest{Reason: "经核实不影响称号"})
	}
	if r := dismiss(fx.Viewer); r.Code != 403 {
		t.Errorf("a viewer dismissing: %d %s", r.Code, r.Raw)
	}
	if r := dismiss(tr.D2Admin); r.Code != 404 {
		t.Errorf("a sibling district dismissing: %d %s", r.Code, r.Raw)
	}
	kept := apptest.Decode[*tenancyv1.TitleRecord](t, apptest.Must(t, 200, dismiss(fx.Admin)))
	if kept.GetProposedRevocationEntryId() != "" || kept.GetState() != tenancyv1.TitleState_TITLE_STATE_NAMED || !kept.GetInForce() {
		t.Errorf("after dismissing %s: %v", first.GetId(), kept)
	}
	if r := dismiss(fx.Admin); r.Code != 400 || r.Reason(t) != "NO_REVOCATION_PROPOSED" {
		t.Errorf("dismissing twice: %d %s", r.Code, r.Raw)
	}
	second := disqualify("另一起举报")
	if got := titlesOf("U1", fx.Admin)[0].GetProposedRevocationEntryId(); got != second.GetId() {
		t.Errorf("the second entry's proposal: %q", got)
	}
	apptest.Call[*tenancyv1.NegativeListEntry](t, e, "POST", "/v1/negative-list-entries/"+second.GetId()+":annul", fx.Admin,
		&tenancyv1.AnnulNegativeListEntryRequest{Reason: "举报不实"})
	if got := titlesOf("U1", fx.Admin)[0]; got.GetProposedRevocationEntryId() != "" || got.GetState() != tenancyv1.TitleState_TITLE_STATE_NAMED {
		t.Errorf("after annulling the entry: %v", got)
	}

	// A title whose term has ended is not moved, and is not in force.
	old := apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", "/v1/units/"+fx.Units["U3"]+"/titles", fx.Admin, &tenancyv1.TitleRecord{
		Level: tenancyv1.Level_LEVEL_DISTRICT, TermStart: timestamppb.New(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)),
		TermEnd: timestamppb.New(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)), DocumentNumber: "拱文明委〔2020〕1号"})
	if old.GetInForce() {
		t.Error("an expired title is in force")
	}
	if r := e.Do(t, "POST", "/v1/titles/"+old.GetId()+":transition", fx.Admin, &tenancyv1.TransitionTitleRequest{
		To: warn, Reason: "x", DocumentNumber: "y", RectificationDeadline: timestamppb.New(time.Now().Add(time.Hour))}); r.Code != 400 || r.Reason(t) != "TITLE_TERM_ENDED" {
		t.Errorf("warning an expired title: %d %s", r.Code, r.Raw)
	}
}

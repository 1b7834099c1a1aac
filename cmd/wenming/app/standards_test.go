package app_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/standards"
	"github.com/wenming-platform/wenming/services/standards/examples"
)

// TestStandards runs the standards service through the REST gateway on every store.
func TestStandards(t *testing.T) {
	for _, kind := range []storetest.Kind{storetest.SQLite, storetest.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			e := start(t, kind)
			tr := e.buildTree()
			var std, camp string
			t.Run("standards", func(t *testing.T) { std = testStandardLifecycle(t, e, tr) })
			t.Run("campaigns", func(t *testing.T) { camp = testCampaigns(t, e, tr, std) })
			t.Run("cross-tenant", func(t *testing.T) { testStandardsCrossTenant(t, e, tr, std, camp) })
			t.Run("idempotency", func(t *testing.T) { testIdempotency(t, e, tr) })
			t.Run("import-export", func(t *testing.T) { testImportExport(t, e, tr) })
		})
	}
}

func problems(r resp) map[string]string {
	out := map[string]string{}
	list, _ := r.Body["problems"].([]any)
	for _, p := range list {
		m := p.(map[string]any)
		code, _ := m["indicatorCode"].(string)
		field, _ := m["field"].(string)
		out[code+" "+field] = m["message"].(string)
	}
	return out
}

var goodIndicators = []map[string]any{
	{"code": "1", "title": "领导班子好", "kind": "INDICATOR_KIND_GROUP", "maxPoints": "6.00"},
	{"code": "1.1", "parentCode": "1", "title": "理论学习", "kind": "INDICATOR_KIND_POINTS", "maxPoints": "3.00", "method": "ASSESSMENT_METHOD_MATERIAL",
		"guidance": "查阅中心组学习记录", "evidenceSpec": map[string]any{"fileTypes": []string{"pdf", "jpg"}, "minFiles": 1, "cadence": "CADENCE_QUARTERLY", "dueDay": 20}},
	{"code": "1.2", "parentCode": "1", "title": "基本道德规范知晓率", "kind": "INDICATOR_KIND_THRESHOLD", "maxPoints": "2.00", "target": "85.00", "method": "ASSESSMENT_METHOD_QUESTIONNAIRE"},
	{"code": "1.3", "parentCode": "1", "title": "志愿服务", "kind": "INDICATOR_KIND_GRADE", "maxPoints": "2.00"},
	{"code": "2", "title": "工作业绩好", "kind": "INDICATOR_KIND_GROUP", "maxPoints": "4.00"},
	{"code": "2.1", "parentCode": "2", "title": "群众满意度", "kind": "INDICATOR_KIND_LINEAR", "maxPoints": "4.00", "floor": "60.00", "target": "95.00"},
	{"code": "3", "title": "加分项", "kind": "INDICATOR_KIND_BONUS", "maxPoints": "2.00"},
	{"code": "4", "title": "负面清单", "kind": "INDICATOR_KIND_DEDUCTION", "maxPoints": "5.00", "perItem": "1.00"},
	{"code": "5", "title": "重大安全责任事故", "kind": "INDICATOR_KIND_VETO"},
}

func testStandardLifecycle(t *testing.T, e *env, tr *tree) string {
	e.t = t
	// A draft may be incomplete; validation names every problem by indicator and field.
	bad := e.must(200, e.do("POST", "/v1/offices/"+tr.province+"/standards", tr.provAdmin, map[string]any{
		"code": "ZJ-WMDW", "displayName": "浙江省文明单位测评细则", "basePoints": "10.00", "bonusCap": "2.00",
		"indicators": []map[string]any{
			{"code": "1", "title": "领导班子好", "kind": "INDICATOR_KIND_GROUP", "maxPoints": "6.00"},
			{"code": "1.1", "parentCode": "1", "title": "理论学习", "kind": "INDICATOR_KIND_POINTS", "maxPoints": "3.00"},
			{"code": "1.1", "parentCode": "1", "title": "重复", "kind": "INDICATOR_KIND_POINTS", "maxPoints": "1.00"},
			{"code": "1.2", "parentCode": "1", "title": "知晓率", "kind": "INDICATOR_KIND_THRESHOLD", "maxPoints": "2.00"},
			{"code": "1.3", "parentCode": "1.1", "title": "挂错", "kind": "INDICATOR_KIND_POINTS", "maxPoints": "1.00"},
			{"code": "2.1", "title": "满意度", "kind": "INDICATOR_KIND_LINEAR", "maxPoints": "4.00", "floor": "90.00", "target": "90.00"},
		},
	}))
	id := bad.str("id")
	if bad.str("state") != "STANDARD_STATE_DRAFT" || bad.str("version") != "" && bad.Body["version"] != float64(1) {
		t.Errorf("draft = %s", bad.Raw)
	}
	v := e.must(200, e.do("GET", "/v1/standards/"+id+":validate", tr.provAdmin, nil))
	ps := problems(v)
	for _, want := range []string{"1.1 indicators[2].code", "1.2 indicators[3].target", "1.3 indicators[4].parent_code", "2.1 indicators[5].floor"} {
		if _, ok := ps[want]; !ok {
			t.Errorf("validation misses %q: %v", want, ps)
		}
	}
	r := e.do("POST", "/v1/standards/"+id+":publish", tr.provAdmin, map[string]any{"etag": bad.str("etag")})
	if r.Code != 400 || r.reason() != "STANDARD_INVALID" || !strings.Contains(string(r.Raw), "indicators[5].floor") {
		t.Errorf("publishing an invalid draft: %d %s", r.Code, r.Raw)
	}
	// Fix the tree in one edit; a stale etag is refused first.
	fix := map[string]any{"etag": "999", "indicators": goodIndicators}
	if r := e.do("PATCH", "/v1/standards/"+id+"?updateMask=indicators", tr.provAdmin, fix); r.Code != 409 {
		t.Errorf("stale etag: %d", r.Code)
	}
	fix["etag"] = bad.str("etag")
	fixed := e.must(200, e.do("PATCH", "/v1/standards/"+id+"?updateMask=indicators", tr.provAdmin, fix))
	v = e.must(200, e.do("GET", "/v1/standards/"+id+":validate", tr.provAdmin, nil))
	if len(problems(v)) != 0 || !strings.Contains(string(v.Raw), "warnings") {
		t.Errorf("after the fix: %s", v.Raw)
	}
	// Only the owner's admins edit or publish it.
	if r := e.do("POST", "/v1/standards/"+id+":publish", tr.cityAdmin, map[string]any{"etag": fixed.str("etag")}); r.Code != 404 {
		t.Errorf("a child office publishing the province's draft: %d", r.Code)
	}
	pub := e.must(200, e.do("POST", "/v1/standards/"+id+":publish", tr.provAdmin, map[string]any{"etag": fixed.str("etag")}))
	if pub.str("state") != "STANDARD_STATE_PUBLISHED" || len(pub.str("contentHash")) != 64 {
		t.Errorf("published = %s", pub.Raw)
	}
	// Published means immutable.
	r = e.do("PATCH", "/v1/standards/"+id+"?updateMask=displayName", tr.provAdmin, map[string]any{"displayName": "改名", "etag": pub.str("etag")})
	if r.Code != 400 || r.reason() != "STANDARD_NOT_DRAFT" {
		t.Errorf("editing a published standard: %d %s", r.Code, r.Raw)
	}
	// Published standards are read down the tree; drafts are not; other provinces see nothing.
	draft := e.must(200, e.do("POST", "/v1/offices/"+tr.province+"/standards", tr.provAdmin, map[string]any{"code": "ZJ-DRAFT", "displayName": "草稿"})).str("id")
	// Drafts stay with their owner in both directions: the offices above do not read them either.
	districtDraft := e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/standards", tr.d1Admin, map[string]any{"code": "XH-DRAFT", "displayName": "区草稿"})).str("id")
	for _, c := range []struct {
		name, token, id string
		want            int
	}{
		{"the owner's viewer reads its draft", tr.d1Viewer, districtDraft, 200},
		{"the city reads a district's draft", tr.cityAdmin, districtDraft, 404},
		{"the province reads a district's draft", tr.provAdmin, districtDraft, 404},
		{"district reads the published", tr.d1Admin, id, 200},
		{"unit reads the published", tr.unit1Submitter, id, 200},
		{"district reads the draft", tr.d1Admin, draft, 404},
		{"unit reads the draft", tr.unit1Admin, draft, 404},
		{"other province", tr.prov2Admin, id, 404},
	} {
		if r := e.do("GET", "/v1/standards/"+c.id, c.token, nil); r.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, r.Code, c.want)
		}
	}
	got := e.must(200, e.do("GET", "/v1/standards/"+id, tr.d1Viewer, nil))
	inds := got.Body["indicators"].([]any)
	if len(inds) != len(goodIndicators) || inds[1].(map[string]any)["evidenceSpec"].(map[string]any)["cadence"] != "CADENCE_QUARTERLY" {
		t.Errorf("indicators as read by a district: %s", got.Raw)
	}
	list := e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/standards", tr.d1Admin, nil))
	if s := string(list.Raw); !strings.Contains(s, id) || strings.Contains(s, draft) || strings.Contains(s, "indicators") {
		t.Errorf("standards usable by the district: %s", s)
	}
	if r := e.do("GET", "/v1/offices/"+tr.d2+"/standards", tr.d1Admin, nil); r.Code != 404 {
		t.Errorf("listing a sibling's standards: %d", r.Code)
	}
	// New versions and retirement.
	v2 := e.must(200, e.do("POST", "/v1/standards/"+id+":newVersion", tr.provAdmin, map[string]any{}))
	if v2.Body["version"] != float64(2) || v2.str("state") != "STANDARD_STATE_DRAFT" || len(v2.Body["indicators"].([]any)) != len(goodIndicators) {
		t.Errorf("new version = %s", v2.Raw)
	}
	testIndicatorEdits(t, e, tr, v2.str("id"), v2.str("etag"), id)
	if r := e.do("POST", "/v1/standards/"+id+":newVersion", tr.provAdmin, map[string]any{}); r.Code != 409 {
		t.Errorf("a second draft version: %d %s", r.Code, r.Raw)
	}
	if r := e.do("POST", "/v1/offices/"+tr.province+"/standards", tr.provAdmin, map[string]any{"code": "ZJ-WMDW", "displayName": "x"}); r.Code != 409 {
		t.Errorf("a second standard with the same code: %d", r.Code)
	}
	for _, c := range []struct{ name, token, method, path, body string }{
		{"viewer creates a standard", tr.d1Viewer, "POST", "/v1/offices/" + tr.d1 + "/standards", `{"code":"x","displayName":"x"}`},
		{"unit admin creates a standard", tr.unit1Admin, "POST", "/v1/offices/" + tr.d1 + "/standards", `{"code":"x","displayName":"x"}`},
		{"district retires the province's", tr.d1Admin, "POST", "/v1/standards/" + id + ":retire", `{}`},
	} {
		if r := e.do(c.method, c.path, c.token, c.body); r.Code != 403 {
			t.Errorf("%s: %d", c.name, r.Code)
		}
	}
	return id
}

func testCampaigns(t *testing.T, e *env, tr *tree, std string) string {
	e.t = t
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	day := 24 * time.Hour
	body := func(mut func(m map[string]any)) map[string]any {
		m := map[string]any{
			"standardId": std, "year": 2026, "targetLevel": "TITLE_LEVEL_DISTRICT", "displayName": "2026 年度西湖区文明单位测评",
			"applicationWindow": map[string]string{"startTime": at(-time.Hour), "endTime": at(10 * day)},
			"submissionWindow":  map[string]string{"startTime": at(day), "endTime": at(20 * day)},
			"reviewWindow":      map[string]string{"startTime": at(21 * day), "endTime": at(30 * day)},
			"publicityWindow":   map[string]string{"startTime": at(31 * day), "endTime": at(38 * day)},
			"quota":             map[string]any{"percent": 30}, "passLine": "80.00",
			"eligibility": map[string]any{"lookbackMonths": 24},
		}
		if mut != nil {
			mut(m)
		}
		return m
	}
	path := "/v1/offices/" + tr.d1 + "/campaigns"
	for name, c := range map[string]struct {
		mut   func(m map[string]any)
		field string
	}{
		"wrong level": {func(m map[string]any) { m["targetLevel"] = "TITLE_LEVEL_MUNICIPAL" }, "campaign.target_level"},
		"no quota":    {func(m map[string]any) { delete(m, "quota") }, "campaign.quota"},
		"reversed window": {func(m map[string]any) {
			m["reviewWindow"] = map[string]string{"startTime": at(30 * day), "endTime": at(21 * day)}
		}, "campaign.review_window"},
		"review before end": {func(m map[string]any) {
			m["reviewWindow"] = map[string]string{"startTime": at(15 * day), "endTime": at(30 * day)}
		}, "campaign.review_window"},
		"bad pass line":    {func(m map[string]any) { m["passLine"] = "80.005" }, "campaign.pass_line"},
		"missing standard": {func(m map[string]any) { m["standardId"] = "nope" }, "campaign.standard_id"},
	} {
		r := e.do("POST", path, tr.d1Admin, body(c.mut))
		if r.Code != 400 || r.field() != c.field {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
	}
	c := e.must(200, e.do("POST", path, tr.d1Admin, body(nil)))
	id := c.str("id")
	if c.str("state") != "CAMPAIGN_STATE_DRAFT" || c.Body["maxResubmissions"] != float64(1) || c.Body["reviewersPerApplication"] != float64(3) {
		t.Errorf("campaign = %s", c.Raw)
	}
	// A draft campaign stays with its office; the units below see it once it is open.
	if r := e.do("GET", "/v1/campaigns/"+id, tr.unit1Submitter, nil); r.Code != 404 {
		t.Errorf("unit reading a draft campaign: %d", r.Code)
	}
	if r := e.do("GET", "/v1/campaigns/"+id, tr.cityAdmin, nil); r.Code != 404 {
		t.Errorf("city reading a district's draft campaign: %d", r.Code)
	}
	move := func(token, to string, extra map[string]any) resp {
		b := map[string]any{"to": to}
		for k, v := range extra {
			b[k] = v
		}
		return e.do("POST", "/v1/campaigns/"+id+":transition", token, b)
	}
	e.must(200, move(tr.d1Admin, "CAMPAIGN_STATE_OPEN", nil))
	e.must(200, e.do("GET", "/v1/campaigns/"+id, tr.unit1Submitter, nil))
	if r := move(tr.d1Admin, "CAMPAIGN_STATE_REVIEW", nil); r.Code != 400 || r.reason() != "CAMPAIGN_WRONG_ORDER" {
		t.Errorf("skipping a phase: %d %s", r.Code, r.Raw)
	}
	if r := move(tr.d1Admin, "CAMPAIGN_STATE_SUBMISSION", nil); r.Code != 400 || r.reason() != "CAMPAIGN_TOO_EARLY" {
		t.Errorf("before the submission window: %d %s", r.Code, r.Raw)
	}
	if r := move(tr.d1Admin, "CAMPAIGN_STATE_SUBMISSION", map[string]any{"force": true}); r.Code != 400 || r.field() != "reason" {
		t.Errorf("force without a reason: %d %s", r.Code, r.Raw)
	}
	for _, c := range []struct{ name, token string }{{"viewer", tr.d1Viewer}, {"city admin", tr.cityAdmin}, {"unit admin", tr.unit1Admin}} {
		if r := move(c.token, "CAMPAIGN_STATE_SUBMISSION", map[string]any{"force": true, "reason": "x"}); r.Code != 403 && r.Code != 404 {
			t.Errorf("%s moving the district's campaign: %d", c.name, r.Code)
		}
	}
	moved := e.must(200, move(tr.d1Admin, "CAMPAIGN_STATE_SUBMISSION", map[string]any{"force": true, "reason": "市文明办通知提前报送"}))
	if moved.str("state") != "CAMPAIGN_STATE_SUBMISSION" {
		t.Errorf("forced move = %s", moved.Raw)
	}
	// Updates: a deadline extension is allowed during SUBMISSION; eligibility is frozen.
	patch := func(token, mask, etag string, fields map[string]any) resp {
		b := map[string]any{"etag": etag}
		for k, v := range fields {
			b[k] = v
		}
		return e.do("PATCH", "/v1/campaigns/"+id+"?updateMask="+mask, token, b)
	}
	ext := map[string]any{"submissionWindow": map[string]string{"startTime": at(day), "endTime": at(20*day + 12*time.Hour)}}
	if r := patch(tr.d1Admin, "submissionWindow", "999", ext); r.Code != 409 {
		t.Errorf("stale etag: %d", r.Code)
	}
	extended := e.must(200, patch(tr.d1Admin, "submissionWindow", moved.str("etag"), ext))
	if end := extended.Body["submissionWindow"].(map[string]any)["endTime"]; end != at(20*day+12*time.Hour) {
		t.Errorf("extended deadline = %v", end)
	}
	if r := patch(tr.d1Admin, "eligibility", extended.str("etag"), map[string]any{"eligibility": map[string]any{"lookbackMonths": 12}}); r.Code != 400 || r.reason() != "CAMPAIGN_FIELD_FROZEN" {
		t.Errorf("eligibility during submission: %d %s", r.Code, r.Raw)
	}
	overlap := map[string]any{"submissionWindow": map[string]string{"startTime": at(day), "endTime": at(25 * day)}}
	if r := patch(tr.d1Admin, "submissionWindow", extended.str("etag"), overlap); r.Code != 400 || r.field() != "campaign.review_window" {
		t.Errorf("a deadline past the review window's start: %d %s", r.Code, r.Raw)
	}
	if r := patch(tr.d1Viewer, "displayName", extended.str("etag"), map[string]any{"displayName": "x"}); r.Code != 403 {
		t.Errorf("viewer update: %d", r.Code)
	}
	if r := patch(tr.prov2Admin, "displayName", extended.str("etag"), map[string]any{"displayName": "x"}); r.Code != 404 {
		t.Errorf("other province update: %d", r.Code)
	}
	moved = e.must(200, e.do("GET", "/v1/campaigns/"+id, tr.d1Admin, nil))
	if moved.str("etag") != extended.str("etag") {
		t.Errorf("a refused update changed the campaign")
	}
	// The forced move and its reason are in the audit trail.
	trail := e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/audit-events?pageSize=500", tr.d1Admin, nil))
	found := false
	for _, ev := range trail.Body["auditEvents"].([]any) {
		m := ev.(map[string]any)
		after, _ := json.Marshal(m["after"])
		if m["action"] == "campaign.transition" && strings.Contains(string(after), "市文明办通知提前报送") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audited forced transition in %s", trail.Raw)
	}
	// Lists: the city sees the district's campaign in its subtree; filters apply.
	sub := e.must(200, e.do("GET", "/v1/offices/"+tr.city+"/campaigns?subtree=true&year=2026", tr.cityAdmin, nil))
	if !strings.Contains(string(sub.Raw), id) {
		t.Errorf("city subtree: %s", sub.Raw)
	}
	if own := e.must(200, e.do("GET", "/v1/offices/"+tr.city+"/campaigns", tr.cityAdmin, nil)); strings.Contains(string(own.Raw), id) {
		t.Errorf("the city's own campaigns include the district's")
	}
	if other := e.must(200, e.do("GET", "/v1/offices/"+tr.city+"/campaigns?subtree=true&year=2025", tr.cityAdmin, nil)); strings.Contains(string(other.Raw), id) {
		t.Errorf("year filter ignored")
	}
	for _, c := range []struct{ name, token string }{{"sibling district", tr.d2Admin}, {"other province", tr.prov2Admin}, {"other unit", tr.unit2Admin}} {
		if r := e.do("GET", "/v1/campaigns/"+id, c.token, nil); r.Code != 404 {
			t.Errorf("%s reading the campaign: %d", c.name, r.Code)
		}
		if r := e.do("GET", "/v1/offices/"+tr.d1+"/campaigns", c.token, nil); r.Code != 404 {
			t.Errorf("%s listing the district's campaigns: %d", c.name, r.Code)
		}
	}
	if r := e.do("POST", path, tr.d1Viewer, body(nil)); r.Code != 403 {
		t.Errorf("viewer creating a campaign: %d", r.Code)
	}
	if r := e.do("POST", "/v1/offices/"+tr.d2+"/campaigns", tr.d1Admin, body(nil)); r.Code != 404 {
		t.Errorf("creating a campaign in a sibling: %d", r.Code)
	}
	// A retired standard cannot be pinned by a new campaign.
	s := e.must(200, e.do("GET", "/v1/standards/"+std, tr.provAdmin, nil))
	e.must(200, e.do("POST", "/v1/standards/"+std+":retire", tr.provAdmin, map[string]any{"etag": s.str("etag")}))
	if r := e.do("POST", path, tr.d1Admin, body(nil)); r.Code != 400 || r.field() != "campaign.standard_id" {
		t.Errorf("campaign on a retired standard: %d %s", r.Code, r.Raw)
	}
	return id
}

// testStandardsCrossTenant calls every standards RPC on another province's objects: all
// are 404, like missing ids, and nothing changes.
func testStandardsCrossTenant(t *testing.T, e *env, tr *tree, published, campaign string) {
	e.t = t
	list := e.must(200, e.do("GET", "/v1/offices/"+tr.province+"/standards?state=STANDARD_STATE_DRAFT", tr.provAdmin, nil))
	var draft string
	for _, s := range list.Body["standards"].([]any) {
		if m := s.(map[string]any); m["code"] == "ZJ-WMDW" {
			draft = m["id"].(string)
		}
	}
	if draft == "" {
		t.Fatalf("no draft version in %s", list.Raw)
	}
	before := e.must(200, e.do("GET", "/v1/standards/"+draft, tr.provAdmin, nil))
	calls := []struct{ method, path, body string }{
		{"POST", "/v1/offices/" + tr.province + "/standards", `{"code":"X","displayName":"x"}`},
		{"POST", "/v1/offices/" + tr.province + "/standards:import", `{"format":"STANDARD_FORMAT_YAML","content":"Y29kZTogeApuYW1lOiB5CmluZGljYXRvcnM6IFtdCg=="}`},
		{"GET", "/v1/offices/" + tr.province + "/standards", ""},
		{"GET", "/v1/standards/" + draft, ""},
		{"GET", "/v1/standards/" + published, ""},
		{"PATCH", "/v1/standards/" + draft + "?updateMask=displayName", `{"displayName":"pwned","etag":"` + before.str("etag") + `"}`},
		{"POST", "/v1/standards/" + draft + "/indicators?etag=" + before.str("etag"), `{"code":"pwned","title":"x","kind":"INDICATOR_KIND_POINTS","maxPoints":"1.00"}`},
		{"PATCH", "/v1/standards/" + draft + "/indicators/1?updateMask=title&etag=" + before.str("etag"), `{"title":"pwned"}`},
		{"DELETE", "/v1/standards/" + draft + "/indicators/1?cascade=true&etag=" + before.str("etag"), ""},
		{"GET", "/v1/standards/" + draft + ":validate", ""},
		{"GET", "/v1/standards/" + draft + ":export", ""},
		{"POST", "/v1/standards/" + draft + ":publish", `{}`},
		{"POST", "/v1/standards/" + published + ":newVersion", `{}`},
		{"POST", "/v1/standards/" + published + ":retire", `{}`},
		{"GET", "/v1/campaigns/" + campaign, ""},
		{"GET", "/v1/offices/" + tr.d1 + "/campaigns", ""},
		{"POST", "/v1/campaigns/" + campaign + ":transition", `{"to":"CAMPAIGN_STATE_REVIEW","force":true,"reason":"x"}`},
	}
	for _, who := range []struct{ name, token string }{{"other province", tr.prov2Admin}} {
		for _, c := range calls {
			var body any
			if c.body != "" {
				body = c.body
			}
			r := e.do(c.method, c.path, who.token, body)
			if r.Code != 404 {
				t.Errorf("%s: %s %s = %d, want 404: %.200s", who.name, c.method, c.path, r.Code, r.Raw)
			}
		}
	}
	after := e.must(200, e.do("GET", "/v1/standards/"+draft, tr.provAdmin, nil))
	if after.str("etag") != before.str("etag") || after.str("displayName") != before.str("displayName") {
		t.Errorf("the draft changed: %s → %s", before.str("etag"), after.str("etag"))
	}
	c := e.must(200, e.do("GET", "/v1/campaigns/"+campaign, tr.d1Admin, nil))
	if c.str("state") != "CAMPAIGN_STATE_SUBMISSION" {
		t.Errorf("the campaign moved: %s", c.str("state"))
	}
}

func testImportExport(t *testing.T, e *env, tr *tree) {
	e.t = t
	raw := func(token, path, contentType string, body []byte) resp {
		return e.do("POST", path, token, body, hdr{"Content-Type": contentType})
	}
	get := func(path, token string) (int, string, []byte) {
		r := e.do("GET", path, token, nil)
		return r.Code, r.Header.Get("Content-Type"), r.Raw
	}
	imp := "/v1/offices/" + tr.city + "/standards:import"
	// The example standard, imported as YAML through the raw body.
	s := e.must(200, raw(tr.cityAdmin, imp, "application/yaml", examples.Municipal))
	id := s.str("id")
	if s.str("state") != "STANDARD_STATE_DRAFT" || s.str("basePoints") != "100.00" || len(s.Body["indicators"].([]any)) < 40 {
		t.Fatalf("imported = %.300s", s.Raw)
	}
	code, ct, yml := get("/v1/standards/"+id+":export", tr.cityAdmin)
	if code != 200 || !strings.HasPrefix(ct, "application/yaml") || string(yml) != string(examples.Municipal) {
		t.Errorf("YAML export: %d %s, same as the file: %v", code, ct, string(yml) == string(examples.Municipal))
	}
	// XLSX: export, re-import under a new code, export again: the same standard.
	code, ct, xlsx := get("/v1/standards/"+id+":export?format=STANDARD_FORMAT_XLSX", tr.cityAdmin)
	if code != 200 || ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || len(xlsx) < 1000 {
		t.Fatalf("XLSX export: %d %s %d bytes", code, ct, len(xlsx))
	}
	// Importing the same code again is refused: a new version goes through :newVersion.
	if r := raw(tr.cityAdmin, imp, standardsXLSX, xlsx); r.Code != 409 {
		t.Errorf("re-import of the same code: %d %s", r.Code, r.Raw)
	}
	again := e.must(200, raw(tr.d1Admin, "/v1/offices/"+tr.d1+"/standards:import", standardsXLSX, xlsx))
	_, _, yml2 := get("/v1/standards/"+again.str("id")+":export", tr.d1Admin)
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
	r := raw(tr.cityAdmin, imp, standardsXLSX, broken)
	msg := string(r.Raw)
	if r.Code != 400 || r.reason() != "STANDARD_FILE_INVALID" || !strings.Contains(msg, "sheet 测评细则, row 4, column D (kind)") ||
		!strings.Contains(msg, "row 5, column E (max_points)") {
		t.Errorf("broken spreadsheet: %d %s", r.Code, msg)
	}
	list := e.must(200, e.do("GET", "/v1/offices/"+tr.city+"/standards", tr.cityAdmin, nil))
	if strings.Contains(string(list.Raw), "BROKEN") {
		t.Errorf("a refused import left a standard")
	}
	if r := raw(tr.cityAdmin, imp, "application/yaml", []byte("code: x\nname: y\nindicators: []\nquota: 3\n")); r.Code != 400 || !strings.Contains(string(r.Raw), "quota") {
		t.Errorf("YAML with an unknown key: %d %s", r.Code, r.Raw)
	}
	// Only admins import; every reader may export what it may read.
	if r := raw(tr.d1Viewer, "/v1/offices/"+tr.d1+"/standards:import", "application/yaml", examples.Municipal); r.Code != 403 {
		t.Errorf("viewer import: %d", r.Code)
	}
	if code, _, _ := get("/v1/standards/"+id+":export", tr.prov2Admin); code != 404 {
		t.Errorf("other province exporting: %d", code)
	}
}

const standardsXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// codes lists a standard's indicators as "parent>code" in stored order.
func codes(r resp) string {
	var out []string
	for _, in := range r.Body["indicators"].([]any) {
		m := in.(map[string]any)
		p, _ := m["parentCode"].(string)
		out = append(out, p+">"+m["code"].(string))
	}
	return strings.Join(out, " ")
}

func testIndicatorEdits(t *testing.T, e *env, tr *tree, id, etag, published string) {
	base := "/v1/standards/" + id + "/indicators"
	r := e.must(200, e.do("POST", base+"?position=0&etag="+etag, tr.provAdmin,
		map[string]any{"code": "1.0", "parentCode": "1", "title": "新增指标", "kind": "INDICATOR_KIND_POINTS", "maxPoints": "1.00"}))
	if got := codes(r); !strings.HasPrefix(got, ">1 1>1.0 1>1.1") {
		t.Errorf("insert at position 0: %s", got)
	}
	if x := e.do("POST", base+"?etag="+etag, tr.provAdmin, map[string]any{"code": "x"}); x.Code != 409 {
		t.Errorf("stale etag: %d", x.Code)
	}
	if x := e.do("POST", base+"?etag="+r.str("etag"), tr.provAdmin, map[string]any{"code": "1.1"}); x.Code != 409 || x.reason() != "INDICATOR_CODE_TAKEN" {
		t.Errorf("duplicate code: %d %s", x.Code, x.Raw)
	}
	// Move 1.0 under 2 (to its end), then rename 2: its children follow.
	r = e.must(200, e.do("PATCH", base+"/1.0?updateMask=parentCode&etag="+r.str("etag"), tr.provAdmin, map[string]any{"parentCode": "2"}))
	if got := codes(r); !strings.Contains(got, "2>2.1 2>1.0") {
		t.Errorf("move: %s", got)
	}
	r = e.must(200, e.do("PATCH", base+"/2?updateMask=code,title&etag="+r.str("etag"), tr.provAdmin, map[string]any{"code": "B", "title": "工作业绩好（新）"}))
	if got := codes(r); !strings.Contains(got, ">B B>2.1 B>1.0") {
		t.Errorf("rename: %s", got)
	}
	if x := e.do("PATCH", base+"/B?updateMask=parentCode&etag="+r.str("etag"), tr.provAdmin, map[string]any{"parentCode": "2.1"}); x.Code != 400 {
		t.Errorf("moving a group under its own child: %d %s", x.Code, x.Raw)
	}
	if x := e.do("DELETE", base+"/B?etag="+r.str("etag"), tr.provAdmin, nil); x.Code != 400 || x.reason() != "INDICATOR_HAS_CHILDREN" {
		t.Errorf("deleting a group with children: %d %s", x.Code, x.Raw)
	}
	r = e.must(200, e.do("DELETE", base+"/B?cascade=true&etag="+r.str("etag"), tr.provAdmin, nil))
	if got := codes(r); strings.Contains(got, "B") || strings.Contains(got, "2.1") || strings.Contains(got, "1.0") {
		t.Errorf("cascade delete: %s", got)
	}
	pub := e.must(200, e.do("GET", "/v1/standards/"+published, tr.provAdmin, nil))
	if x := e.do("DELETE", "/v1/standards/"+published+"/indicators/1.1?etag="+pub.str("etag"), tr.provAdmin, nil); x.Code != 400 || x.reason() != "STANDARD_NOT_DRAFT" {
		t.Errorf("editing a published standard's indicator: %d %s", x.Code, x.Raw)
	}
	if x := e.do("DELETE", base+"/1.1?etag="+r.str("etag"), tr.d1Admin, nil); x.Code != 404 {
		t.Errorf("a district editing the province's draft: %d", x.Code)
	}
	if x := e.do("DELETE", base+"/1.1?etag="+r.str("etag"), tr.prov2Admin, nil); x.Code != 404 {
		t.Errorf("another province editing the draft: %d", x.Code)
	}
}

// testIdempotency retries creates with an Idempotency-Key: the first response comes back,
// nothing is created twice, and the key cannot be reused for another request.
func testIdempotency(t *testing.T, e *env, tr *tree) {
	e.t = t
	path := "/v1/offices/" + tr.d2 + "/units"
	body := map[string]any{"displayName": "幂等测试单位", "creditCode": creditCode("91330102MA2XDEMP1"), "category": "UNIT_CATEGORY_OTHER"}
	key := hdr{"Idempotency-Key": "create-unit-7f3a"}
	first := e.must(200, e.do("POST", path, tr.d2Admin, body, key))
	for range 3 {
		again := e.must(200, e.do("POST", path, tr.d2Admin, body, key))
		if again.str("id") != first.str("id") || again.str("createTime") != first.str("createTime") {
			t.Fatalf("retry returned another unit: %s vs %s", again.Raw, first.Raw)
		}
	}
	list := e.must(200, e.do("GET", path+"?name=%E5%B9%82%E7%AD%89", tr.d2Admin, nil)) // 幂等
	if n := len(list.Body["units"].([]any)); n != 1 {
		t.Errorf("%d units after retries, want 1", n)
	}
	other := map[string]any{"displayName": "另一个单位", "creditCode": creditCode("91330102MA2XDEMP2"), "category": "UNIT_CATEGORY_OTHER"}
	if r := e.do("POST", path, tr.d2Admin, other, key); r.Code != 400 || r.reason() != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("same key, other request: %d %s", r.Code, r.Raw)
	}
	// Keys are per caller: another caller's same key is a new request of its own, never a
	// replay of someone else's response (here refused: a city admin does not create units
	// in a district).
	if r := e.do("POST", path, tr.cityAdmin, body, key); r.Code != 403 {
		t.Errorf("another caller with the same key: %d %s", r.Code, r.Raw)
	}
	// A failed create claims nothing: after fixing the request the same key works.
	bad := map[string]any{"displayName": "x", "creditCode": "91330102MA2XDEMP00", "category": "UNIT_CATEGORY_OTHER"}
	k2 := hdr{"Idempotency-Key": "create-unit-bad"}
	if r := e.do("POST", path, tr.d2Admin, bad, k2); r.Code != 400 {
		t.Errorf("bad create: %d", r.Code)
	}
	if r := e.do("POST", path, tr.d2Admin, map[string]any{"displayName": "x"}, hdr{"Idempotency-Key": "bad key with spaces"}); r.Code != 400 {
		t.Errorf("malformed key: %d", r.Code)
	}
	// Concurrent retries: exactly one create, every success the same unit.
	race := map[string]any{"displayName": "并发幂等单位", "creditCode": creditCode("91330102MA2XDEMP3"), "category": "UNIT_CATEGORY_OTHER"}
	var wg sync.WaitGroup
	results := make([]resp, 8)
	for i := range results {
		wg.Go(func() { results[i] = e.do("POST", path, tr.d2Admin, race, hdr{"Idempotency-Key": "race-1"}) })
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range results {
		switch r.Code {
		case 200:
			ids[r.str("id")] = true
		case 409:
			if r.reason() != "IDEMPOTENCY_KEY_IN_USE" {
				t.Errorf("concurrent retry: %s", r.Raw)
			}
		default:
			t.Errorf("concurrent retry: %d %s", r.Code, r.Raw)
		}
	}
	list = e.must(200, e.do("GET", path+"?name=%E5%B9%B6%E5%8F%91", tr.d2Admin, nil)) // 并发
	if n := len(list.Body["units"].([]any)); n != 1 || len(ids) > 1 {
		t.Errorf("concurrent retries made %d units, %d distinct answers", n, len(ids))
	}
	// A campaign, a standard import: the same guarantee.
	yml := []byte("code: IDEM\nname: 幂等\nindicators:\n  - code: \"1\"\n    title: t\n    kind: POINTS\n    max_points: \"1.00\"\n")
	k3 := hdr{"Idempotency-Key": "import-1", "Content-Type": "application/yaml"}
	a := e.must(200, e.do("POST", "/v1/offices/"+tr.d2+"/standards:import", tr.d2Admin, yml, k3))
	b := e.must(200, e.do("POST", "/v1/offices/"+tr.d2+"/standards:import", tr.d2Admin, yml, k3))
	if a.str("id") != b.str("id") {
		t.Errorf("import retried: %s vs %s", a.str("id"), b.str("id"))
	}
}

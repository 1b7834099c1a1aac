package evidencetest

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Upload PUTs content as a raw body named name, with extra headers.
func Upload(t testing.TB, e *apptest.Env, token, app, name string, content []byte, extra ...apptest.Header) apptest.Resp {
	t.Helper()
	h := apptest.Header{"Content-Type": "application/octet-stream", "X-File-Name": url.PathEscape(name)}
	for _, x := range extra {
		for k, v := range x {
			h[k] = v
		}
	}
	return e.Do(t, "PUT", "/v1/applications/"+app+"/files", token, content, h)
}

// UploadForm POSTs content as the file part of a multipart/form-data body.
func UploadForm(t testing.TB, e *apptest.Env, token, app, name, contentType string, content []byte) apptest.Resp {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + name + `"`}
	h["Content-Type"] = []string{contentType}
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(content)
	_ = w.Close()
	return e.Do(t, "POST", "/v1/applications/"+app+"/files", token, b.Bytes(), apptest.Header{"Content-Type": w.FormDataContentType()})
}

// File uploads content and returns the stored file, failing unless it was created.
func File(t testing.TB, e *apptest.Env, token, app, name string, content []byte) *evidencev1.File {
	t.Helper()
	return apptest.Decode[*evidencev1.File](t, apptest.Must(t, 201, Upload(t, e, token, app, name, content)))
}

// itemPath is the REST path of one evidence item.
func itemPath(app, code, period string) string {
	return "/v1/applications/" + app + "/evidence/" + code + "/" + period
}

// Save writes a draft and returns the response.
func Save(t testing.TB, e *apptest.Env, token, app, code, period string, draft *evidencev1.EvidenceContent) apptest.Resp {
	t.Helper()
	return e.Do(t, "PUT", itemPath(app, code, period), token, draft)
}

// Submit submits an item's draft.
func Submit(t testing.TB, e *apptest.Env, token, app, code, period string, extra ...apptest.Header) apptest.Resp {
	t.Helper()
	return e.Do(t, "POST", itemPath(app, code, period)+":submit", token, "{}", extra...)
}

// SaveAndSubmit saves a draft and submits it, failing unless both succeed.
func SaveAndSubmit(t testing.TB, e *apptest.Env, token, app, code, period string, draft *evidencev1.EvidenceContent) *evidencev1.Evidence {
	t.Helper()
	apptest.Must(t, 200, Save(t, e, token, app, code, period, draft))
	return apptest.Decode[*evidencev1.Evidence](t, apptest.Must(t, 200, Submit(t, e, token, app, code, period)))
}

// preconditions are a refusal's PreconditionFailure violations, by subject.
func preconditions(t testing.TB, r apptest.Resp) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range r.Status(t).GetDetails() {
		var pf errdetails.PreconditionFailure
		if d.MessageIs(&pf) {
			if err := d.UnmarshalTo(&pf); err != nil {
				t.Fatal(err)
			}
			for _, v := range pf.GetViolations() {
				out[v.GetSubject()] = v.GetDescription()
			}
		}
	}
	return out
}

// Lifecycle is the whole path of a unit through a campaign (issue 8's list): apply, be
// refused when ineligible with the rule named, upload photos and a PDF, submit monthly
// evidence on time, be refused when late, get an extension, submit the application and
// be refused with the complete list of what is missing, complete it, submit, then
// resubmit a returned item within the campaign's limit. It returns the application.
func Lifecycle(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture, clock *Clock) string {
	en := apptest.Header{"Accept-Language": "en"}
	// Eligibility: the city's campaign asks for a district title, which Unit1 lacks.
	r := e.Do(t, "POST", "/v1/campaigns/"+fx.City+"/applications", tr.Unit1Admin, &evidencev1.Application{}, en)
	if r.Code != 400 || r.Reason(t) != "TITLE_REQUIRED" || !strings.Contains(r.Str(t, "message"), "district") {
		t.Fatalf("applying without the required title: %d %s", r.Code, r.Raw)
	}
	// Only a unit's admin applies, only for its own unit.
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit1Submitter, &evidencev1.Application{}); r.Code != 403 {
		t.Errorf("a submitter applying: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit1Admin, &evidencev1.Application{UnitId: tr.Unit2}); r.Code != 404 {
		t.Errorf("applying for another unit: %d %s", r.Code, r.Raw)
	}
	// A unit of another district does not see D1's campaign at all.
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit2Admin, &evidencev1.Application{}); r.Code != 404 {
		t.Errorf("a unit of D2 applying to D1's campaign: %d %s", r.Code, r.Raw)
	}
	app := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit1Admin, &evidencev1.Application{})
	id := app.GetId()
	if app.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_DRAFT || app.GetUnitId() != tr.Unit1 || app.GetUnitDisplayName() != "西湖区图书馆" ||
		app.GetUnitCategory() != "UNIT_CATEGORY_PUBLIC_INSTITUTION" {
		t.Errorf("application = %v", app)
	}
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit1Admin, &evidencev1.Application{}); r.Code != 400 || r.Reason(t) != "ALREADY_APPLIED" {
		t.Errorf("applying twice: %d %s", r.Code, r.Raw)
	}

	// Files: a photo raw, a PDF as a form; names are sanitised and kept as metadata.
	photo := File(t, e, tr.Unit1Submitter, id, "../../2026年3月/志愿服务.png", PNG(1))
	if photo.GetName() != "志愿服务.png" || photo.GetContentType() != "image/png" || photo.GetSize() != int64(len(PNG(1))) {
		t.Errorf("photo = %v", photo)
	}
	form := UploadForm(t, e, tr.Unit1Admin, id, "知晓率调查报告.pdf", "application/pdf", PDF("survey"))
	pdf := apptest.Decode[*evidencev1.File](t, apptest.Must(t, 201, form))
	if pdf.GetName() != "知晓率调查报告.pdf" || pdf.GetContentType() != "application/pdf" {
		t.Errorf("pdf = %v", pdf)
	}

	// March is open until the 20th of April: saved and submitted on time.
	ev := SaveAndSubmit(t, e, tr.Unit1Submitter, id, "1.1", "2026-03", &evidencev1.EvidenceContent{
		Narrative: "三月组织志愿服务 4 次", FileIds: []string{photo.GetId()}})
	if ev.GetState() != evidencev1.EvidenceState_EVIDENCE_STATE_SUBMITTED || len(ev.GetRevisions()) != 1 || ev.GetRevisions()[0].GetFiles()[0].GetId() != photo.GetId() {
		t.Errorf("submitted evidence = %v", ev)
	}
	if due := ev.GetDueTime().AsTime(); !due.Equal(time.Date(2026, 4, 21, 0, 0, 0, 0, Shanghai)) {
		t.Errorf("2026-03 is due before %v, want the end of 20 April in Shanghai", due.In(Shanghai))
	}
	// January closed on the 20th of February: late, with the window in the details.
	r = Save(t, e, tr.Unit1Submitter, id, "1.1", "2026-01", &evidencev1.EvidenceContent{FileIds: []string{photo.GetId()}})
	if r.Code != 400 || r.Reason(t) != "EVIDENCE_WINDOW_CLOSED" || !strings.Contains(preconditions(t, r)["1.1/2026-01"], "2026-02-21 00:00:00") {
		t.Errorf("late evidence: %d %s", r.Code, r.Raw)
	}
	// May has not begun.
	if r := Save(t, e, tr.Unit1Submitter, id, "1.1", "2026-05", &evidencev1.EvidenceContent{FileIds: []string{photo.GetId()}}); r.Reason(t) != "EVIDENCE_WINDOW_CLOSED" {
		t.Errorf("evidence before its period: %d %s", r.Code, r.Raw)
	}
	// The office extends January; only its admins may.
	extend := &evidencev1.ExtendDeadlineRequest{IndicatorCode: "1.1", Period: "2026-01",
		DueTime: timestamppb.New(clock.Now().Add(48 * time.Hour)), Reason: "系统故障补报"}
	for name, token := range map[string]string{"unit": tr.Unit1Admin, "viewer": tr.D1Viewer, "city": tr.CityAdmin, "sibling": tr.D2Admin} {
		if r := e.Do(t, "POST", "/v1/applications/"+id+":extend", token, extend); r.Code != 403 && r.Code != 404 {
			t.Errorf("%s extending: %d %s", name, r.Code, r.Raw)
		}
	}
	extended := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+id+":extend", tr.D1Admin, extend)
	if len(extended.GetExtensions()) != 1 || extended.GetExtensions()[0].GetReason() != "系统故障补报" {
		t.Errorf("extensions = %v", extended.GetExtensions())
	}
	SaveAndSubmit(t, e, tr.Unit1Submitter, id, "1.1", "2026-01", &evidencev1.EvidenceContent{FileIds: []string{photo.GetId()}})

	// Bad input is refused with the field named, and changes nothing.
	for name, c := range map[string]struct {
		code, period string
		draft        *evidencev1.EvidenceContent
		field        string
	}{
		"period of another cadence": {"1.1", "2026-Q1", &evidencev1.EvidenceContent{}, "period"},
		"period of another year":    {"1.1", "2025-03", &evidencev1.EvidenceContent{}, "period"},
		"unknown indicator":         {"9.9", "2026", &evidencev1.EvidenceContent{}, "indicator_code"},
		"a veto takes no evidence":  {"5", "2026", &evidencev1.EvidenceContent{}, "indicator_code"},
		"11 characters":             {"1.3", "2026", &evidencev1.EvidenceContent{Narrative: "一二三四五六七八九十一"}, "draft.narrative"},
		"value where none is taken": {"1.3", "2026", &evidencev1.EvidenceContent{Value: "3"}, "draft.value"},
		"value not a number":        {"1.2", "2026", &evidencev1.EvidenceContent{Value: "八十"}, "draft.value"},
		"a file of no type allowed": {"1.2", "2026", &evidencev1.EvidenceContent{FileIds: []string{photo.GetId()}}, "draft.file_ids[0]"},
		"a file of no application":  {"1.2", "2026", &evidencev1.EvidenceContent{FileIds: []string{"nope"}}, "draft.file_ids[0]"},
	} {
		if r := Save(t, e, tr.Unit1Submitter, id, c.code, c.period, c.draft); r.Code != 400 || r.Field(t) != c.field {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
	}
	// The limit counts characters, not bytes: ten Chinese characters are 30 bytes.
	ten := "一二三四五六七八九十"
	if utf8.RuneCountInString(ten) != 10 || len(ten) != 30 {
		t.Fatal("test text")
	}
	apptest.Must(t, 200, Save(t, e, tr.Unit1Submitter, id, "1.3", "2026", &evidencev1.EvidenceContent{Narrative: ten}))
	// A draft that does not meet its spec is not submitted.
	apptest.Must(t, 200, Save(t, e, tr.Unit1Submitter, id, "1.2", "2026", &evidencev1.EvidenceContent{Narrative: "问卷 300 份"}))
	if r := Submit(t, e, tr.Unit1Submitter, id, "1.2", "2026"); r.Reason(t) != "EVIDENCE_INCOMPLETE" || !strings.Contains(preconditions(t, r)["1.2/2026"], "至少 1 个文件") {
		t.Errorf("submitting without the PDF: %d %s", r.Code, r.Raw)
	}

	// Submitting the application: only in SUBMISSION, and with everything due.
	if r := e.Do(t, "POST", "/v1/applications/"+id+":submit", tr.Unit1Admin, "{}"); r.Reason(t) != "CAMPAIGN_NOT_IN_SUBMISSION" {
		t.Errorf("submitting while OPEN: %d %s", r.Code, r.Raw)
	}
	ToSubmission(t, e, tr.D1Admin, fx.District)
	r = e.Do(t, "POST", "/v1/applications/"+id+":submit", tr.Unit1Admin, "{}")
	got := preconditions(t, r)
	want := []string{"1.1/2026-02", "1.1/2026-03", "1.2/2026", "1.3/2026", "2.1/2026-Q1"}
	if r.Reason(t) != "APPLICATION_INCOMPLETE" || len(got) != len(want)-1 {
		t.Errorf("incomplete application: %d %s", r.Code, r.Raw)
	}
	for _, s := range want {
		_, listed := got[s]
		if listed != (s != "1.1/2026-03") {
			t.Errorf("%s listed = %v in %v", s, listed, got)
		}
	}
	if !strings.Contains(got["1.3/2026"], "未报送") || !strings.Contains(got["1.2/2026"], "测量值") {
		t.Errorf("what is missing is not said: %v", got)
	}
	if r := e.Do(t, "GET", "/v1/applications/"+id+"/checklist", tr.Unit1Submitter, nil); r.Code != 200 {
		t.Errorf("checklist: %d %s", r.Code, r.Raw)
	} else if list := apptest.Decode[*evidencev1.GetChecklistResponse](t, r); len(list.GetRequirements()) != 12+1+1+4+1 || list.GetTimeZone() != "Asia/Shanghai" {
		t.Errorf("checklist has %d items: %v", len(list.GetRequirements()), list)
	}
	// February is late: the office extends everything; then the unit completes the list.
	apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+id+":extend", tr.D1Admin, &evidencev1.ExtendDeadlineRequest{
		DueTime: timestamppb.New(clock.Now().Add(72 * time.Hour)), Reason: "统一补报"})
	SaveAndSubmit(t, e, tr.Unit1Submitter, id, "1.1", "2026-02", &evidencev1.EvidenceContent{FileIds: []string{photo.GetId()}})
	SaveAndSubmit(t, e, tr.Unit1Submitter, id, "1.2", "2026", &evidencev1.EvidenceContent{Value: "87.50", FileIds: []string{pdf.GetId()}})
	SaveAndSubmit(t, e, tr.Unit1Submitter, id, "1.3", "2026", &evidencev1.EvidenceContent{Narrative: ten})
	SaveAndSubmit(t, e, tr.Unit1Submitter, id, "2.1", "2026-Q1", &evidencev1.EvidenceContent{Narrative: "一季度满意度 92%"})
	// Only the unit's admin submits the application.
	if r := e.Do(t, "POST", "/v1/applications/"+id+":submit", tr.Unit1Submitter, "{}"); r.Code != 403 {
		t.Errorf("a submitter submitting the application: %d", r.Code)
	}
	done := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+id+":submit", tr.Unit1Admin, "{}")
	if done.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_SUBMITTED || done.GetSubmitTime() == nil {
		t.Errorf("submitted application = %v", done)
	}
	// A submitted application's evidence is frozen.
	if r := Save(t, e, tr.Unit1Submitter, id, "1.1", "2026-04", &evidencev1.EvidenceContent{FileIds: []string{photo.GetId()}}); r.Reason(t) != "APPLICATION_WRONG_STATE" {
		t.Errorf("evidence after submission: %d %s", r.Code, r.Raw)
	}
	return id
}

// Revisions lists an item's revision numbers and narratives, as read back.
func Revisions(t testing.TB, e *apptest.Env, token, app, code, period string) []string {
	t.Helper()
	ev := apptest.Call[*evidencev1.Evidence](t, e, "GET", itemPath(app, code, period), token, nil)
	var out []string
	for _, r := range ev.GetRevisions() {
		out = append(out, r.GetContent().GetNarrative())
	}
	return out
}

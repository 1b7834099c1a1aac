package evidencetest

import (
	"bufio"
	"bytes"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/filetype"
)

// Limits checks the bounds and checks a hostile client runs into (the classes of the review
// of the evidence service): bounded answers and revision histories, nothing read of an
// upload before the caller is accepted, every string the gateway forwards checked, stored
// names whose extension says what the bytes are, declared types that do not parse, Range
// arithmetic, retries sent with other framing, and numbers only in plain decimals.
func Limits(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) {
	_, token, app := NewUnit(t, e, tr, fx, "u5-admin", "西湖区税务所", "11330106MB0066666")
	photo := File(t, e, token, app, "p.png", PNG(11))

	// A history of at most 50 revisions; saves and submissions answer with the latest only.
	for i := 1; i <= 50; i++ {
		ev := SaveAndSubmit(t, e, token, app, "1.1", "2026-04", &evidencev1.EvidenceContent{Narrative: strconv.Itoa(i), FileIds: []string{photo.GetId()}})
		if len(ev.GetRevisions()) != 1 || ev.GetRevisions()[0].GetNumber() != int32(i) {
			t.Fatalf("submission %d answered with %d revisions", i, len(ev.GetRevisions()))
		}
	}
	apptest.Must(t, 200, Save(t, e, token, app, "1.1", "2026-04", &evidencev1.EvidenceContent{Narrative: "51", FileIds: []string{photo.GetId()}}))
	if r := Submit(t, e, token, app, "1.1", "2026-04"); r.Reason(t) != "REVISION_LIMIT" {
		t.Errorf("the 51st revision: %d %s", r.Code, r.Raw)
	}
	if n := len(Revisions(t, e, tr.D1Admin, app, "1.1", "2026-04")); n != 50 {
		t.Errorf("the history holds %d revisions", n)
	}

	// At most 100 extensions per application: every read of its evidence reads them.
	for i := range 100 {
		apptest.Must(t, 200, e.Do(t, "POST", "/v1/applications/"+app+":extend", tr.D1Admin, &evidencev1.ExtendDeadlineRequest{
			IndicatorCode: "1.1", DueTime: timestamppb.New(time.Now().Add(time.Duration(i+1) * time.Hour)), Reason: "补报"}))
	}
	if r := e.Do(t, "POST", "/v1/applications/"+app+":extend", tr.D1Admin, &evidencev1.ExtendDeadlineRequest{
		DueTime: timestamppb.New(time.Now().Add(200 * time.Hour)), Reason: "补报"}); r.Reason(t) != "EXTENSION_LIMIT" {
		t.Errorf("the 101st extension: %d %s", r.Code, r.Raw)
	}

	// Without a valid token, an upload is refused before its body is read: the answer
	// comes though the client sends nothing of the ten megabytes it announced.
	if code := stalled(t, e, "", app); code != 401 {
		t.Errorf("an anonymous upload that never sends its body: %d", code)
	}
	if code := stalled(t, e, tr.Unit2Admin, app); code != 404 {
		t.Errorf("another unit's upload that never sends its body: %d", code)
	}
	// The unit's own upload announcing more than the limit is refused before it is sent.
	if code := stalled(t, e, token, app); code != 413 {
		t.Errorf("an upload announcing more than the limit: %d", code)
	}

	// A form's own fields do not count toward its file's size; a form whose file does not
	// begin within 64 KiB is refused before the rest of it is read.
	near := append(PNG(13), make([]byte, MaxFileBytes-64-len(PNG(13)))...)
	if r := UploadForm(t, e, token, app, "near.png", "image/png", near); r.Code != 201 {
		t.Errorf("a form whose file is just under the limit: %d %.300s", r.Code, r.Raw)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("padding", strings.Repeat("x", 100<<10))
	fw, _ := mw.CreateFormFile("file", "late.png")
	_, _ = fw.Write(PNG(14))
	_ = mw.Close()
	if r := e.Do(t, "POST", "/v1/applications/"+app+"/files", token, form.Bytes(), apptest.Header{"Content-Type": mw.FormDataContentType()}); r.Code != 400 || r.Field(t) != "file" {
		t.Errorf("a form whose file comes after 100 KiB: %d %s", r.Code, r.Raw)
	}
	// Text is checked across the seam of the sniffed head and the rest.
	seam := append(bytes.Repeat([]byte("a"), filetype.SniffLen-4), "<script>alert(1)</script>"...)
	if r := Upload(t, e, token, app, "seam.txt", seam); r.Code != 415 {
		t.Errorf("markup across the head's end: %d %s", r.Code, r.Raw)
	}

	// Names the gateway reads from headers are checked like every string field.
	for name, h := range map[string]apptest.Header{
		"invalid UTF-8, percent-encoded": {"X-File-Name": "%FF%FE.pdf"},
		"a cut UTF-8 sequence":           {"X-File-Name": "a%C3.pdf"},
		"invalid UTF-8 in filename*":     {"X-File-Name": "", "Content-Disposition": "attachment; filename*=UTF-8''%FF.pdf"},
		"a control character":            {"X-File-Name": "a%01.pdf"},
	} {
		if r := Upload(t, e, token, app, "", PDF(name), h); r.Code != 400 || r.Field(t) != "header.name" {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
	}
	// Text is text to its end: a script after the first pages of innocent text is refused.
	page := bytes.Repeat([]byte("三月志愿服务记录：参与职工一百二十人次。\n"), 1000)
	if r := Upload(t, e, token, app, "记录.txt", append(append([]byte{}, page...), "<script>alert(1)</script>"...)); r.Code != 415 {
		t.Errorf("text with a script after its head: %d %s", r.Code, r.Raw)
	}
	if f := File(t, e, token, app, "记录.txt", page); f.GetContentType() != "text/plain; charset=utf-8" {
		t.Errorf("plain text stored as %q", f.GetContentType())
	}
	// A GB18030 CSV (as Excel writes it) whose first pages are ASCII is GB18030, not UTF-8.
	csv := append(bytes.Repeat([]byte("code,score\r\n"), 1000), "\xce\xf7\xba\xfe\xc7\xf8,95\r\n"...)
	if f := File(t, e, token, app, "成绩.csv", csv); f.GetContentType() != "text/plain; charset=gb18030" {
		t.Errorf("a GB18030 CSV with an ASCII head stored as %q", f.GetContentType())
	}
	// The stored name ends in an extension of what the bytes are.
	if f := File(t, e, token, app, "整改说明.bat", PDF("bat")); f.GetName() != "整改说明.bat.pdf" {
		t.Errorf("a PDF named .bat is stored as %q", f.GetName())
	}
	// A declared type that does not parse claims something, and not the file's type.
	if r := Upload(t, e, token, app, "p.png", PNG(12), apptest.Header{"Content-Type": "application/pdf x"}); r.Code != 415 {
		t.Errorf("a malformed declared type: %d %s", r.Code, r.Raw)
	}
	// The largest last byte is "to the end", not an overflow.
	r := apptest.Must(t, 206, e.Do(t, "GET", "/v1/files/"+photo.GetId()+"/content", token, nil, apptest.Header{"Range": "bytes=0-9223372036854775807"}))
	if !bytes.Equal(r.Raw, PNG(11)) {
		t.Errorf("the whole file as a range: %d bytes", len(r.Raw))
	}
	// A retry sent chunked is the same upload as the first, sent with a Content-Length.
	key := "frame-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	first := apptest.Decode[*evidencev1.File](t, apptest.Must(t, 201, Upload(t, e, token, app, "f.pdf", PDF("framing"), apptest.Header{"Idempotency-Key": key})))
	req, _ := http.NewRequest("PUT", e.Base+"/v1/applications/"+app+"/files", struct{ io.Reader }{bytes.NewReader(PDF("framing"))})
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-File-Name", "f.pdf")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || !strings.Contains(string(raw), first.GetId()) {
		t.Errorf("a chunked retry: %d %s", res.StatusCode, raw)
	}

	// A retry with the key that runs longer than the first request is refused once it
	// does, without the rest of it being read: here 2 MiB of a 10 MB body, then silence.
	if code := stalledAfter(t, e, token, app, key, bytes.Repeat([]byte("%PDF-"), 2<<20/5)); code != 422 {
		t.Errorf("a longer retry with the key: %d", code)
	}

	// Numbers are plain decimals, stored as the number they show.
	for _, v := range []string{"0x1F", "0b101", "1e2", "+7.5", "1_0"} {
		if r := Save(t, e, token, app, "1.2", "2026", &evidencev1.EvidenceContent{Value: v}); r.Code != 400 || r.Field(t) != "draft.value" {
			t.Errorf("value %q: %d %s", v, r.Code, r.Raw)
		}
	}
	ev := apptest.Decode[*evidencev1.Evidence](t, apptest.Must(t, 200, Save(t, e, token, app, "1.2", "2026", &evidencev1.EvidenceContent{Value: "87.5"})))
	if ev.GetDraft().GetValue() != "87.50" {
		t.Errorf("87.5 stored as %q", ev.GetDraft().GetValue())
	}
}

// stalled announces a 10 MB upload as token (none when empty), sends none of it, and
// returns the status the gateway answers with anyway.
func stalled(t *testing.T, e *apptest.Env, token, app string) int {
	t.Helper()
	return stalledAfter(t, e, token, app, "", nil)
}

// stalledAfter announces a 10 MB upload as token with an Idempotency-Key (none when
// empty), sends sent of it, goes quiet, and returns the status the gateway answers with.
func stalledAfter(t *testing.T, e *apptest.Env, token, app, key string, sent []byte) int {
	t.Helper()
	u, _ := url.Parse(e.Base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	auth := ""
	if token != "" {
		auth = "Authorization: Bearer " + token + "\r\n"
	}
	if key != "" {
		auth += "Idempotency-Key: " + key + "\r\n"
	}
	req := "PUT /v1/applications/" + app + "/files HTTP/1.1\r\nHost: " + u.Host + "\r\n" + auth +
		"X-File-Name: big.pdf\r\nContent-Type: application/pdf\r\nContent-Length: 10000000\r\n\r\n" + string(sent)
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an upload that sends no body: %v", err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

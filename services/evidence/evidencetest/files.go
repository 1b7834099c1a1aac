package evidencetest

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// NewUnit registers a unit of D1 with an admin (login, password login+"-password") and
// applies it to the district's second campaign; it returns the unit, the admin's token and the
// application.
func NewUnit(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture, login, name, codeBody string) (unit, token, app string) {
	t.Helper()
	u := apptest.Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
		DisplayName: name, CreditCode: apptest.CreditCode(codeBody), Category: tenancyv1.UnitCategory_UNIT_CATEGORY_SCHOOL,
	})
	e.User(t, tr.D1Admin, "/v1/units/"+u.GetId()+"/users", login, authzv1.Role_ROLE_UNIT_ADMIN)
	token, _ = e.Login(t, login, login+"-password")
	a := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+fx.Second+"/applications", token, &evidencev1.Application{})
	return u.GetId(), token, a.GetId()
}

// fileCount is how many files an application holds.
func fileCount(t *testing.T, e *apptest.Env, token, app string) int {
	t.Helper()
	return len(apptest.Call[*evidencev1.ListFilesResponse](t, e, "GET", "/v1/applications/"+app+"/files", token, nil).GetFiles())
}

// Files checks uploads and downloads: hostile names and types, empty, oversized and
// truncated bodies refused with nothing stored, downloads with their headers and ranges,
// retries with an Idempotency-Key that store once, and copied evidence flagged for the
// office. other is an application of another unit in D1's other campaign of the year that
// uploaded PNG(1).
func Files(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture, other string) {
	_, token, app := NewUnit(t, e, tr, fx, "u3-admin", "西湖区实验小学", "12330106MB0012345")
	html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
	for name, c := range map[string]struct {
		body    []byte
		headers apptest.Header
		code    int
		reason  string
	}{
		"HTML as a PNG":     {html, apptest.Header{"Content-Type": "image/png"}, 415, "FILE_TYPE_REFUSED"},
		"HTML undeclared":   {html, nil, 415, "FILE_TYPE_REFUSED"},
		"a PNG as a PDF":    {PNG(2), apptest.Header{"Content-Type": "application/pdf"}, 415, "FILE_TYPE_MISMATCH"},
		"an executable":     {append([]byte("MZ\x90\x00"), make([]byte, 200)...), nil, 415, "FILE_TYPE_REFUSED"},
		"empty":             {[]byte{}, nil, 400, "INVALID_ARGUMENT"},
		"one byte too many": {append(PNG(3), make([]byte, MaxFileBytes)...), nil, 413, "FILE_TOO_LARGE"},
	} {
		r := Upload(t, e, token, app, "x.png", c.body, c.headers)
		if r.Code != c.code || r.Reason(t) != c.reason {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
	}
	// Names keep only what is safe to show: the last path element, trimmed, at most 255
	// bytes. Control and invisible format characters (a bidi override makes "fdp.exe"
	// read "exe.pdf") are refused, as in every string field.
	for _, raw := range []string{"a\x01b.pdf", "a\x7fb.pdf", "report\u202efdp.exe.pdf", "zero\u200bwidth.pdf", "a\nb.pdf"} {
		if r := Upload(t, e, token, app, raw, PDF(raw)); r.Code != 400 || r.Field(t) != "header.name" {
			t.Errorf("name %q: %d %s", raw, r.Code, r.Raw)
		}
	}
	for raw, want := range map[string]string{
		"..\\..\\windows\\证明.pdf":         "证明.pdf",
		"../../etc/passwd.pdf":            "passwd.pdf",
		"  空格.pdf  ":                      "空格.pdf",
		strings.Repeat("长", 200) + ".pdf": "",
	} {
		f := File(t, e, token, app, raw, PDF(raw))
		if want == "" {
			if len(f.GetName()) > 255 || !strings.HasSuffix(f.GetName(), ".pdf") {
				t.Errorf("a long name became %q (%d bytes)", f.GetName(), len(f.GetName()))
			}
		} else if f.GetName() != want {
			t.Errorf("name %q became %q, want %q", raw, f.GetName(), want)
		}
	}
	if r := Upload(t, e, token, app, "", PDF("x")); r.Code != 400 || r.Field(t) != "header.name" {
		t.Errorf("no name: %d %s", r.Code, r.Raw)
	}
	// A body that stops before its Content-Length stores nothing.
	before := fileCount(t, e, token, app)
	// Always 400, however the client's leaving races the service's answer.
	for i := range 10 {
		if code := truncated(t, e, token, app, PDF("truncated")); code != 400 {
			t.Errorf("a truncated body, try %d: %d", i, code)
		}
	}
	if n := fileCount(t, e, token, app); n != before {
		t.Errorf("a truncated upload stored a file: %d files, had %d", n, before)
	}

	// Downloads: the bytes, the headers that keep a browser from rendering them, ranges.
	content := PNG(1)
	f := File(t, e, token, app, "志愿服务 照片.png", content)
	get := func(token string, h apptest.Header) apptest.Resp {
		return e.Do(t, "GET", "/v1/files/"+f.GetId()+"/content", token, nil, h)
	}
	r := apptest.Must(t, 200, get(token, nil))
	if !bytes.Equal(r.Raw, content) {
		t.Errorf("downloaded %d bytes, uploaded %d", len(r.Raw), len(content))
	}
	for k, want := range map[string]string{
		"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "ETag": `"` + f.GetSha256() + `"`,
		"Content-Disposition": "attachment; filename*=UTF-8''" + url.PathEscape("志愿服务 照片.png"), "Accept-Ranges": "bytes",
		"Content-Length": strconv.Itoa(len(content)), "Cache-Control": "no-store",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("no sandbox: %q", r.Header.Get("Content-Security-Policy"))
	}
	n := len(content)
	for rng, want := range map[string]struct {
		code       int
		body       []byte
		contentRng string
	}{
		"bytes=2-5":     {206, content[2:6], "bytes 2-5/" + strconv.Itoa(n)},
		"bytes=10-":     {206, content[10:], "bytes 10-" + strconv.Itoa(n-1) + "/" + strconv.Itoa(n)},
		"bytes=-3":      {206, content[n-3:], "bytes " + strconv.Itoa(n-3) + "-" + strconv.Itoa(n-1) + "/" + strconv.Itoa(n)},
		"bytes=5-2":     {200, content, ""},
		"bytes=0-1,4-5": {200, content, ""},
		"bytes=999999-": {416, nil, "bytes */" + strconv.Itoa(n)},
	} {
		r := get(token, apptest.Header{"Range": rng})
		if r.Code != want.code || (want.body != nil && !bytes.Equal(r.Raw, want.body)) || r.Header.Get("Content-Range") != want.contentRng {
			t.Errorf("Range %s: %d %q %q", rng, r.Code, r.Header.Get("Content-Range"), r.Raw)
		}
	}
	if r := get(token, apptest.Header{"If-None-Match": `"` + f.GetSha256() + `"`}); r.Code != 304 {
		t.Errorf("If-None-Match: %d", r.Code)
	}
	// Offices in the unit's line read it; nobody else learns it exists.
	for name, c := range map[string]struct {
		token string
		code  int
	}{
		"district admin": {tr.D1Admin, 200}, "district viewer": {tr.D1Viewer, 200}, "city": {tr.CityAdmin, 200}, "province": {tr.ProvAdmin, 200},
		"sibling district": {tr.D2Admin, 404}, "other province": {tr.Prov2Admin, 404}, "other unit": {tr.Unit1Admin, 404}, "no token": {"", 401},
	} {
		if r := get(c.token, nil); r.Code != c.code {
			t.Errorf("%s downloading: %d, want %d", name, r.Code, c.code)
		}
		if r := e.Do(t, "GET", "/v1/files/"+f.GetId(), c.token, nil); r.Code != c.code {
			t.Errorf("%s reading the file: %d, want %d", name, r.Code, c.code)
		}
	}

	// Copied evidence: the same bytes as another unit's file in a campaign of the same year
	// below the same office are flagged
	// for the office, naming the other unit; the unit itself sees no flag.
	seen := apptest.Call[*evidencev1.File](t, e, "GET", "/v1/files/"+f.GetId(), tr.D1Admin, nil)
	if len(seen.GetCopies()) != 1 || seen.GetCopies()[0].GetApplicationId() != other || seen.GetCopies()[0].GetUnitDisplayName() != "西湖区图书馆" {
		t.Errorf("copies seen by the district = %v", seen.GetCopies())
	}
	if own := apptest.Call[*evidencev1.File](t, e, "GET", "/v1/files/"+f.GetId(), token, nil); len(own.GetCopies()) != 0 {
		t.Errorf("the unit sees copies: %v", own.GetCopies())
	}

	// Retries with an Idempotency-Key store once; the same key with other bytes is refused.
	key := apptest.Header{"Idempotency-Key": "upload-" + strconv.FormatInt(time.Now().UnixNano(), 10)}
	before = fileCount(t, e, token, app)
	first := apptest.Decode[*evidencev1.File](t, apptest.Must(t, 201, Upload(t, e, token, app, "retry.pdf", PDF("retry"), key)))
	again := Upload(t, e, token, app, "retry.pdf", PDF("retry"), key)
	if again.Code != 201 || apptest.Decode[*evidencev1.File](t, again).GetId() != first.GetId() {
		t.Errorf("a retried upload: %d %s", again.Code, again.Raw)
	}
	if r := Upload(t, e, token, app, "retry.pdf", PDF("other"), key); r.Code != 422 || r.Reason(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("the key with other bytes: %d %s", r.Code, r.Raw)
	}
	if n := fileCount(t, e, token, app); n != before+1 {
		t.Errorf("%d files after a retried upload, want %d", n, before+1)
	}
	apptest.Must(t, 200, Save(t, e, token, app, "1.1", "2026-04", &evidencev1.EvidenceContent{FileIds: []string{f.GetId()}}))
	skey := apptest.Header{"Idempotency-Key": "submit-" + strconv.FormatInt(time.Now().UnixNano(), 10)}
	s1 := apptest.Decode[*evidencev1.Evidence](t, apptest.Must(t, 200, Submit(t, e, token, app, "1.1", "2026-04", skey)))
	s2 := Submit(t, e, token, app, "1.1", "2026-04", skey)
	if s2.Code != 200 || apptest.Decode[*evidencev1.Evidence](t, s2).GetRevisionCount() != 1 || s1.GetRevisionCount() != 1 {
		t.Errorf("a retried submission: %d %s", s2.Code, s2.Raw)
	}
}

// truncated sends an upload whose body stops before its declared Content-Length, then
// half-closes the connection, and returns the status the gateway answers.
func truncated(t *testing.T, e *apptest.Env, token, app string, content []byte) int {
	t.Helper()
	u, err := url.Parse(e.Base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	req := "PUT /v1/applications/" + app + "/files HTTP/1.1\r\nHost: " + u.Host + "\r\nAuthorization: Bearer " + token +
		"\r\nX-File-Name: t.pdf\r\nContent-Type: application/pdf\r\nContent-Length: " + strconv.Itoa(len(content)+1000) + "\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), content...)); err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to a truncated upload: %v", err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

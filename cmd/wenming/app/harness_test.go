package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

const adminPassword = "platform-admin-pw"

// env is one running all-in-one process and a REST client for it.
type env struct {
	t    testing.TB
	app  *app.App
	base string
}

func start(t testing.TB, kind storetest.Kind) *env {
	t.Helper()
	a, err := app.Start(context.Background(), app.Config{
		DatabaseURL:   storetest.URL(t, kind),
		RedisURL:      storetest.RedisURL(t),
		RedisPrefix:   "wenming-test:" + uuid.NewString() + ":",
		DataDir:       t.TempDir(),
		HTTPAddr:      "127.0.0.1:0",
		GRPCAddr:      "127.0.0.1:0",
		MetricsAddr:   "127.0.0.1:0",
		AdminPassword: adminPassword,
		Log:           io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &env{t: t, app: a, base: "http://" + a.HTTPAddr}
}

// resp is a decoded REST response.
type resp struct {
	Code   int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (r resp) str(key string) string {
	s, _ := r.Body[key].(string)
	return s
}

// reason returns the ErrorInfo reason of an error response.
func (r resp) reason() string {
	details, _ := r.Body["details"].([]any)
	for _, d := range details {
		m, _ := d.(map[string]any)
		if m["@type"] == "type.googleapis.com/google.rpc.ErrorInfo" {
			s, _ := m["reason"].(string)
			return s
		}
	}
	return ""
}

// field returns the first field violation's field name.
func (r resp) field() string {
	details, _ := r.Body["details"].([]any)
	for _, d := range details {
		m, _ := d.(map[string]any)
		if m["@type"] == "type.googleapis.com/google.rpc.BadRequest" {
			vs, _ := m["fieldViolations"].([]any)
			if len(vs) > 0 {
				v, _ := vs[0].(map[string]any)
				s, _ := v["field"].(string)
				return s
			}
		}
	}
	return ""
}

type hdr map[string]string

func (e *env) do(method, path, token string, body any, h ...hdr) resp {
	e.t.Helper()
	var rd io.Reader
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
		rd = strings.NewReader(b)
	case []byte:
		sent = b
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		sent = j
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, m := range h {
		for k, v := range m {
			req.Header.Set(k, v)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{Code: res.StatusCode, Header: res.Header, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	// The OpenAPI test records the exchanges of the env it watches (openapi_test.go).
	if rec, ok := recorders.Load(e); ok {
		rec.(*recorder).add(exchange{Method: method, Path: path, Header: req.Header.Clone(), Body: sent,
			Status: res.StatusCode, RespHeader: res.Header.Clone(), RespBody: raw})
	}
	return out
}

// must fails the test unless the response has status want.
func (e *env) must(want int, r resp) resp {
	e.t.Helper()
	if r.Code != want {
		e.t.Fatalf("status %d, want %d: %s", r.Code, want, r.Raw)
	}
	return r
}

func (e *env) login(login, password string) (access, refresh string) {
	e.t.Helper()
	r := e.must(200, e.do("POST", "/v1/auth/login", "", map[string]string{"login": login, "password": password}))
	return r.str("accessToken"), r.str("refreshToken")
}

// tree is a small hierarchy with users at every level, and a second province.
type tree struct {
	platform                   string
	province, city, d1, d2     string // office ids
	province2                  string
	provAdmin, cityAdmin       string // tokens
	d1Admin, d1Viewer, d2Admin string
	prov2Admin                 string
	unit1, unit2               string // unit ids (unit1 in d1, unit2 in d2)
	unit1Admin, unit2Admin     string // tokens
	unit1Submitter             string
	unit1AdminID, d2AdminID    string // user ids
	d1Etag                     string
}

var creditCodes = []string{
	"91350100M000100Y43", "91110000802100433B",
}

func (e *env) office(token, parent, name, level, region string) string {
	e.t.Helper()
	body := map[string]any{"displayName": name, "level": level, "regionCode": region}
	if parent != "" {
		body["parentId"] = parent
	}
	return e.must(200, e.do("POST", "/v1/offices", token, body)).str("id")
}

func (e *env) user(token, path, login string, roles ...string) string {
	e.t.Helper()
	return e.must(200, e.do("POST", path, token, map[string]any{
		"login": login, "password": login + "-password", "displayName": login, "roles": roles,
	})).str("id")
}

func (e *env) buildTree() *tree {
	e.t.Helper()
	tr := &tree{}
	tr.platform, _ = e.login("admin", adminPassword)
	tr.province = e.office(tr.platform, "", "浙江省文明办", "LEVEL_PROVINCIAL", "330000")
	tr.province2 = e.office(tr.platform, "", "江苏省文明办", "LEVEL_PROVINCIAL", "320000")
	e.user(tr.platform, "/v1/offices/"+tr.province+"/users", "prov-admin", "ROLE_OFFICE_ADMIN")
	e.user(tr.platform, "/v1/offices/"+tr.province2+"/users", "prov2-admin", "ROLE_OFFICE_ADMIN")
	tr.provAdmin, _ = e.login("prov-admin", "prov-admin-password")
	tr.prov2Admin, _ = e.login("prov2-admin", "prov2-admin-password")

	tr.city = e.office(tr.provAdmin, tr.province, "杭州市文明办", "LEVEL_MUNICIPAL", "330100")
	e.user(tr.provAdmin, "/v1/offices/"+tr.city+"/users", "city-admin", "ROLE_OFFICE_ADMIN")
	tr.cityAdmin, _ = e.login("city-admin", "city-admin-password")
	tr.d1 = e.office(tr.cityAdmin, tr.city, "西湖区文明办", "LEVEL_DISTRICT", "330106")
	tr.d2 = e.office(tr.cityAdmin, tr.city, "上城区文明办", "LEVEL_DISTRICT", "330102")
	e.user(tr.cityAdmin, "/v1/offices/"+tr.d1+"/users", "d1-admin", "ROLE_OFFICE_ADMIN")
	tr.d2AdminID = e.user(tr.cityAdmin, "/v1/offices/"+tr.d2+"/users", "d2-admin", "ROLE_OFFICE_ADMIN")
	tr.d1Admin, _ = e.login("d1-admin", "d1-admin-password")
	tr.d2Admin, _ = e.login("d2-admin", "d2-admin-password")
	e.user(tr.d1Admin, "/v1/offices/"+tr.d1+"/users", "d1-viewer", "ROLE_OFFICE_VIEWER")
	tr.d1Viewer, _ = e.login("d1-viewer", "d1-viewer-password")

	tr.unit1 = e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, map[string]any{
		"displayName": "西湖区图书馆", "creditCode": creditCodes[0], "category": "UNIT_CATEGORY_PUBLIC_INSTITUTION",
	})).str("id")
	tr.unit2 = e.must(200, e.do("POST", "/v1/offices/"+tr.d2+"/units", tr.d2Admin, map[string]any{
		"displayName": "上城区人民医院", "creditCode": creditCodes[1], "category": "UNIT_CATEGORY_HOSPITAL",
	})).str("id")
	tr.unit1AdminID = e.user(tr.d1Admin, "/v1/units/"+tr.unit1+"/users", "u1-admin", "ROLE_UNIT_ADMIN")
	e.user(tr.d2Admin, "/v1/units/"+tr.unit2+"/users", "u2-admin", "ROLE_UNIT_ADMIN")
	e.user(tr.d1Admin, "/v1/units/"+tr.unit1+"/users", "u1-submitter", "ROLE_UNIT_SUBMITTER")
	tr.unit1Admin, _ = e.login("u1-admin", "u1-admin-password")
	tr.unit2Admin, _ = e.login("u2-admin", "u2-admin-password")
	tr.unit1Submitter, _ = e.login("u1-submitter", "u1-submitter-password")
	tr.d1Etag = e.must(200, e.do("GET", "/v1/offices/"+tr.d1, tr.d1Admin, nil)).str("etag")
	return tr
}

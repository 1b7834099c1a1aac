package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// testAccountTakeovers tries the ways an admin or a machine client could take over
// accounts it does not own.
func testAccountTakeovers(t *testing.T, e *env, tr *tree) {
	e.t = t
	// An admin cannot reset their own password through the admin reset: it skips the
	// current-password check and its rate limit.
	me := e.must(200, e.do("GET", "/v1/auth/me", tr.d1Admin, nil)).str("subject")
	if r := e.do("POST", "/v1/users/"+me+":resetPassword", tr.d1Admin, map[string]string{"newPassword": "taken-over-1234"}); r.Code != 400 || r.field() != "user_id" {
		t.Errorf("resetting one's own password: %d %s", r.Code, r.Raw)
	}

	// A parent cannot plant users in a child that has an admin: neither an admin nor anyone else.
	for _, roles := range [][]string{{"ROLE_OFFICE_ADMIN"}, {"ROLE_OFFICE_REVIEWER"}} {
		r := e.do("POST", "/v1/offices/"+tr.d1+"/users", tr.cityAdmin, map[string]any{"login": "planted", "password": "planted-password", "roles": roles})
		if r.Code != 400 || r.reason() != "OFFICE_HAS_ADMIN" {
			t.Errorf("city planting %v in a district with an admin: %d %s", roles, r.Code, r.Raw)
		}
	}
	// Nor the platform admin, while the district's admin can act.
	if r := e.do("POST", "/v1/offices/"+tr.d1+"/users", tr.platform, map[string]any{"login": "planted", "password": "planted-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}); r.Code != 400 || r.reason() != "OFFICE_HAS_ADMIN" {
		t.Errorf("platform admin planting an admin: %d %s", r.Code, r.Raw)
	}
	// A new district: its parent creates its first admin, and only an admin, and only once.
	d3 := e.office(tr.cityAdmin, tr.city, "滨江区文明办", "LEVEL_DISTRICT", "330108")
	if r := e.do("POST", "/v1/offices/"+d3+"/users", tr.cityAdmin, map[string]any{"login": "d3-reviewer", "password": "d3-reviewer-password", "roles": []string{"ROLE_OFFICE_REVIEWER"}}); r.Code != 400 || r.field() != "user.roles" {
		t.Errorf("parent creating a child's reviewer: %d %s", r.Code, r.Raw)
	}
	if r := e.do("POST", "/v1/offices/"+d3+"/users", tr.provAdmin, map[string]any{"login": "d3-admin", "password": "d3-admin-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}); r.Code != 403 {
		t.Errorf("grandparent creating a district's first admin: %d %s", r.Code, r.Raw)
	}
	e.user(tr.cityAdmin, "/v1/offices/"+d3+"/users", "d3-admin", "ROLE_OFFICE_ADMIN")
	if r := e.do("POST", "/v1/offices/"+d3+"/users", tr.cityAdmin, map[string]any{"login": "d3-admin2", "password": "d3-admin2-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}); r.Code != 400 || r.reason() != "OFFICE_HAS_ADMIN" {
		t.Errorf("parent creating a second admin: %d %s", r.Code, r.Raw)
	}
	// The district runs itself: its admin adds a second admin.
	d3Admin, _ := e.login("d3-admin", "d3-admin-password")
	e.user(d3Admin, "/v1/offices/"+d3+"/users", "d3-admin2", "ROLE_OFFICE_ADMIN")
	d3Admin2, _ := e.login("d3-admin2", "d3-admin2-password")
	// Left without an admin who can act, it is recovered by the platform admin, audited.
	first := e.must(200, e.do("GET", "/v1/auth/me", d3Admin, nil)).str("subject")
	e.must(200, e.do("POST", "/v1/users/"+first+":disable", d3Admin2, map[string]any{}))
	second := e.must(200, e.do("GET", "/v1/auth/me", d3Admin2, nil)).str("subject")
	e.must(200, e.do("POST", "/v1/users/"+second+":disable", tr.platform, map[string]any{}))
	if r := e.do("POST", "/v1/offices/"+d3+"/users", tr.cityAdmin, map[string]any{"login": "d3-admin3", "password": "d3-admin3-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}); r.Code != 400 || r.reason() != "OFFICE_HAS_ADMIN" {
		t.Errorf("parent recovering a child: %d %s", r.Code, r.Raw)
	}
	e.user(tr.platform, "/v1/offices/"+d3+"/users", "d3-admin3", "ROLE_OFFICE_ADMIN")
	d3Admin3, _ := e.login("d3-admin3", "d3-admin3-password")
	trail := e.must(200, e.do("GET", "/v1/offices/"+d3+"/audit-events?pageSize=500", d3Admin3, nil))
	if !strings.Contains(string(trail.Raw), "user.create_recovery_admin") {
		t.Errorf("the recovery is not in the district's trail: %s", trail.Raw)
	}

	// Logins are unique without regard to letter case, and log in in any case.
	if r := e.do("POST", "/v1/offices/"+tr.d1+"/users", tr.d1Admin, map[string]any{"login": "D1-Viewer", "password": "impostor-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}); r.Code != 409 {
		t.Errorf("a login differing only in case: %d %s", r.Code, r.Raw)
	}
	e.login("D1-VIEWER", "d1-viewer-password")

	// A service account, even an admin one, manages no accounts: its secret must not equal
	// the office's people.
	sa := e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/service-accounts", tr.d1Admin, map[string]any{"displayName": "同步", "roles": []string{"ROLE_OFFICE_ADMIN"}}))
	tok := e.must(200, e.do("POST", "/v1/auth/token", "", map[string]string{"grantType": "client_credentials", "clientId": sa.str("clientId"), "clientSecret": sa.str("clientSecret")})).str("accessToken")
	viewerID := e.must(200, e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d1-viewer", "password": "d1-viewer-password"})).str("accessToken")
	viewerSubject := e.must(200, e.do("GET", "/v1/auth/me", viewerID, nil)).str("subject")
	for name, r := range map[string]resp{
		"create an admin":          e.do("POST", "/v1/offices/"+tr.d1+"/users", tok, map[string]any{"login": "sa-made", "password": "sa-made-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}),
		"reset a password":         e.do("POST", "/v1/users/"+viewerSubject+":resetPassword", tok, map[string]string{"newPassword": "sa-reset-1234"}),
		"disable a user":           e.do("POST", "/v1/users/"+viewerSubject+":disable", tok, map[string]any{}),
		"create a service account": e.do("POST", "/v1/offices/"+tr.d1+"/service-accounts", tok, map[string]any{"displayName": "x", "roles": []string{"ROLE_OFFICE_ADMIN"}}),
	} {
		if r.Code != 403 {
			t.Errorf("admin service account may %s: %d %s", name, r.Code, r.Raw)
		}
	}
}

// testIdentifiers feeds codes and names that pass a format check but name nothing, or
// would let one thing pass for another.
func testIdentifiers(t *testing.T, e *env, tr *tree) {
	e.t = t
	office := func(tok, parent, level, region string) resp {
		body := map[string]any{"displayName": "某文明办", "level": level, "regionCode": region}
		if parent != "" {
			body["parentId"] = parent
		}
		return e.do("POST", "/v1/offices", tok, body)
	}
	for _, c := range []struct {
		name, tok, parent, level, region string
	}{
		{"all zeros", tr.platform, "", "LEVEL_PROVINCIAL", "000000"},
		{"all nines", tr.platform, "", "LEVEL_PROVINCIAL", "999999"},
		{"a city's code for a province", tr.platform, "", "LEVEL_PROVINCIAL", "330100"},
		{"a district outside its city", tr.cityAdmin, tr.city, "LEVEL_DISTRICT", "110105"},
		{"a city outside its province", tr.provAdmin, tr.province, "LEVEL_MUNICIPAL", "320100"},
		{"a province's code for a district", tr.cityAdmin, tr.city, "LEVEL_DISTRICT", "330000"},
	} {
		if r := office(c.tok, c.parent, c.level, c.region); r.Code != 400 || r.field() != "office.region_code" {
			t.Errorf("%s (%s): %d %s", c.name, c.region, r.Code, r.Raw)
		}
	}
	// A region change must keep the office inside its parent and its children inside it.
	d1 := e.must(200, e.do("GET", "/v1/offices/"+tr.d1, tr.d1Admin, nil))
	if r := e.do("PATCH", "/v1/offices/"+tr.d1+"?updateMask=regionCode", tr.d1Admin, map[string]any{"regionCode": "110105", "etag": d1.str("etag")}); r.Code != 400 || r.field() != "office.region_code" {
		t.Errorf("moving a district out of its city: %d %s", r.Code, r.Raw)
	}
	city := e.must(200, e.do("GET", "/v1/offices/"+tr.city, tr.cityAdmin, nil))
	if r := e.do("PATCH", "/v1/offices/"+tr.city+"?updateMask=regionCode", tr.cityAdmin, map[string]any{"regionCode": "330200", "etag": city.str("etag")}); r.Code != 400 || r.field() != "office.region_code" {
		t.Errorf("moving a city away from its districts: %d %s", r.Code, r.Raw)
	}
	unit := func(tok, office, name, code string) resp {
		return e.do("POST", "/v1/offices/"+office+"/units", tok, map[string]any{"displayName": name, "creditCode": code, "category": "UNIT_CATEGORY_OTHER"})
	}
	if r := unit(tr.d1Admin, tr.d1, "零", "000000000000000000"); r.Code != 400 || r.field() != "unit.credit_code" {
		t.Errorf("all-zero credit code: %d %s", r.Code, r.Raw)
	}
	// A code taken outside the caller's subtree: 409 without saying where.
	r := unit(tr.d1Admin, tr.d1, "抢注", creditCodes[1])
	if r.Code != 409 || r.reason() != "CREDIT_CODE_TAKEN" || strings.Contains(string(r.Raw), tr.unit2) || strings.Contains(string(r.Raw), "上城区") {
		t.Errorf("credit code taken in a sibling district: %d %s", r.Code, r.Raw)
	}
	// Inside it, the answer names the unit that holds it.
	if r := unit(tr.cityAdmin, tr.city, "重复", creditCodes[1]); r.Code != 409 || !strings.Contains(string(r.Raw), tr.unit2) {
		t.Errorf("credit code taken below the caller: %d %s", r.Code, r.Raw)
	}
}

// testHardening checks what the API port shows and what caches may keep.
func testHardening(t *testing.T, e *env, tr *tree) {
	e.t = t
	// Metrics are on their own address, never on the public port.
	if r := e.do("GET", "/metrics", "", nil); r.Code != 404 {
		t.Errorf("/metrics on the API port: %d", r.Code)
	}
	res, err := http.Get("http://" + e.app.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "wenming_grpc_server_handled_total") {
		t.Errorf("metrics address: %d %.200s", res.StatusCode, body)
	}
	// Tokens and what a signed-in caller reads are never cached.
	login := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d1-viewer", "password": "d1-viewer-password"})
	read := e.do("GET", "/v1/units/"+tr.unit1, tr.d1Admin, nil)
	for name, r := range map[string]resp{"login": login, "authenticated read": read} {
		if r.Code != 200 || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d Cache-Control %q", name, r.Code, r.Header.Get("Cache-Control"))
		}
	}
}

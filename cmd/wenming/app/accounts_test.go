package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/tenancy"
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

// operator is what `wenming admin unlock` and `release-credit-code` build, over this
// process's store, trail and Redis.
func operator(t *testing.T, e *env) *tenancy.Server {
	revoked, err := auth.NewRevocations(context.Background(), e.app.Store())
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.NewServer(tenancy.Deps{Store: e.app.Store(), Revocations: revoked, Limiter: cache.NewLimiter(e.app.Redis()), Audit: e.app.Audit()})
}

// testUnlock recovers the account testRateLimit locked: the operator clears the counters
// and sets a new password, and the account logs in from anywhere at once.
func testUnlock(t *testing.T, e *env, tr *tree) {
	e.t = t
	// From an address the account never logged in from: its usual ones are spared the lock.
	elsewhere := hdr{"X-Forwarded-For": "198.51.100.99"}
	if r := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d2-admin", "password": "d2-admin-password"}, elsewhere); r.Code != 429 {
		t.Fatalf("the account is not locked: %d", r.Code)
	}
	if err := operator(t, e).Unlock(context.Background(), "D2-Admin", "recovered-password-1"); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d2-admin", "password": "d2-admin-password"}, elsewhere); r.Code != 401 {
		t.Errorf("the old password after an unlock with a new one: %d", r.Code)
	}
	e.must(200, e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d2-admin", "password": "recovered-password-1"}, elsewhere))
	trail := e.must(200, e.do("GET", "/v1/offices/"+tr.d2+"/audit-events?pageSize=500", tr.cityAdmin, nil))
	if s := string(trail.Raw); !strings.Contains(s, "auth.unlock") || !strings.Contains(s, "user.password_reset_by_operator") || strings.Contains(s, "recovered-password-1") {
		t.Errorf("the unlock in the trail: %.300s", s)
	}
}

// testReleaseCreditCode: a code squatted by the city (outside the district's subtree) is
// released by the operator, and then the rightful district registers it.
func testReleaseCreditCode(t *testing.T, e *env, tr *tree) {
	e.t = t
	code := "91330106MA2CFQ0W8" // a 17-character body; the check character is added below
	code += checkChar(code)
	squat := e.must(200, e.do("POST", "/v1/offices/"+tr.city+"/units", tr.cityAdmin, map[string]any{"displayName": "抢注的单位", "creditCode": code, "category": "UNIT_CATEGORY_OTHER"})).str("id")
	register := func() resp {
		return e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, map[string]any{"displayName": "西湖区某公司", "creditCode": code, "category": "UNIT_CATEGORY_PRIVATE_ENTERPRISE"})
	}
	if r := register(); r.Code != 409 || strings.Contains(string(r.Raw), squat) {
		t.Fatalf("registering a squatted code: %d %s", r.Code, r.Raw)
	}
	op := operator(t, e)
	if _, err := op.ReleaseCreditCode(context.Background(), squat, " "); err == nil {
		t.Error("a release without a reason")
	}
	if got, err := op.ReleaseCreditCode(context.Background(), squat, "营业执照核查：该代码属西湖区某公司"); err != nil || got != code {
		t.Fatalf("release = %q, %v", got, err)
	}
	e.must(200, register())
	if u := e.must(200, e.do("GET", "/v1/units/"+squat, tr.cityAdmin, nil)); !strings.HasPrefix(u.str("creditCode"), "RELEASED-"+code) {
		t.Errorf("the squatting unit's code: %s", u.Raw)
	}
	platform := string(e.must(200, e.do("GET", "/v1/offices/platform/audit-events?pageSize=500", tr.platform, nil)).Raw)
	if !strings.Contains(platform, "unit.credit_code_released") || !strings.Contains(platform, "营业执照核查") {
		t.Errorf("the release is not in the platform trail")
	}
}

// checkChar is the GB 32100-2015 check character of a 17-character prefix.
func checkChar(prefix string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(chars, prefix[i]) * weights[i]
	}
	return string(chars[(31-sum%31)%31])
}

// A service account's secret is shown once: a retry with the same Idempotency-Key gets the
// account without it, and the stored answer never holds it.
func testSecretNotKeptForRetries(t *testing.T, e *env, tr *tree) {
	e.t = t
	key := hdr{"Idempotency-Key": "sa-create-secret-1"}
	body := map[string]any{"displayName": "汇总拉取", "roles": []string{"ROLE_OFFICE_VIEWER"}}
	first := e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/service-accounts", tr.d1Admin, body, key))
	secret := first.str("clientSecret")
	if secret == "" {
		t.Fatalf("no secret on create: %s", first.Raw)
	}
	retry := e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/service-accounts", tr.d1Admin, body, key))
	if retry.str("id") != first.str("id") || retry.str("clientSecret") != "" {
		t.Errorf("retry = %s", retry.Raw)
	}
	recs, err := e.app.Store().Client.IdempotencyRecord.Query().All(store.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.Contains(string(r.Response), secret) {
			t.Error("the secret is stored with the idempotency record")
		}
	}
}

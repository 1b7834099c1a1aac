package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestTenancy runs the tenancy suite through the real REST gateway on every store.
func TestTenancy(t *testing.T) {
	for _, kind := range []storetest.Kind{storetest.SQLite, storetest.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			e := start(t, kind)
			tr := e.buildTree()
			t.Run("hierarchy", func(t *testing.T) { testHierarchy(t, e, tr) })
			t.Run("units", func(t *testing.T) { testUnits(t, e, tr) })
			t.Run("updates", func(t *testing.T) { testUpdates(t, e, tr) })
			t.Run("pagination", func(t *testing.T) { testPagination(t, e, tr) })
			t.Run("cross-tenant", func(t *testing.T) { testCrossTenant(t, e, tr) })
			t.Run("missing-permission", func(t *testing.T) { testMissingPermission(t, e, tr) })
			t.Run("service-accounts", func(t *testing.T) { testServiceAccounts(t, e, tr) })
			t.Run("sessions", func(t *testing.T) { testSessions(t, e, tr) })
			t.Run("passwords", func(t *testing.T) { testPasswords(t, e, tr) })
			t.Run("account-takeovers", func(t *testing.T) { testAccountTakeovers(t, e, tr) })
			t.Run("identifiers", func(t *testing.T) { testIdentifiers(t, e, tr) })
			t.Run("hardening", func(t *testing.T) { testHardening(t, e, tr) })
			t.Run("secret-not-kept-for-retries", func(t *testing.T) { testSecretNotKeptForRetries(t, e, tr) })
			t.Run("jwt-attacks", func(t *testing.T) { testJWTAttacks(t, e, tr) })
			t.Run("bad-requests", func(t *testing.T) { testBadRequests(t, e, tr) })
			t.Run("audit", func(t *testing.T) { testAudit(t, e, tr) })
			t.Run("rate-limit", func(t *testing.T) { testRateLimit(t, e, tr) })
			t.Run("unlock", func(t *testing.T) { testUnlock(t, e, tr) })
			t.Run("release-credit-code", func(t *testing.T) { testReleaseCreditCode(t, e, tr) })
			t.Run("rate-limit-by-address", func(t *testing.T) { testRateLimitByAddress(t, e) })
		})
	}
}

func testHierarchy(t *testing.T, e *env, tr *tree) {
	e.t = t
	d1 := e.must(200, e.do("GET", "/v1/offices/"+tr.d1, tr.provAdmin, nil))
	anc, _ := d1.Body["ancestorIds"].([]any)
	if len(anc) != 2 || anc[0] != tr.province || anc[1] != tr.city {
		t.Errorf("ancestorIds = %v, want [%s %s]", anc, tr.province, tr.city)
	}
	if d1.str("timeZone") != "Asia/Shanghai" || d1.str("level") != "LEVEL_DISTRICT" {
		t.Errorf("district = %s", d1.Raw)
	}
	// A child's level is strictly below its parent's.
	r := e.do("POST", "/v1/offices", tr.cityAdmin, map[string]any{
		"parentId": tr.city, "displayName": "x", "level": "LEVEL_MUNICIPAL", "regionCode": "330100",
	})
	if r.Code != 400 || r.field() != "office.level" {
		t.Errorf("same-level child: %d %s", r.Code, r.Raw)
	}
	// Only a platform admin creates top-level offices.
	r = e.do("POST", "/v1/offices", tr.provAdmin, map[string]any{
		"parentId": tr.province2, "displayName": "x", "level": "LEVEL_MUNICIPAL", "regionCode": "320100",
	})
	if r.Code != 404 {
		t.Errorf("child of a foreign province: %d %s", r.Code, r.Raw)
	}
	// Children of the city, as the province sees them.
	list := e.must(200, e.do("GET", "/v1/offices?parentId="+tr.city, tr.provAdmin, nil))
	if got := len(list.Body["offices"].([]any)); got != 2 {
		t.Errorf("city children = %d, want 2", got)
	}
	// Without parent_id, an office user sees their own office.
	list = e.must(200, e.do("GET", "/v1/offices", tr.d1Admin, nil))
	if offs := list.Body["offices"].([]any); len(offs) != 1 || offs[0].(map[string]any)["id"] != tr.d1 {
		t.Errorf("own offices = %s", list.Raw)
	}
	me := e.must(200, e.do("GET", "/v1/auth/me", tr.d1Admin, nil))
	if me.str("login") != "d1-admin" || !strings.Contains(string(me.Raw), tr.d1) {
		t.Errorf("me = %s", me.Raw)
	}
}

func testUnits(t *testing.T, e *env, tr *tree) {
	e.t = t
	u := e.must(200, e.do("GET", "/v1/units/"+tr.unit1, tr.cityAdmin, nil))
	if u.str("officeId") != tr.d1 || u.str("creditCode") != creditCodes[0] {
		t.Errorf("unit = %s", u.Raw)
	}
	// A unit user sees its own unit.
	e.must(200, e.do("GET", "/v1/units/"+tr.unit1, tr.unit1Submitter, nil))
	// Filters.
	l := e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/units?category=UNIT_CATEGORY_HOSPITAL", tr.d1Admin, nil))
	if _, ok := l.Body["units"]; ok {
		t.Errorf("hospital filter matched: %s", l.Raw)
	}
	l = e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/units?name=%E5%9B%BE%E4%B9%A6", tr.d1Admin, nil)) // 图书
	if got := len(l.Body["units"].([]any)); got != 1 {
		t.Errorf("name filter = %d units, want 1", got)
	}
	// Credit code: a wrong check character is 400 naming the field; a taken one is 409.
	r := e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, map[string]any{
		"displayName": "x", "creditCode": "91350100M000100Y44", "category": "UNIT_CATEGORY_OTHER",
	})
	if r.Code != 400 || r.field() != "unit.credit_code" {
		t.Errorf("bad credit code: %d %s", r.Code, r.Raw)
	}
	r = e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, map[string]any{
		"displayName": "x", "creditCode": creditCodes[1], "category": "UNIT_CATEGORY_OTHER",
	})
	if r.Code != 409 || r.reason() != "CREDIT_CODE_TAKEN" {
		t.Errorf("taken credit code: %d %s", r.Code, r.Raw)
	}
	// Unit roles cannot be given to office users, nor office roles to unit users.
	r = e.do("POST", "/v1/units/"+tr.unit1+"/users", tr.d1Admin, map[string]any{
		"login": "bad-role", "password": "bad-role-password", "roles": []string{"ROLE_OFFICE_ADMIN"},
	})
	if r.Code != 400 || r.field() != "user.roles" {
		t.Errorf("office role for a unit user: %d %s", r.Code, r.Raw)
	}
	r = e.do("POST", "/v1/offices/"+tr.d1+"/users", tr.d1Admin, map[string]any{
		"login": "d1-admin", "password": "another-password", "roles": []string{"ROLE_OFFICE_VIEWER"},
	})
	if r.Code != 409 || r.field() != "user.login" {
		t.Errorf("duplicate login: %d %s", r.Code, r.Raw)
	}
	users := e.must(200, e.do("GET", "/v1/units/"+tr.unit1+"/users", tr.unit1Admin, nil))
	if got := len(users.Body["users"].([]any)); got != 2 {
		t.Errorf("unit users = %d, want 2", got)
	}
	if strings.Contains(string(users.Raw), "password") {
		t.Errorf("a password field came back: %s", users.Raw)
	}
}

func testUpdates(t *testing.T, e *env, tr *tree) {
	e.t = t
	path := "/v1/offices/" + tr.d1
	// A stale etag is refused and changes nothing.
	r := e.do("PATCH", path+"?updateMask=displayName", tr.d1Admin, map[string]any{"displayName": "new", "etag": "999"})
	if r.Code != 409 || r.reason() != "ETAG_MISMATCH" {
		t.Errorf("stale etag: %d %s", r.Code, r.Raw)
	}
	// An update names its fields: a body alone changes nothing.
	if r := e.do("PATCH", path, tr.d1Admin, map[string]any{"displayName": "new", "etag": tr.d1Etag}); r.Code != 400 || r.field() != "update_mask" {
		t.Errorf("no update mask: %d %s", r.Code, r.Raw)
	}
	// Fields outside the mask's allowed set are refused, ids and levels included.
	for _, mask := range []string{"level", "parentId", "id"} {
		r = e.do("PATCH", path+"?updateMask="+mask, tr.d1Admin, map[string]any{"etag": tr.d1Etag, "level": "LEVEL_PROVINCIAL", "parentId": tr.province2})
		if r.Code != 400 || r.field() != "update_mask" {
			t.Errorf("mask %s: %d %s", mask, r.Code, r.Raw)
		}
	}
	// Output-only and unmasked fields in the body are ignored.
	ok := e.must(200, e.do("PATCH", path+"?updateMask=displayName", tr.d1Admin, map[string]any{
		"displayName": "西湖区文明办（新）", "etag": tr.d1Etag, "level": "LEVEL_PROVINCIAL", "regionCode": "110000",
		"ancestorIds": []string{tr.province2},
	}))
	if ok.str("displayName") != "西湖区文明办（新）" || ok.str("level") != "LEVEL_DISTRICT" || ok.str("regionCode") != "330106" {
		t.Errorf("after patch: %s", ok.Raw)
	}
	if ok.str("etag") == tr.d1Etag {
		t.Errorf("etag did not change")
	}
	// The same (now stale) etag again is refused.
	r = e.do("PATCH", path+"?updateMask=displayName", tr.d1Admin, map[string]any{"displayName": "again", "etag": tr.d1Etag})
	if r.Code != 409 {
		t.Errorf("replayed etag: %d %s", r.Code, r.Raw)
	}
	// An ancestor reads but does not write a descendant office.
	r = e.do("PATCH", path+"?updateMask=displayName", tr.cityAdmin, map[string]any{"displayName": "x", "etag": ok.str("etag")})
	if r.Code != 403 {
		t.Errorf("city admin patching the district: %d %s", r.Code, r.Raw)
	}
	// Units: the unit's own admin may rename it; the office id cannot be moved.
	u := e.must(200, e.do("GET", "/v1/units/"+tr.unit1, tr.unit1Admin, nil))
	u2 := e.must(200, e.do("PATCH", "/v1/units/"+tr.unit1+"?updateMask=displayName", tr.unit1Admin, map[string]any{
		"displayName": "西湖区图书馆（总馆）", "etag": u.str("etag"), "officeId": tr.d2,
	}))
	if u2.str("officeId") != tr.d1 || u2.str("displayName") != "西湖区图书馆（总馆）" {
		t.Errorf("unit after patch: %s", u2.Raw)
	}
	r = e.do("PATCH", "/v1/units/"+tr.unit1+"?updateMask=officeId", tr.d1Admin, map[string]any{"officeId": tr.d2, "etag": u2.str("etag")})
	if r.Code != 400 {
		t.Errorf("moving a unit: %d %s", r.Code, r.Raw)
	}
	// Unknown JSON fields are refused.
	r = e.do("PATCH", "/v1/units/"+tr.unit1+"?updateMask=displayName", tr.d1Admin, `{"displayName":"x","etag":"`+u2.str("etag")+`","roles":["ROLE_PLATFORM_ADMIN"]}`)
	if r.Code != 400 {
		t.Errorf("unknown field: %d %s", r.Code, r.Raw)
	}
	again := e.must(200, e.do("GET", "/v1/units/"+tr.unit1, tr.d1Admin, nil))
	if again.str("displayName") != "西湖区图书馆（总馆）" {
		t.Errorf("a refused update changed the unit: %s", again.Raw)
	}
}

func testPagination(t *testing.T, e *env, tr *tree) {
	e.t = t
	codes := []string{creditCode("91330106MA27Y5XX0"), creditCode("91330106MA2CC4BT2"), creditCode("91330106MA2H0XYH1")}
	for i, c := range codes {
		e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, map[string]any{
			"displayName": fmt.Sprintf("分页单位%d", i), "creditCode": c, "category": "UNIT_CATEGORY_SCHOOL",
		}))
	}
	seen := map[string]bool{}
	token := ""
	pages := 0
	for {
		r := e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/units?pageSize=2&pageToken="+token, tr.d1Admin, nil))
		for _, u := range r.Body["units"].([]any) {
			id := u.(map[string]any)["id"].(string)
			if seen[id] {
				t.Errorf("unit %s on two pages", id)
			}
			seen[id] = true
		}
		pages++
		token = r.str("nextPageToken")
		if token == "" {
			break
		}
		// A token is bound to its query.
		bad := e.do("GET", "/v1/offices/"+tr.d1+"/units?pageSize=2&category=UNIT_CATEGORY_SCHOOL&pageToken="+token, tr.d1Admin, nil)
		if bad.Code != 400 || bad.field() != "page_token" {
			t.Errorf("token replayed with another filter: %d %s", bad.Code, bad.Raw)
		}
	}
	if len(seen) != 4 || pages != 2 {
		t.Errorf("saw %d units on %d pages, want 4 on 2", len(seen), pages)
	}
	if r := e.do("GET", "/v1/offices/"+tr.d1+"/units?pageToken=forged.AAAA", tr.d1Admin, nil); r.Code != 400 {
		t.Errorf("forged token: %d", r.Code)
	}
	if r := e.do("GET", "/v1/offices/"+tr.d1+"/units?pageSize=501", tr.d1Admin, nil); r.Code != 400 {
		t.Errorf("page size 501: %d", r.Code)
	}
}

// creditCode completes a 17-character code body with its GB 32100-2015 check character.
func creditCode(body string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(chars, body[i]) * w[i]
	}
	return body + string(chars[(31-sum%31)%31])
}

var spareCode = creditCode("91330106MA2KKKKK1")

// testCrossTenant reaches for other tenants' objects by id: another province, a sibling
// district, another unit. Everything is 404 (or 403 where the role alone forbids the
// call) and nothing changes.
func testCrossTenant(t *testing.T, e *env, tr *tree) {
	e.t = t
	type call struct{ method, path, body string }
	foreign := func(office, unit, user string) []call {
		return []call{
			{"GET", "/v1/offices/" + office, ""},
			{"GET", "/v1/offices?parentId=" + office, ""},
			{"PATCH", "/v1/offices/" + office + "?updateMask=displayName", `{"displayName":"pwned","etag":"1"}`},
			{"POST", "/v1/offices", `{"parentId":"` + office + `","displayName":"x","level":"LEVEL_DISTRICT","regionCode":"330000"}`},
			{"POST", "/v1/offices/" + office + "/units", `{"displayName":"x","creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_OTHER"}`},
			{"GET", "/v1/offices/" + office + "/units", ""},
			{"GET", "/v1/units/" + unit, ""},
			{"PATCH", "/v1/units/" + unit + "?updateMask=displayName", `{"displayName":"pwned","etag":"1"}`},
			{"POST", "/v1/offices/" + office + "/users", `{"login":"intruder","password":"intruder-password","roles":["ROLE_OFFICE_ADMIN"]}`},
			{"POST", "/v1/units/" + unit + "/users", `{"login":"intruder2","password":"intruder-password","roles":["ROLE_UNIT_ADMIN"]}`},
			{"GET", "/v1/offices/" + office + "/users", ""},
			{"GET", "/v1/units/" + unit + "/users", ""},
			{"GET", "/v1/users/" + user, ""},
			{"POST", "/v1/users/" + user + ":disable", `{}`},
			{"POST", "/v1/users/" + user + ":enable", `{}`},
			{"POST", "/v1/users/" + user + ":resetPassword", `{"newPassword":"intruder-password"}`},
			{"POST", "/v1/offices/" + office + "/service-accounts", `{"displayName":"x","roles":["ROLE_OFFICE_VIEWER"]}`},
			{"GET", "/v1/offices/" + office + "/service-accounts", ""},
			{"GET", "/v1/offices/" + office + "/audit-events", ""},
		}
	}
	cases := []struct {
		name, token, office, unit, user string
	}{
		{"other province", tr.prov2Admin, tr.d2, tr.unit2, tr.d2AdminID},
		{"sibling district", tr.d1Admin, tr.d2, tr.unit2, tr.d2AdminID},
		{"district viewer", tr.d1Viewer, tr.d2, tr.unit2, tr.d2AdminID},
		{"other unit", tr.unit1Admin, tr.d2, tr.unit2, tr.d2AdminID},
		{"unit reading its office's peers", tr.unit2Admin, tr.d1, tr.unit1, tr.unit1AdminID},
	}
	for _, c := range cases {
		for _, cl := range foreign(c.office, c.unit, c.user) {
			var body any
			if cl.body != "" {
				body = cl.body
			}
			r := e.do(cl.method, cl.path, c.token, body)
			if r.Code != http.StatusNotFound && r.Code != http.StatusForbidden {
				t.Errorf("%s: %s %s = %d, want 404 or 403: %s", c.name, cl.method, cl.path, r.Code, r.Raw)
			}
			// Where the caller's role would allow the call on its own data, the answer for a
			// foreign object must be 404, exactly like a missing id.
			if c.token == tr.d1Admin && r.Code != http.StatusNotFound {
				t.Errorf("%s: %s %s = %d, want 404", c.name, cl.method, cl.path, r.Code)
			}
		}
	}
	// Nothing changed: the foreign objects are as they were, no intruder exists.
	if got := e.must(200, e.do("GET", "/v1/offices/"+tr.d2, tr.d2Admin, nil)).str("displayName"); got != "上城区文明办" {
		t.Errorf("d2 renamed to %q", got)
	}
	if got := e.must(200, e.do("GET", "/v1/units/"+tr.unit2, tr.d2Admin, nil)).str("displayName"); got != "上城区人民医院" {
		t.Errorf("unit2 renamed to %q", got)
	}
	if r := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "intruder", "password": "intruder-password"}); r.Code != 401 {
		t.Errorf("an intruder account exists: %d", r.Code)
	}
	if r := e.must(200, e.do("GET", "/v1/users/"+tr.d2AdminID, tr.d2Admin, nil)); r.Body["disabled"] == true {
		t.Errorf("d2 admin was disabled")
	}
	e.login("d2-admin", "d2-admin-password") // its password was not reset
	// A missing id looks the same as a foreign one.
	missing := e.do("GET", "/v1/units/01a00000-0000-7000-8000-000000000000", tr.d1Admin, nil)
	foreignUnit := e.do("GET", "/v1/units/"+tr.unit2, tr.d1Admin, nil)
	if missing.Code != 404 || foreignUnit.Code != 404 || missing.str("message") != foreignUnit.str("message") {
		t.Errorf("missing %d %q vs foreign %d %q", missing.Code, missing.str("message"), foreignUnit.Code, foreignUnit.str("message"))
	}
}

// testMissingPermission calls write RPCs with roles that do not allow them.
func testMissingPermission(t *testing.T, e *env, tr *tree) {
	e.t = t
	calls := []struct {
		name, token, method, path, body string
	}{
		{"viewer creates unit", tr.d1Viewer, "POST", "/v1/offices/" + tr.d1 + "/units", `{"displayName":"x","creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_OTHER"}`},
		{"viewer creates office", tr.d1Viewer, "POST", "/v1/offices", `{"displayName":"x","level":"LEVEL_DISTRICT","regionCode":"330106"}`},
		{"viewer patches office", tr.d1Viewer, "PATCH", "/v1/offices/" + tr.d1 + "?updateMask=displayName", `{"displayName":"x","etag":"1"}`},
		{"viewer creates user", tr.d1Viewer, "POST", "/v1/offices/" + tr.d1 + "/users", `{"login":"v-made","password":"v-made-password","roles":["ROLE_OFFICE_ADMIN"]}`},
		{"viewer disables user", tr.d1Viewer, "POST", "/v1/users/" + tr.unit1AdminID + ":disable", `{}`},
		{"viewer creates service account", tr.d1Viewer, "POST", "/v1/offices/" + tr.d1 + "/service-accounts", `{"displayName":"x","roles":["ROLE_OFFICE_VIEWER"]}`},
		{"submitter patches unit", tr.unit1Submitter, "PATCH", "/v1/units/" + tr.unit1 + "?updateMask=displayName", `{"displayName":"x","etag":"1"}`},
		{"submitter creates unit user", tr.unit1Submitter, "POST", "/v1/units/" + tr.unit1 + "/users", `{"login":"s-made","password":"s-made-password","roles":["ROLE_UNIT_ADMIN"]}`},
		{"submitter lists users", tr.unit1Submitter, "GET", "/v1/units/" + tr.unit1 + "/users", ""},
		{"unit admin reads audit", tr.unit1Admin, "GET", "/v1/offices/" + tr.d1 + "/audit-events", ""},
		{"city admin creates unit in district", tr.cityAdmin, "POST", "/v1/offices/" + tr.d1 + "/units", `{"displayName":"x","creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_OTHER"}`},
		{"province admin creates grandchild users", tr.provAdmin, "POST", "/v1/offices/" + tr.d1 + "/users", `{"login":"p-made","password":"p-made-password","roles":["ROLE_OFFICE_ADMIN"]}`},
		{"no token", "", "GET", "/v1/offices/" + tr.d1, ""},
	}
	for _, c := range calls {
		var body any
		if c.body != "" {
			body = c.body
		}
		r := e.do(c.method, c.path, c.token, body)
		want := http.StatusForbidden
		if c.token == "" {
			want = http.StatusUnauthorized
		}
		if r.Code != want {
			t.Errorf("%s: %d, want %d: %s", c.name, r.Code, want, r.Raw)
		}
	}
}

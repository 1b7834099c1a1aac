package tenancytest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/tenancy"
)

// AccountTakeovers tries the ways an admin or a machine client could take over accounts it
// does not own.
func AccountTakeovers(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	// An admin cannot reset their own password through the admin reset: it skips the
	// current-password check and its rate limit.
	me := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", tr.D1Admin, nil).GetSubject()
	if r := e.Do(t, "POST", "/v1/users/"+me+":resetPassword", tr.D1Admin, &tenancyv1.ResetUserPasswordRequest{NewPassword: "taken-over-1234"}); r.Code != 400 || r.Field(t) != "user_id" {
		t.Errorf("resetting one's own password: %d %s", r.Code, r.Raw)
	}
	newUser := func(login string, roles []authzv1.Role) *tenancyv1.User {
		return &tenancyv1.User{Login: login, Password: login + "-password", Roles: roles}
	}

	// A parent cannot plant users in a child that has an admin: neither an admin nor anyone else.
	for _, roles := range [][]authzv1.Role{officeAdmin, officeReviewer} {
		r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/users", tr.CityAdmin, newUser("planted", roles))
		if r.Code != 400 || r.Reason(t) != "OFFICE_HAS_ADMIN" {
			t.Errorf("city planting %v in a district with an admin: %d %s", roles, r.Code, r.Raw)
		}
	}
	// Nor the platform admin, while the district's admin can act.
	if r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/users", tr.Platform, newUser("planted", officeAdmin)); r.Code != 400 || r.Reason(t) != "OFFICE_HAS_ADMIN" {
		t.Errorf("platform admin planting an admin: %d %s", r.Code, r.Raw)
	}
	// A new district: its parent creates its first admin, and only an admin, and only once.
	d3 := e.Office(t, tr.CityAdmin, tr.City, "滨江区文明办", tenancyv1.Level_LEVEL_DISTRICT, "330108")
	if r := e.Do(t, "POST", "/v1/offices/"+d3+"/users", tr.CityAdmin, newUser("d3-reviewer", officeReviewer)); r.Code != 400 || r.Field(t) != "user.roles" {
		t.Errorf("parent creating a child's reviewer: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/offices/"+d3+"/users", tr.ProvAdmin, newUser("d3-admin", officeAdmin)); r.Code != 403 {
		t.Errorf("grandparent creating a district's first admin: %d %s", r.Code, r.Raw)
	}
	e.User(t, tr.CityAdmin, "/v1/offices/"+d3+"/users", "d3-admin", authzv1.Role_ROLE_OFFICE_ADMIN)
	if r := e.Do(t, "POST", "/v1/offices/"+d3+"/users", tr.CityAdmin, newUser("d3-admin2", officeAdmin)); r.Code != 400 || r.Reason(t) != "OFFICE_HAS_ADMIN" {
		t.Errorf("parent creating a second admin: %d %s", r.Code, r.Raw)
	}
	// The district runs itself: its admin adds a second admin.
	d3Admin, _ := e.Login(t, "d3-admin", "d3-admin-password")
	e.User(t, d3Admin, "/v1/offices/"+d3+"/users", "d3-admin2", authzv1.Role_ROLE_OFFICE_ADMIN)
	d3Admin2, _ := e.Login(t, "d3-admin2", "d3-admin2-password")
	// Left without an admin who can act, it is recovered by the platform admin, audited.
	first := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", d3Admin, nil).GetSubject()
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/users/"+first+":disable", d3Admin2, &tenancyv1.DisableUserRequest{}))
	second := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", d3Admin2, nil).GetSubject()
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/users/"+second+":disable", tr.Platform, &tenancyv1.DisableUserRequest{}))
	if r := e.Do(t, "POST", "/v1/offices/"+d3+"/users", tr.CityAdmin, newUser("d3-admin3", officeAdmin)); r.Code != 400 || r.Reason(t) != "OFFICE_HAS_ADMIN" {
		t.Errorf("parent recovering a child: %d %s", r.Code, r.Raw)
	}
	e.User(t, tr.Platform, "/v1/offices/"+d3+"/users", "d3-admin3", authzv1.Role_ROLE_OFFICE_ADMIN)
	d3Admin3, _ := e.Login(t, "d3-admin3", "d3-admin3-password")
	trail := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+d3+"/audit-events?pageSize=500", d3Admin3, nil))
	if !strings.Contains(string(trail.Raw), "user.create_recovery_admin") {
		t.Errorf("the recovery is not in the district's trail: %s", trail.Raw)
	}

	// Logins are unique without regard to letter case, and log in in any case.
	if r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/users", tr.D1Admin, &tenancyv1.User{Login: "D1-Viewer", Password: "impostor-password", Roles: officeAdmin}); r.Code != 409 {
		t.Errorf("a login differing only in case: %d %s", r.Code, r.Raw)
	}
	e.Login(t, "D1-VIEWER", "d1-viewer-password")

	// A service account, even an admin one, manages no accounts: its secret must not equal
	// the office's people.
	sa := apptest.Call[*tenancyv1.ServiceAccount](t, e, "POST", "/v1/offices/"+tr.D1+"/service-accounts", tr.D1Admin, &tenancyv1.ServiceAccount{
		DisplayName: "同步", Roles: officeAdmin,
	})
	tok := apptest.Call[*tenancyv1.TokenResponse](t, e, "POST", "/v1/auth/token", "", &tenancyv1.TokenRequest{
		GrantType: "client_credentials", ClientId: sa.GetClientId(), ClientSecret: sa.GetClientSecret(),
	}).GetAccessToken()
	viewerToken, _ := e.Login(t, "d1-viewer", "d1-viewer-password")
	viewerSubject := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", viewerToken, nil).GetSubject()
	for name, r := range map[string]apptest.Resp{
		"create an admin":          e.Do(t, "POST", "/v1/offices/"+tr.D1+"/users", tok, newUser("sa-made", officeAdmin)),
		"reset a password":         e.Do(t, "POST", "/v1/users/"+viewerSubject+":resetPassword", tok, &tenancyv1.ResetUserPasswordRequest{NewPassword: "sa-reset-1234"}),
		"disable a user":           e.Do(t, "POST", "/v1/users/"+viewerSubject+":disable", tok, &tenancyv1.DisableUserRequest{}),
		"create a service account": e.Do(t, "POST", "/v1/offices/"+tr.D1+"/service-accounts", tok, &tenancyv1.ServiceAccount{DisplayName: "x", Roles: officeAdmin}),
	} {
		if r.Code != 403 {
			t.Errorf("admin service account may %s: %d %s", name, r.Code, r.Raw)
		}
	}
}

// Identifiers feeds codes and names that pass a format check but name nothing, or would
// let one thing pass for another.
func Identifiers(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	office := func(tok, parent string, level tenancyv1.Level, region string) apptest.Resp {
		return e.Do(t, "POST", "/v1/offices", tok, &tenancyv1.Office{ParentId: parent, DisplayName: "某文明办", Level: level, RegionCode: region})
	}
	for _, c := range []struct {
		name, tok, parent string
		level             tenancyv1.Level
		region            string
	}{
		{"all zeros", tr.Platform, "", tenancyv1.Level_LEVEL_PROVINCIAL, "000000"},
		{"all nines", tr.Platform, "", tenancyv1.Level_LEVEL_PROVINCIAL, "999999"},
		{"a city's code for a province", tr.Platform, "", tenancyv1.Level_LEVEL_PROVINCIAL, "330100"},
		{"a district outside its city", tr.CityAdmin, tr.City, tenancyv1.Level_LEVEL_DISTRICT, "110105"},
		{"a city outside its province", tr.ProvAdmin, tr.Province, tenancyv1.Level_LEVEL_MUNICIPAL, "320100"},
		{"a province's code for a district", tr.CityAdmin, tr.City, tenancyv1.Level_LEVEL_DISTRICT, "330000"},
	} {
		if r := office(c.tok, c.parent, c.level, c.region); r.Code != 400 || r.Field(t) != "office.region_code" {
			t.Errorf("%s (%s): %d %s", c.name, c.region, r.Code, r.Raw)
		}
	}
	// A region change must keep the office inside its parent and its children inside it.
	d1 := apptest.Call[*tenancyv1.Office](t, e, "GET", "/v1/offices/"+tr.D1, tr.D1Admin, nil)
	if r := e.Do(t, "PATCH", "/v1/offices/"+tr.D1+"?updateMask=regionCode", tr.D1Admin, &tenancyv1.Office{RegionCode: "110105", Etag: d1.GetEtag()}); r.Code != 400 || r.Field(t) != "office.region_code" {
		t.Errorf("moving a district out of its city: %d %s", r.Code, r.Raw)
	}
	city := apptest.Call[*tenancyv1.Office](t, e, "GET", "/v1/offices/"+tr.City, tr.CityAdmin, nil)
	if r := e.Do(t, "PATCH", "/v1/offices/"+tr.City+"?updateMask=regionCode", tr.CityAdmin, &tenancyv1.Office{RegionCode: "330200", Etag: city.GetEtag()}); r.Code != 400 || r.Field(t) != "office.region_code" {
		t.Errorf("moving a city away from its districts: %d %s", r.Code, r.Raw)
	}
	unit := func(tok, office, name, code string) apptest.Resp {
		return e.Do(t, "POST", "/v1/offices/"+office+"/units", tok, &tenancyv1.Unit{DisplayName: name, CreditCode: code, Category: other})
	}
	if r := unit(tr.D1Admin, tr.D1, "零", "000000000000000000"); r.Code != 400 || r.Field(t) != "unit.credit_code" {
		t.Errorf("all-zero credit code: %d %s", r.Code, r.Raw)
	}
	// A code taken outside the caller's subtree: 409 without saying where.
	r := unit(tr.D1Admin, tr.D1, "抢注", apptest.CreditCodes[1])
	if r.Code != 409 || r.Reason(t) != "CREDIT_CODE_TAKEN" || strings.Contains(string(r.Raw), tr.Unit2) || strings.Contains(string(r.Raw), "上城区") {
		t.Errorf("credit code taken in a sibling district: %d %s", r.Code, r.Raw)
	}
	// Inside it, the answer names the unit that holds it.
	if r := unit(tr.CityAdmin, tr.City, "重复", apptest.CreditCodes[1]); r.Code != 409 || !strings.Contains(string(r.Raw), tr.Unit2) {
		t.Errorf("credit code taken below the caller: %d %s", r.Code, r.Raw)
	}
}

// Hardening checks what the API port shows and what caches may keep.
func Hardening(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	// Metrics are on their own address, never on the public port (where /metrics is just
	// a path of the console, docs/console.md).
	if r := e.Do(t, "GET", "/metrics", "", nil); strings.Contains(string(r.Raw), "# HELP") || strings.Contains(string(r.Raw), "go_goroutines") {
		t.Errorf("/metrics on the API port serves metrics: %d", r.Code)
	}
	res, err := http.Get("http://" + e.App.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "wenming_grpc_server_handled_total") {
		t.Errorf("metrics address: %d %.200s", res.StatusCode, body)
	}
	// Tokens and what a signed-in caller reads are never cached.
	login := e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "d1-viewer", Password: "d1-viewer-password"})
	read := e.Do(t, "GET", "/v1/units/"+tr.Unit1, tr.D1Admin, nil)
	for name, r := range map[string]apptest.Resp{"login": login, "authenticated read": read} {
		if r.Code != 200 || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d Cache-Control %q", name, r.Code, r.Header.Get("Cache-Control"))
		}
	}
}

// operator is what `wenming admin unlock` and `release-credit-code` build, over this
// process's store, trail and Redis.
func operator(t *testing.T, e *apptest.Env) *tenancy.Server {
	revoked, err := auth.NewRevocations(context.Background(), e.App.Store())
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.NewServer(tenancy.Deps{Store: e.App.Store(), Revocations: revoked, Limiter: cache.NewLimiter(e.App.Redis()), Audit: e.App.Audit()})
}

// Unlock recovers the account RateLimit locked: the operator clears the counters and sets
// a new password, and the account logs in from anywhere at once.
func Unlock(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	// From an address the account never logged in from: its usual ones are spared the lock.
	elsewhere := apptest.Header{"X-Forwarded-For": "198.51.100.99"}
	if r := e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "d2-admin", Password: "d2-admin-password"}, elsewhere); r.Code != 429 {
		t.Fatalf("the account is not locked: %d", r.Code)
	}
	if err := operator(t, e).Unlock(context.Background(), "D2-Admin", "recovered-password-1"); err != nil {
		t.Fatal(err)
	}
	if r := e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "d2-admin", Password: "d2-admin-password"}, elsewhere); r.Code != 401 {
		t.Errorf("the old password after an unlock with a new one: %d", r.Code)
	}
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "d2-admin", Password: "recovered-password-1"}, elsewhere))
	trail := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D2+"/audit-events?pageSize=500", tr.CityAdmin, nil))
	if s := string(trail.Raw); !strings.Contains(s, "auth.unlock") || !strings.Contains(s, "user.password_reset_by_operator") || strings.Contains(s, "recovered-password-1") {
		t.Errorf("the unlock in the trail: %.300s", s)
	}
}

// ReleaseCreditCode: a code squatted by the city (outside the district's subtree) is
// released by the operator, and then the rightful district registers it.
func ReleaseCreditCode(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	code := apptest.CreditCode("91330106MA2CFQ0W8")
	squat := apptest.Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+tr.City+"/units", tr.CityAdmin, &tenancyv1.Unit{
		DisplayName: "抢注的单位", CreditCode: code, Category: other,
	}).GetId()
	register := func() apptest.Resp {
		return e.Do(t, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
			DisplayName: "西湖区某公司", CreditCode: code, Category: tenancyv1.UnitCategory_UNIT_CATEGORY_PRIVATE_ENTERPRISE,
		})
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
	apptest.Must(t, 200, register())
	if u := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+squat, tr.CityAdmin, nil); !strings.HasPrefix(u.GetCreditCode(), "RELEASED-"+code) {
		t.Errorf("the squatting unit's code: %v", u)
	}
	platform := string(apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/platform/audit-events?pageSize=500", tr.Platform, nil)).Raw)
	if !strings.Contains(platform, "unit.credit_code_released") || !strings.Contains(platform, "营业执照核查") {
		t.Errorf("the release is not in the platform trail")
	}
}

// SecretNotKeptForRetries: a service account's secret is shown once: a retry with the same
// Idempotency-Key gets the account without it, and the stored answer never holds it.
func SecretNotKeptForRetries(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	key := apptest.Header{"Idempotency-Key": "sa-create-secret-1"}
	body := &tenancyv1.ServiceAccount{DisplayName: "汇总拉取", Roles: officeViewer}
	first := apptest.Call[*tenancyv1.ServiceAccount](t, e, "POST", "/v1/offices/"+tr.D1+"/service-accounts", tr.D1Admin, body, key)
	secret := first.GetClientSecret()
	if secret == "" {
		t.Fatalf("no secret on create: %v", first)
	}
	retry := apptest.Call[*tenancyv1.ServiceAccount](t, e, "POST", "/v1/offices/"+tr.D1+"/service-accounts", tr.D1Admin, body, key)
	if retry.GetId() != first.GetId() || retry.GetClientSecret() != "" {
		t.Errorf("retry = %v", retry)
	}
	recs, err := e.App.Store().Client.IdempotencyRecord.Query().All(store.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.Contains(string(r.Response), secret) {
			t.Error("the secret is stored with the idempotency record")
		}
	}
}

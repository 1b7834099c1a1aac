package tenancytest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Hierarchy checks offices: ancestors, levels, who creates what, and listing.
func Hierarchy(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	d1 := apptest.Call[*tenancyv1.Office](t, e, "GET", "/v1/offices/"+tr.D1, tr.ProvAdmin, nil)
	if anc := d1.GetAncestorIds(); len(anc) != 2 || anc[0] != tr.Province || anc[1] != tr.City {
		t.Errorf("ancestorIds = %v, want [%s %s]", anc, tr.Province, tr.City)
	}
	if d1.GetTimeZone() != "Asia/Shanghai" || d1.GetLevel() != tenancyv1.Level_LEVEL_DISTRICT {
		t.Errorf("district = %v", d1)
	}
	// A child's level is strictly below its parent's.
	r := e.Do(t, "POST", "/v1/offices", tr.CityAdmin, &tenancyv1.Office{
		ParentId: tr.City, DisplayName: "x", Level: tenancyv1.Level_LEVEL_MUNICIPAL, RegionCode: "330100",
	})
	if r.Code != 400 || r.Field(t) != "office.level" {
		t.Errorf("same-level child: %d %s", r.Code, r.Raw)
	}
	// Only a platform admin creates top-level offices.
	r = e.Do(t, "POST", "/v1/offices", tr.ProvAdmin, &tenancyv1.Office{
		ParentId: tr.Province2, DisplayName: "x", Level: tenancyv1.Level_LEVEL_MUNICIPAL, RegionCode: "320100",
	})
	if r.Code != 404 {
		t.Errorf("child of a foreign province: %d %s", r.Code, r.Raw)
	}
	// Children of the city, as the province sees them.
	list := apptest.Call[*tenancyv1.ListOfficesResponse](t, e, "GET", "/v1/offices?parentId="+tr.City, tr.ProvAdmin, nil)
	if got := len(list.GetOffices()); got != 2 {
		t.Errorf("city children = %d, want 2", got)
	}
	// Without parent_id, an office user sees their own office.
	list = apptest.Call[*tenancyv1.ListOfficesResponse](t, e, "GET", "/v1/offices", tr.D1Admin, nil)
	if offs := list.GetOffices(); len(offs) != 1 || offs[0].GetId() != tr.D1 {
		t.Errorf("own offices = %v", list)
	}
	me := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", tr.D1Admin, nil)
	inD1 := func(s *tenancyv1.Scope) bool { return s.GetOfficeId() == tr.D1 }
	if me.GetLogin() != "d1-admin" || !slices.ContainsFunc(me.GetScopes(), inD1) {
		t.Errorf("me = %v", me)
	}
}

// Units checks units: reads, filters, credit codes, and the users of a unit.
func Units(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	u := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+tr.Unit1, tr.CityAdmin, nil)
	if u.GetOfficeId() != tr.D1 || u.GetCreditCode() != apptest.CreditCodes[0] {
		t.Errorf("unit = %v", u)
	}
	// A unit user sees its own unit.
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/units/"+tr.Unit1, tr.Unit1Submitter, nil))
	// Filters.
	l := apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/units?category=UNIT_CATEGORY_HOSPITAL", tr.D1Admin, nil)
	if len(l.GetUnits()) != 0 {
		t.Errorf("hospital filter matched: %v", l)
	}
	l = apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/units?name=%E5%9B%BE%E4%B9%A6", tr.D1Admin, nil) // 图书
	if got := len(l.GetUnits()); got != 1 {
		t.Errorf("name filter = %d units, want 1", got)
	}
	// Credit code: a wrong check character is 400 naming the field; a taken one is 409.
	r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
		DisplayName: "x", CreditCode: "91350100M000100Y44", Category: other,
	})
	if r.Code != 400 || r.Field(t) != "unit.credit_code" {
		t.Errorf("bad credit code: %d %s", r.Code, r.Raw)
	}
	r = e.Do(t, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
		DisplayName: "x", CreditCode: apptest.CreditCodes[1], Category: other,
	})
	if r.Code != 409 || r.Reason(t) != "CREDIT_CODE_TAKEN" {
		t.Errorf("taken credit code: %d %s", r.Code, r.Raw)
	}
	// Unit roles cannot be given to office users, nor office roles to unit users.
	r = e.Do(t, "POST", "/v1/units/"+tr.Unit1+"/users", tr.D1Admin, &tenancyv1.User{
		Login: "bad-role", Password: "bad-role-password", Roles: officeAdmin,
	})
	if r.Code != 400 || r.Field(t) != "user.roles" {
		t.Errorf("office role for a unit user: %d %s", r.Code, r.Raw)
	}
	r = e.Do(t, "POST", "/v1/offices/"+tr.D1+"/users", tr.D1Admin, &tenancyv1.User{
		Login: "d1-admin", Password: "another-password", Roles: officeViewer,
	})
	if r.Code != 409 || r.Field(t) != "user.login" {
		t.Errorf("duplicate login: %d %s", r.Code, r.Raw)
	}
	ur := apptest.Must(t, 200, e.Do(t, "GET", "/v1/units/"+tr.Unit1+"/users", tr.Unit1Admin, nil))
	if got := len(apptest.Decode[*tenancyv1.ListUsersResponse](t, ur).GetUsers()); got != 2 {
		t.Errorf("unit users = %d, want 2", got)
	}
	if strings.Contains(string(ur.Raw), "password") {
		t.Errorf("a password field came back: %s", ur.Raw)
	}
}

// Updates checks PATCH: etags, update masks, output-only fields, and who may write.
func Updates(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	path := "/v1/offices/" + tr.D1
	// A stale etag is refused and changes nothing.
	r := e.Do(t, "PATCH", path+"?updateMask=displayName", tr.D1Admin, &tenancyv1.Office{DisplayName: "new", Etag: "999"})
	if r.Code != 409 || r.Reason(t) != "ETAG_MISMATCH" {
		t.Errorf("stale etag: %d %s", r.Code, r.Raw)
	}
	// An update names its fields: a body alone changes nothing.
	if r := e.Do(t, "PATCH", path, tr.D1Admin, &tenancyv1.Office{DisplayName: "new", Etag: tr.D1Etag}); r.Code != 400 || r.Field(t) != "update_mask" {
		t.Errorf("no update mask: %d %s", r.Code, r.Raw)
	}
	// Fields outside the mask's allowed set are refused, ids and levels included.
	for _, mask := range []string{"level", "parentId", "id"} {
		r = e.Do(t, "PATCH", path+"?updateMask="+mask, tr.D1Admin, &tenancyv1.Office{
			Etag: tr.D1Etag, Level: tenancyv1.Level_LEVEL_PROVINCIAL, ParentId: tr.Province2,
		})
		if r.Code != 400 || r.Field(t) != "update_mask" {
			t.Errorf("mask %s: %d %s", mask, r.Code, r.Raw)
		}
	}
	// Output-only and unmasked fields in the body are ignored.
	ok := apptest.Call[*tenancyv1.Office](t, e, "PATCH", path+"?updateMask=displayName", tr.D1Admin, &tenancyv1.Office{
		DisplayName: "西湖区文明办（新）", Etag: tr.D1Etag, Level: tenancyv1.Level_LEVEL_PROVINCIAL, RegionCode: "110000",
		AncestorIds: []string{tr.Province2},
	})
	if ok.GetDisplayName() != "西湖区文明办（新）" || ok.GetLevel() != tenancyv1.Level_LEVEL_DISTRICT || ok.GetRegionCode() != "330106" {
		t.Errorf("after patch: %v", ok)
	}
	if ok.GetEtag() == tr.D1Etag {
		t.Errorf("etag did not change")
	}
	// The same (now stale) etag again is refused.
	r = e.Do(t, "PATCH", path+"?updateMask=displayName", tr.D1Admin, &tenancyv1.Office{DisplayName: "again", Etag: tr.D1Etag})
	if r.Code != 409 {
		t.Errorf("replayed etag: %d %s", r.Code, r.Raw)
	}
	// An ancestor reads but does not write a descendant office.
	r = e.Do(t, "PATCH", path+"?updateMask=displayName", tr.CityAdmin, &tenancyv1.Office{DisplayName: "x", Etag: ok.GetEtag()})
	if r.Code != 403 {
		t.Errorf("city admin patching the district: %d %s", r.Code, r.Raw)
	}
	// Units: the unit's own admin may rename it; the office id cannot be moved.
	u := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+tr.Unit1, tr.Unit1Admin, nil)
	u2 := apptest.Call[*tenancyv1.Unit](t, e, "PATCH", "/v1/units/"+tr.Unit1+"?updateMask=displayName", tr.Unit1Admin, &tenancyv1.Unit{
		DisplayName: "西湖区图书馆（总馆）", Etag: u.GetEtag(), OfficeId: tr.D2,
	})
	if u2.GetOfficeId() != tr.D1 || u2.GetDisplayName() != "西湖区图书馆（总馆）" {
		t.Errorf("unit after patch: %v", u2)
	}
	r = e.Do(t, "PATCH", "/v1/units/"+tr.Unit1+"?updateMask=officeId", tr.D1Admin, &tenancyv1.Unit{OfficeId: tr.D2, Etag: u2.GetEtag()})
	if r.Code != 400 {
		t.Errorf("moving a unit: %d %s", r.Code, r.Raw)
	}
	// Unknown JSON fields are refused.
	r = e.Do(t, "PATCH", "/v1/units/"+tr.Unit1+"?updateMask=displayName", tr.D1Admin, `{"displayName":"x","etag":"`+u2.GetEtag()+`","roles":["ROLE_PLATFORM_ADMIN"]}`)
	if r.Code != 400 {
		t.Errorf("unknown field: %d %s", r.Code, r.Raw)
	}
	again := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+tr.Unit1, tr.D1Admin, nil)
	if again.GetDisplayName() != "西湖区图书馆（总馆）" {
		t.Errorf("a refused update changed the unit: %v", again)
	}
}

// Pagination pages through units: no unit twice, tokens bound to their query.
func Pagination(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	codes := []string{apptest.CreditCode("91330106MA27Y5XX0"), apptest.CreditCode("91330106MA2CC4BT2"), apptest.CreditCode("91330106MA2H0XYH1")}
	for i, c := range codes {
		apptest.Must(t, 200, e.Do(t, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
			DisplayName: fmt.Sprintf("分页单位%d", i), CreditCode: c, Category: tenancyv1.UnitCategory_UNIT_CATEGORY_SCHOOL,
		}))
	}
	seen := map[string]bool{}
	token := ""
	pages := 0
	for {
		r := apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/units?pageSize=2&pageToken="+token, tr.D1Admin, nil)
		for _, u := range r.GetUnits() {
			if seen[u.GetId()] {
				t.Errorf("unit %s on two pages", u.GetId())
			}
			seen[u.GetId()] = true
		}
		pages++
		token = r.GetNextPageToken()
		if token == "" {
			break
		}
		// A token is bound to its query.
		bad := e.Do(t, "GET", "/v1/offices/"+tr.D1+"/units?pageSize=2&category=UNIT_CATEGORY_SCHOOL&pageToken="+token, tr.D1Admin, nil)
		if bad.Code != 400 || bad.Field(t) != "page_token" {
			t.Errorf("token replayed with another filter: %d %s", bad.Code, bad.Raw)
		}
	}
	if len(seen) != 4 || pages != 2 {
		t.Errorf("saw %d units on %d pages, want 4 on 2", len(seen), pages)
	}
	if r := e.Do(t, "GET", "/v1/offices/"+tr.D1+"/units?pageToken=forged.AAAA", tr.D1Admin, nil); r.Code != 400 {
		t.Errorf("forged token: %d", r.Code)
	}
	if r := e.Do(t, "GET", "/v1/offices/"+tr.D1+"/units?pageSize=501", tr.D1Admin, nil); r.Code != 400 {
		t.Errorf("page size 501: %d", r.Code)
	}
}

// spareCode is a valid credit code no unit holds: the refused creates below use it.
var spareCode = apptest.CreditCode("91330106MA2KKKKK1")

// The roles and the category the suites' requests use most.
var (
	officeAdmin    = []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}
	officeReviewer = []authzv1.Role{authzv1.Role_ROLE_OFFICE_REVIEWER}
	officeViewer   = []authzv1.Role{authzv1.Role_ROLE_OFFICE_VIEWER}
	unitAdmin      = []authzv1.Role{authzv1.Role_ROLE_UNIT_ADMIN}
	other          = tenancyv1.UnitCategory_UNIT_CATEGORY_OTHER
)

// CrossTenant reaches for other tenants' objects by id: another province, a sibling
// district, another unit. Everything is 404 (or 403 where the role alone forbids the
// call) and nothing changes.
func CrossTenant(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	type call struct {
		method, path string
		body         proto.Message // nil: none
	}
	foreign := func(office, unit, user string) []call {
		return []call{
			{"GET", "/v1/offices/" + office, nil},
			{"GET", "/v1/offices?parentId=" + office, nil},
			{"PATCH", "/v1/offices/" + office + "?updateMask=displayName", &tenancyv1.Office{DisplayName: "pwned", Etag: "1"}},
			{"POST", "/v1/offices", &tenancyv1.Office{ParentId: office, DisplayName: "x", Level: tenancyv1.Level_LEVEL_DISTRICT, RegionCode: "330000"}},
			{"POST", "/v1/offices/" + office + "/units", &tenancyv1.Unit{DisplayName: "x", CreditCode: spareCode, Category: other}},
			{"GET", "/v1/offices/" + office + "/units", nil},
			{"GET", "/v1/units/" + unit, nil},
			{"PATCH", "/v1/units/" + unit + "?updateMask=displayName", &tenancyv1.Unit{DisplayName: "pwned", Etag: "1"}},
			{"POST", "/v1/offices/" + office + "/users", &tenancyv1.User{Login: "intruder", Password: "intruder-password", Roles: officeAdmin}},
			{"POST", "/v1/units/" + unit + "/users", &tenancyv1.User{Login: "intruder2", Password: "intruder-password", Roles: unitAdmin}},
			{"GET", "/v1/offices/" + office + "/users", nil},
			{"GET", "/v1/units/" + unit + "/users", nil},
			{"GET", "/v1/users/" + user, nil},
			{"POST", "/v1/users/" + user + ":disable", &tenancyv1.DisableUserRequest{}},
			{"POST", "/v1/users/" + user + ":enable", &tenancyv1.EnableUserRequest{}},
			{"POST", "/v1/users/" + user + ":resetPassword", &tenancyv1.ResetUserPasswordRequest{NewPassword: "intruder-password"}},
			{"POST", "/v1/offices/" + office + "/service-accounts", &tenancyv1.ServiceAccount{DisplayName: "x", Roles: officeViewer}},
			{"GET", "/v1/offices/" + office + "/service-accounts", nil},
			{"GET", "/v1/offices/" + office + "/audit-events", nil},
		}
	}
	cases := []struct {
		name, token, office, unit, user string
	}{
		{"other province", tr.Prov2Admin, tr.D2, tr.Unit2, tr.D2AdminID},
		{"sibling district", tr.D1Admin, tr.D2, tr.Unit2, tr.D2AdminID},
		{"district viewer", tr.D1Viewer, tr.D2, tr.Unit2, tr.D2AdminID},
		{"other unit", tr.Unit1Admin, tr.D2, tr.Unit2, tr.D2AdminID},
		{"unit reading its office's peers", tr.Unit2Admin, tr.D1, tr.Unit1, tr.Unit1AdminID},
	}
	for _, c := range cases {
		for _, cl := range foreign(c.office, c.unit, c.user) {
			r := e.Do(t, cl.method, cl.path, c.token, cl.body)
			if r.Code != http.StatusNotFound && r.Code != http.StatusForbidden {
				t.Errorf("%s: %s %s = %d, want 404 or 403: %s", c.name, cl.method, cl.path, r.Code, r.Raw)
			}
			// Where the caller's role would allow the call on its own data, the answer for a
			// foreign object must be 404, exactly like a missing id.
			if c.token == tr.D1Admin && r.Code != http.StatusNotFound {
				t.Errorf("%s: %s %s = %d, want 404", c.name, cl.method, cl.path, r.Code)
			}
		}
	}
	// Nothing changed: the foreign objects are as they were, no intruder exists.
	if got := apptest.Call[*tenancyv1.Office](t, e, "GET", "/v1/offices/"+tr.D2, tr.D2Admin, nil).GetDisplayName(); got != "上城区文明办" {
		t.Errorf("d2 renamed to %q", got)
	}
	if got := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+tr.Unit2, tr.D2Admin, nil).GetDisplayName(); got != "上城区人民医院" {
		t.Errorf("unit2 renamed to %q", got)
	}
	if r := e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "intruder", Password: "intruder-password"}); r.Code != 401 {
		t.Errorf("an intruder account exists: %d", r.Code)
	}
	if apptest.Call[*tenancyv1.User](t, e, "GET", "/v1/users/"+tr.D2AdminID, tr.D2Admin, nil).GetDisabled() {
		t.Errorf("d2 admin was disabled")
	}
	e.Login(t, "d2-admin", "d2-admin-password") // its password was not reset
	// A missing id looks the same as a foreign one.
	missing := e.Do(t, "GET", "/v1/units/01a00000-0000-7000-8000-000000000000", tr.D1Admin, nil)
	foreignUnit := e.Do(t, "GET", "/v1/units/"+tr.Unit2, tr.D1Admin, nil)
	if missing.Code != 404 || foreignUnit.Code != 404 || missing.Status(t).GetMessage() != foreignUnit.Status(t).GetMessage() {
		t.Errorf("missing %d %s vs foreign %d %s", missing.Code, missing.Raw, foreignUnit.Code, foreignUnit.Raw)
	}
}

// MissingPermission calls write RPCs with roles that do not allow them.
func MissingPermission(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	calls := []struct {
		name, token, method, path string
		body                      proto.Message // nil: none
	}{
		{"viewer creates unit", tr.D1Viewer, "POST", "/v1/offices/" + tr.D1 + "/units", &tenancyv1.Unit{DisplayName: "x", CreditCode: spareCode, Category: other}},
		{"viewer creates office", tr.D1Viewer, "POST", "/v1/offices", &tenancyv1.Office{DisplayName: "x", Level: tenancyv1.Level_LEVEL_DISTRICT, RegionCode: "330106"}},
		{"viewer patches office", tr.D1Viewer, "PATCH", "/v1/offices/" + tr.D1 + "?updateMask=displayName", &tenancyv1.Office{DisplayName: "x", Etag: "1"}},
		{"viewer creates user", tr.D1Viewer, "POST", "/v1/offices/" + tr.D1 + "/users", &tenancyv1.User{Login: "v-made", Password: "v-made-password", Roles: officeAdmin}},
		{"viewer disables user", tr.D1Viewer, "POST", "/v1/users/" + tr.Unit1AdminID + ":disable", &tenancyv1.DisableUserRequest{}},
		{"viewer creates service account", tr.D1Viewer, "POST", "/v1/offices/" + tr.D1 + "/service-accounts", &tenancyv1.ServiceAccount{DisplayName: "x", Roles: officeViewer}},
		{"submitter patches unit", tr.Unit1Submitter, "PATCH", "/v1/units/" + tr.Unit1 + "?updateMask=displayName", &tenancyv1.Unit{DisplayName: "x", Etag: "1"}},
		{"submitter creates unit user", tr.Unit1Submitter, "POST", "/v1/units/" + tr.Unit1 + "/users", &tenancyv1.User{Login: "s-made", Password: "s-made-password", Roles: unitAdmin}},
		{"submitter lists users", tr.Unit1Submitter, "GET", "/v1/units/" + tr.Unit1 + "/users", nil},
		{"unit admin reads audit", tr.Unit1Admin, "GET", "/v1/offices/" + tr.D1 + "/audit-events", nil},
		{"city admin creates unit in district", tr.CityAdmin, "POST", "/v1/offices/" + tr.D1 + "/units", &tenancyv1.Unit{DisplayName: "x", CreditCode: spareCode, Category: other}},
		{"province admin creates grandchild users", tr.ProvAdmin, "POST", "/v1/offices/" + tr.D1 + "/users", &tenancyv1.User{Login: "p-made", Password: "p-made-password", Roles: officeAdmin}},
		{"no token", "", "GET", "/v1/offices/" + tr.D1, nil},
	}
	for _, c := range calls {
		r := e.Do(t, c.method, c.path, c.token, c.body)
		want := http.StatusForbidden
		if c.token == "" {
			want = http.StatusUnauthorized
		}
		if r.Code != want {
			t.Errorf("%s: %d, want %d: %s", c.name, r.Code, want, r.Raw)
		}
	}
}

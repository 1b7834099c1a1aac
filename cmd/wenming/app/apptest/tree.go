package apptest

import (
	"testing"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/services/tenancy"
)

// Login logs in with a password and returns the token pair; anything but 200 fails the
// test.
func (e *Env) Login(t testing.TB, login, password string) (access, refresh string) {
	t.Helper()
	tok := Call[*tenancyv1.TokenResponse](t, e, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: login, Password: password})
	return tok.GetAccessToken(), tok.GetRefreshToken()
}

// Tree is a small hierarchy with users at every level, and a second province:
//
//	platform
//	├── Province (浙江省, ProvAdmin)
//	│   └── City (杭州市, CityAdmin)
//	│       ├── D1 (西湖区, D1Admin, D1Viewer) ── Unit1 (Unit1Admin, Unit1Submitter)
//	│       └── D2 (上城区, D2Admin)          ── Unit2 (Unit2Admin)
//	└── Province2 (江苏省, Prov2Admin)
//
// Every user's password is its login followed by "-password" (for example d1-admin,
// d1-admin-password).
type Tree struct {
	Platform                   string // the platform admin's token
	Province, City, D1, D2     string // office ids
	Province2                  string
	ProvAdmin, CityAdmin       string // tokens
	D1Admin, D1Viewer, D2Admin string
	Prov2Admin                 string
	Unit1, Unit2               string // unit ids (Unit1 in D1, Unit2 in D2)
	Unit1Admin, Unit2Admin     string // tokens
	Unit1Submitter             string
	Unit1AdminID, D2AdminID    string // user ids
	D1Etag                     string // D1's etag as built
}

// CreditCodes are the credit codes of Unit1 and Unit2.
var CreditCodes = []string{
	"91350100M000100Y43", "91110000802100433B",
}

// Office creates an office as token (a top-level one when parent is empty) and returns
// its id.
func (e *Env) Office(t testing.TB, token, parent, name string, level tenancyv1.Level, region string) string {
	t.Helper()
	return Call[*tenancyv1.Office](t, e, "POST", "/v1/offices", token, &tenancyv1.Office{
		ParentId: parent, DisplayName: name, Level: level, RegionCode: region,
	}).GetId()
}

// User creates a user under path (/v1/offices/{id}/users or /v1/units/{id}/users) as
// token, with the password login+"-password", and returns its id.
func (e *Env) User(t testing.TB, token, path, login string, roles ...authzv1.Role) string {
	t.Helper()
	return Call[*tenancyv1.User](t, e, "POST", path, token, &tenancyv1.User{
		Login: login, Password: login + "-password", DisplayName: login, Roles: roles,
	}).GetId()
}

// BuildTree creates the Tree as the bootstrap platform admin and the admins it creates.
func (e *Env) BuildTree(t testing.TB) *Tree {
	t.Helper()
	const (
		officeAdmin  = authzv1.Role_ROLE_OFFICE_ADMIN
		officeViewer = authzv1.Role_ROLE_OFFICE_VIEWER
	)
	tr := &Tree{}
	tr.Platform, _ = e.Login(t, "admin", AdminPassword)
	tr.Province = e.Office(t, tr.Platform, "", "浙江省文明办", tenancyv1.Level_LEVEL_PROVINCIAL, "330000")
	tr.Province2 = e.Office(t, tr.Platform, "", "江苏省文明办", tenancyv1.Level_LEVEL_PROVINCIAL, "320000")
	e.User(t, tr.Platform, "/v1/offices/"+tr.Province+"/users", "prov-admin", officeAdmin)
	e.User(t, tr.Platform, "/v1/offices/"+tr.Province2+"/users", "prov2-admin", officeAdmin)
	tr.ProvAdmin, _ = e.Login(t, "prov-admin", "prov-admin-password")
	tr.Prov2Admin, _ = e.Login(t, "prov2-admin", "prov2-admin-password")

	tr.City = e.Office(t, tr.ProvAdmin, tr.Province, "杭州市文明办", tenancyv1.Level_LEVEL_MUNICIPAL, "330100")
	e.User(t, tr.ProvAdmin, "/v1/offices/"+tr.City+"/users", "city-admin", officeAdmin)
	tr.CityAdmin, _ = e.Login(t, "city-admin", "city-admin-password")
	tr.D1 = e.Office(t, tr.CityAdmin, tr.City, "西湖区文明办", tenancyv1.Level_LEVEL_DISTRICT, "330106")
	tr.D2 = e.Office(t, tr.CityAdmin, tr.City, "上城区文明办", tenancyv1.Level_LEVEL_DISTRICT, "330102")
	e.User(t, tr.CityAdmin, "/v1/offices/"+tr.D1+"/users", "d1-admin", officeAdmin)
	tr.D2AdminID = e.User(t, tr.CityAdmin, "/v1/offices/"+tr.D2+"/users", "d2-admin", officeAdmin)
	tr.D1Admin, _ = e.Login(t, "d1-admin", "d1-admin-password")
	tr.D2Admin, _ = e.Login(t, "d2-admin", "d2-admin-password")
	e.User(t, tr.D1Admin, "/v1/offices/"+tr.D1+"/users", "d1-viewer", officeViewer)
	tr.D1Viewer, _ = e.Login(t, "d1-viewer", "d1-viewer-password")

	tr.Unit1 = Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
		DisplayName: "西湖区图书馆", CreditCode: CreditCodes[0], Category: tenancyv1.UnitCategory_UNIT_CATEGORY_PUBLIC_INSTITUTION,
	}).GetId()
	tr.Unit2 = Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+tr.D2+"/units", tr.D2Admin, &tenancyv1.Unit{
		DisplayName: "上城区人民医院", CreditCode: CreditCodes[1], Category: tenancyv1.UnitCategory_UNIT_CATEGORY_HOSPITAL,
	}).GetId()
	tr.Unit1AdminID = e.User(t, tr.D1Admin, "/v1/units/"+tr.Unit1+"/users", "u1-admin", authzv1.Role_ROLE_UNIT_ADMIN)
	e.User(t, tr.D2Admin, "/v1/units/"+tr.Unit2+"/users", "u2-admin", authzv1.Role_ROLE_UNIT_ADMIN)
	e.User(t, tr.D1Admin, "/v1/units/"+tr.Unit1+"/users", "u1-submitter", authzv1.Role_ROLE_UNIT_SUBMITTER)
	tr.Unit1Admin, _ = e.Login(t, "u1-admin", "u1-admin-password")
	tr.Unit2Admin, _ = e.Login(t, "u2-admin", "u2-admin-password")
	tr.Unit1Submitter, _ = e.Login(t, "u1-submitter", "u1-submitter-password")
	tr.D1Etag = Call[*tenancyv1.Office](t, e, "GET", "/v1/offices/"+tr.D1, tr.D1Admin, nil).GetEtag()
	return tr
}

// CreditCode completes a 17-character unified social credit code body with its
// GB 32100-2015 check character.
func CreditCode(body string) string { return tenancy.CompleteCreditCode(body) }

package tenancytest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// RunReviewFindings covers what an outside review found in the first round of fixes: a
// race that planted several "first" admins, drafts shown through the audit trail, the
// platform admin taking over offices, IPv6 address rotation and lockouts of the owner,
// passwords typed as logins kept in the trail, and units changing their credit code.
// It locks d1-viewer out from one /64: run it on a process of its own.
func RunReviewFindings(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	run(t, e, tr, []named{
		{"first-admin-race", FirstAdminRace},
		{"drafts-in-the-trail", DraftsInTheTrail},
		{"platform-admin-recovers-only", PlatformAdminRecoversOnly},
		{"units-keep-their-credit-code", UnitsKeepTheirCreditCode},
		{"ipv6-counts-by-64", IPv6CountsBy64},
		{"owner-not-locked-out-at-a-known-address", OwnerNotLockedOutAtAKnownAddress},
		{"unknown-logins-pseudonymous", UnknownLoginsPseudonymous},
	})
}

// FirstAdminRace creates a new district's first admin five times at once: one succeeds.
func FirstAdminRace(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	d := e.Office(t, tr.CityAdmin, tr.City, "拱墅区文明办", tenancyv1.Level_LEVEL_DISTRICT, "330105")
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.Do(t, "POST", "/v1/offices/"+d+"/users", tr.CityAdmin, &tenancyv1.User{
				Login: fmt.Sprintf("race-%d", i), Password: "race-password-1", Roles: officeAdmin,
			}).Code
		}()
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		if c == 200 {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d first admins created at once (%v), want 1", created, codes)
	}
}

// DraftsInTheTrail: a draft standard's creation is in its office's trail, but only its
// owner reads the draft's content there.
func DraftsInTheTrail(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/offices/"+tr.City+"/standards", tr.CityAdmin, &standardsv1.Standard{Code: "SECRET-DRAFT", DisplayName: "未发布的细则"}))
	above := string(apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.City+"/audit-events?pageSize=500", tr.ProvAdmin, nil)).Raw)
	if strings.Contains(above, "SECRET-DRAFT") || !strings.Contains(above, "standard.create") {
		t.Errorf("the province reads the city's draft in its trail")
	}
	own := string(apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.City+"/audit-events?pageSize=500", tr.CityAdmin, nil)).Raw)
	if !strings.Contains(own, "SECRET-DRAFT") {
		t.Errorf("the owner does not read its own draft in its trail")
	}
}

// PlatformAdminRecoversOnly: in an office with an admin, the platform admin disables a
// compromised account but takes nothing over.
func PlatformAdminRecoversOnly(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	viewerID := e.User(t, tr.D1Admin, "/v1/offices/"+tr.D1+"/users", "pf-target", authzv1.Role_ROLE_OFFICE_VIEWER)
	if r := e.Do(t, "POST", "/v1/users/"+viewerID+":resetPassword", tr.Platform, &tenancyv1.ResetUserPasswordRequest{NewPassword: "taken-over-123"}); r.Code != 400 || r.Reason(t) != "OFFICE_HAS_ADMIN" {
		t.Errorf("platform admin resetting a password in a running office: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/units/"+tr.Unit1+"/users", tr.Platform, &tenancyv1.User{Login: "pf-planted", Password: "pf-planted-pw1", Roles: unitAdmin}); r.Code != 400 || r.Reason(t) != "OFFICE_HAS_ADMIN" {
		t.Errorf("platform admin planting a unit admin: %d %s", r.Code, r.Raw)
	}
	// Stopping a compromised account stays possible, and is in the office's trail.
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/users/"+viewerID+":disable", tr.Platform, &tenancyv1.DisableUserRequest{}))
	if r := e.Do(t, "POST", "/v1/users/"+viewerID+":enable", tr.Platform, &tenancyv1.EnableUserRequest{}); r.Code != 400 || r.Reason(t) != "OFFICE_HAS_ADMIN" {
		t.Errorf("platform admin enabling in a running office: %d %s", r.Code, r.Raw)
	}
}

// UnitsKeepTheirCreditCode: a unit's own admin cannot change its credit code.
func UnitsKeepTheirCreditCode(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	u := apptest.Call[*tenancyv1.Unit](t, e, "GET", "/v1/units/"+tr.Unit1, tr.Unit1Admin, nil)
	r := e.Do(t, "PATCH", "/v1/units/"+tr.Unit1+"?updateMask=creditCode", tr.Unit1Admin, &tenancyv1.Unit{CreditCode: apptest.CreditCodes[1], Etag: u.GetEtag()})
	if r.Code != 403 {
		t.Errorf("a unit admin changing its credit code: %d %s", r.Code, r.Raw)
	}
}

// IPv6CountsBy64: login attempts from one IPv6 /64 count as one address.
func IPv6CountsBy64(t *testing.T, e *apptest.Env, _ *apptest.Tree) {
	wrong := &tenancyv1.LoginRequest{Login: "d1-viewer", Password: "wrong-password"}
	var last apptest.Resp
	for i := range 6 {
		last = e.Do(t, "POST", "/v1/auth/login", "", wrong, apptest.Header{"X-Forwarded-For": fmt.Sprintf("2001:db8:1:2::%x", i+1)})
	}
	if last.Code != 429 {
		t.Errorf("6th attempt from one /64: %d", last.Code)
	}
	if r := e.Do(t, "POST", "/v1/auth/login", "", wrong, apptest.Header{"X-Forwarded-For": "2001:db8:1:3::1"}); r.Code != 401 {
		t.Errorf("another /64: %d", r.Code)
	}
}

// OwnerNotLockedOutAtAKnownAddress: an account locked by guesses from many addresses
// still logs in from an address it logged in from before.
func OwnerNotLockedOutAtAKnownAddress(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	e.User(t, tr.D1Admin, "/v1/offices/"+tr.D1+"/users", "lock-target", authzv1.Role_ROLE_OFFICE_VIEWER)
	login := func(addr, password string) apptest.Resp {
		return e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "lock-target", Password: password}, apptest.Header{"X-Forwarded-For": addr})
	}
	apptest.Must(t, 200, login("198.51.100.77", "lock-target-password"))
	for i := range 31 {
		login(fmt.Sprintf("192.0.2.%d", 100+i), "wrong-password")
	}
	if r := login("198.51.100.78", "lock-target-password"); r.Code != 429 {
		t.Errorf("a new address while the account is locked: %d", r.Code)
	}
	if r := login("198.51.100.77", "lock-target-password"); r.Code != 200 {
		t.Errorf("the owner's usual address while the account is locked: %d %s", r.Code, r.Raw)
	}
}

// UnknownLoginsPseudonymous: a login matching no account (perhaps a password typed into
// the wrong box) is kept in the platform's trail only as a pseudonym.
func UnknownLoginsPseudonymous(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "mys3cretpassw0rd", Password: "whatever-password"})
	trail := string(apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/platform/audit-events?pageSize=500", tr.Platform, nil)).Raw)
	if strings.Contains(trail, "mys3cretpassw0rd") || !strings.Contains(trail, "unknown:") {
		t.Errorf("an unknown login is kept as typed in the platform trail")
	}
}

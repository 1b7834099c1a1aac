package app_test

import (
	"testing"
	"time"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestClockSkew runs two replicas on one database and Redis, one whose clock is 4 s ahead
// of the other's (within auth.ClockSkew, docs/faults.md): a token either issues is
// accepted by both, and right after a password change made on the replica that is
// ahead, a new login on the one behind gives a token both accept, where it would look
// older than the revocation and be refused from birth.
func TestClockSkew(t *testing.T) {
	var cfg app.Config
	behind := apptest.Start(t, storetest.Postgres, func(c *app.Config) { cfg = *c })
	ahead := apptest.Start(t, storetest.Postgres, func(c *app.Config) {
		*c = cfg
		c.HTTPAddr, c.GRPCAddr, c.MetricsAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
		c.SessionClock = func() time.Time { return time.Now().Add(4 * time.Second) }
	})
	admin, _ := behind.Login(t, "admin", apptest.AdminPassword)
	office := behind.Office(t, admin, "", "浙江省文明办", tenancyv1.Level_LEVEL_PROVINCIAL, "330000")
	behind.User(t, admin, "/v1/offices/"+office+"/users", "skew-admin", authzv1.Role_ROLE_OFFICE_ADMIN)
	read := func(e *apptest.Env, token string) int {
		return e.Do(t, "GET", "/v1/offices/"+office, token, nil).Code
	}
	for _, issuer := range []*apptest.Env{behind, ahead} {
		tok, _ := issuer.Login(t, "skew-admin", "skew-admin-password")
		for name, e := range map[string]*apptest.Env{"behind": behind, "ahead": ahead} {
			if code := read(e, tok); code != 200 {
				t.Errorf("a token of the replica at %s answers %d on the replica %s", issuer.Base, code, name)
			}
		}
	}

	old, _ := ahead.Login(t, "skew-admin", "skew-admin-password")
	apptest.Must(t, 200, ahead.Do(t, "POST", "/v1/auth/password", old, &tenancyv1.ChangePasswordRequest{
		CurrentPassword: "skew-admin-password", NewPassword: "skew-admin-password-2"}))
	// The replica behind hears of the revocation (pushed through Redis) before the login.
	deadline := time.Now().Add(5 * time.Second)
	for read(behind, old) != 401 {
		if time.Now().After(deadline) {
			t.Fatal("the replica behind still accepts the token of the ended session")
		}
		time.Sleep(20 * time.Millisecond)
	}
	fresh, _ := behind.Login(t, "skew-admin", "skew-admin-password-2")
	for name, e := range map[string]*apptest.Env{"behind": behind, "ahead": ahead} {
		if code := read(e, fresh); code != 200 {
			t.Errorf("a login right after the password change answers %d on the replica %s", code, name)
		}
	}
}

package app_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestReviewFindings covers what an outside review found in the first round of fixes: a
// race that planted several "first" admins, drafts shown through the audit trail, the
// platform admin taking over offices, IPv6 address rotation and lockouts of the owner,
// passwords typed as logins kept in the trail, and units changing their credit code.
func TestReviewFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		e := start(t, kind)
		tr := e.buildTree()

		t.Run("first-admin-race", func(t *testing.T) {
			e.t = t
			d := e.office(tr.cityAdmin, tr.city, "拱墅区文明办", "LEVEL_DISTRICT", "330105")
			var wg sync.WaitGroup
			codes := make([]int, 5)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i] = e.do("POST", "/v1/offices/"+d+"/users", tr.cityAdmin, map[string]any{
						"login": fmt.Sprintf("race-%d", i), "password": "race-password-1", "roles": []string{"ROLE_OFFICE_ADMIN"},
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
		})

		t.Run("drafts-in-the-trail", func(t *testing.T) {
			e.t = t
			e.must(200, e.do("POST", "/v1/offices/"+tr.city+"/standards", tr.cityAdmin, map[string]any{"code": "SECRET-DRAFT", "displayName": "未发布的细则"}))
			above := string(e.must(200, e.do("GET", "/v1/offices/"+tr.city+"/audit-events?pageSize=500", tr.provAdmin, nil)).Raw)
			if strings.Contains(above, "SECRET-DRAFT") || !strings.Contains(above, "standard.create") {
				t.Errorf("the province reads the city's draft in its trail")
			}
			own := string(e.must(200, e.do("GET", "/v1/offices/"+tr.city+"/audit-events?pageSize=500", tr.cityAdmin, nil)).Raw)
			if !strings.Contains(own, "SECRET-DRAFT") {
				t.Errorf("the owner does not read its own draft in its trail")
			}
		})

		t.Run("platform-admin-recovers-only", func(t *testing.T) {
			e.t = t
			viewerID := e.user(tr.d1Admin, "/v1/offices/"+tr.d1+"/users", "pf-target", "ROLE_OFFICE_VIEWER")
			if r := e.do("POST", "/v1/users/"+viewerID+":resetPassword", tr.platform, map[string]string{"newPassword": "taken-over-123"}); r.Code != 400 || r.reason() != "OFFICE_HAS_ADMIN" {
				t.Errorf("platform admin resetting a password in a running office: %d %s", r.Code, r.Raw)
			}
			if r := e.do("POST", "/v1/units/"+tr.unit1+"/users", tr.platform, map[string]any{"login": "pf-planted", "password": "pf-planted-pw1", "roles": []string{"ROLE_UNIT_ADMIN"}}); r.Code != 400 || r.reason() != "OFFICE_HAS_ADMIN" {
				t.Errorf("platform admin planting a unit admin: %d %s", r.Code, r.Raw)
			}
			// Stopping a compromised account stays possible, and is in the office's trail.
			e.must(200, e.do("POST", "/v1/users/"+viewerID+":disable", tr.platform, map[string]any{}))
			if r := e.do("POST", "/v1/users/"+viewerID+":enable", tr.platform, map[string]any{}); r.Code != 400 || r.reason() != "OFFICE_HAS_ADMIN" {
				t.Errorf("platform admin enabling in a running office: %d %s", r.Code, r.Raw)
			}
		})

		t.Run("units-keep-their-credit-code", func(t *testing.T) {
			e.t = t
			u := e.must(200, e.do("GET", "/v1/units/"+tr.unit1, tr.unit1Admin, nil))
			r := e.do("PATCH", "/v1/units/"+tr.unit1+"?updateMask=creditCode", tr.unit1Admin, map[string]any{"creditCode": creditCodes[1], "etag": u.str("etag")})
			if r.Code != 403 {
				t.Errorf("a unit admin changing its credit code: %d %s", r.Code, r.Raw)
			}
		})

		t.Run("ipv6-counts-by-64", func(t *testing.T) {
			e.t = t
			var last resp
			for i := range 6 {
				last = e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d1-viewer", "password": "wrong-password"},
					hdr{"X-Forwarded-For": fmt.Sprintf("2001:db8:1:2::%x", i+1)})
			}
			if last.Code != 429 {
				t.Errorf("6th attempt from one /64: %d", last.Code)
			}
			if r := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d1-viewer", "password": "wrong-password"},
				hdr{"X-Forwarded-For": "2001:db8:1:3::1"}); r.Code != 401 {
				t.Errorf("another /64: %d", r.Code)
			}
		})

		t.Run("owner-not-locked-out-at-a-known-address", func(t *testing.T) {
			e.t = t
			e.user(tr.d1Admin, "/v1/offices/"+tr.d1+"/users", "lock-target", "ROLE_OFFICE_VIEWER")
			login := func(addr, password string) resp {
				return e.do("POST", "/v1/auth/login", "", map[string]string{"login": "lock-target", "password": password}, hdr{"X-Forwarded-For": addr})
			}
			e.must(200, login("198.51.100.77", "lock-target-password"))
			for i := range 31 {
				login(fmt.Sprintf("192.0.2.%d", 100+i), "wrong-password")
			}
			if r := login("198.51.100.78", "lock-target-password"); r.Code != 429 {
				t.Errorf("a new address while the account is locked: %d", r.Code)
			}
			if r := login("198.51.100.77", "lock-target-password"); r.Code != 200 {
				t.Errorf("the owner's usual address while the account is locked: %d %s", r.Code, r.Raw)
			}
		})

		t.Run("unknown-logins-pseudonymous", func(t *testing.T) {
			e.t = t
			e.do("POST", "/v1/auth/login", "", map[string]string{"login": "mys3cretpassw0rd", "password": "whatever-password"})
			trail := string(e.must(200, e.do("GET", "/v1/offices/platform/audit-events?pageSize=500", tr.platform, nil)).Raw)
			if strings.Contains(trail, "mys3cretpassw0rd") || !strings.Contains(trail, "unknown:") {
				t.Errorf("an unknown login is kept as typed in the platform trail")
			}
		})
	})
}

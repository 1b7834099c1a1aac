package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/web"
)

// TestConsole checks what the gateway serves a browser: the console and the API page
// beside the API, and the cookie session the console signs in with (docs/console.md).
func TestConsole(t *testing.T) {
	e := apptest.Start(t, storetest.SQLite)

	t.Run("pages", func(t *testing.T) {
		for _, path := range []string{"/", "/unit/applications/x", "/public/publicity", "/docs"} {
			r := apptest.Must(t, 200, e.Do(t, "GET", path, "", nil))
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy {
				t.Errorf("GET %s: %v", path, r.Header)
			}
		}
		var doc struct {
			OpenAPI    string
			Components struct {
				SecuritySchemes map[string]struct{ Type, Scheme string }
			}
		}
		if err := json.Unmarshal(apptest.Must(t, 200, e.Do(t, "GET", "/openapi3.json", "", nil)).Raw, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
			t.Errorf("/openapi3.json: %q, %v", doc.OpenAPI, err)
		}
		// OpenAPI 3 says what Swagger 2 could not: the token is a bearer token.
		if b := doc.Components.SecuritySchemes["bearer"]; b.Type != "http" || b.Scheme != "bearer" {
			t.Errorf("/openapi3.json's bearer scheme: %+v", b)
		}
		// The API keeps its own answers for paths it does not have.
		for _, c := range []struct{ method, path string }{{"GET", "/v1/nothing"}, {"POST", "/"}, {"DELETE", "/unit"}} {
			r := e.Do(t, c.method, c.path, "", nil)
			if r.Code != http.StatusNotFound && r.Code != http.StatusMethodNotAllowed || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s %s = %d %s, want the API's JSON error", c.method, c.path, r.Code, r.Header.Get("Content-Type"))
			}
		}
	})

	console := apptest.Header{"X-Wenming-Session": "cookie", "Sec-Fetch-Site": "same-origin"}
	cookieOf := func(t *testing.T, r apptest.Resp) *http.Cookie {
		t.Helper()
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "wenming_refresh" {
				return c
			}
		}
		return nil
	}
	withCookie := func(c *http.Cookie, more ...apptest.Header) apptest.Header {
		h := apptest.Header{"Cookie": c.Name + "=" + c.Value}
		for _, m := range more {
			for k, v := range m {
				h[k] = v
			}
		}
		return h
	}
	login := map[string]string{"login": "admin", "password": apptest.AdminPassword}

	t.Run("cookie-session", func(t *testing.T) {
		r := apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/login", "", login, console))
		if r.Str(t, "accessToken") == "" || strings.Contains(string(r.Raw), "refreshToken") {
			t.Fatalf("login answer %s: want the access token and no refresh token", r.Raw)
		}
		c := cookieOf(t, r)
		if c == nil || c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/v1/auth/" || c.MaxAge <= 0 {
			t.Fatalf("refresh cookie %+v", c)
		}
		if c.Secure {
			t.Error("the cookie is Secure on plain http, where the browser would drop it")
		}

		// The cookie refreshes, and is rotated.
		r = apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/refresh", "", map[string]any{}, withCookie(c, console)))
		access := r.Str(t, "accessToken")
		next := cookieOf(t, r)
		if access == "" || next == nil || next.Value == c.Value || strings.Contains(string(r.Raw), "refreshToken") {
			t.Fatalf("refresh: %s, cookie %+v", r.Raw, next)
		}
		apptest.Must(t, 200, e.Do(t, "GET", "/v1/auth/me", access, nil))

		// Without a cookie there is no session to restore.
		if r := e.Do(t, "POST", "/v1/auth/refresh", "", map[string]any{}, console); r.Code != http.StatusUnauthorized || r.Reason(t) != "INVALID_REFRESH_TOKEN" {
			t.Errorf("refresh without a cookie = %d %s", r.Code, r.Raw)
		}
		// The cookie alone is nothing: without the header it is ignored.
		if r := e.Do(t, "POST", "/v1/auth/refresh", "", map[string]any{}, withCookie(next)); r.Code != http.StatusBadRequest {
			t.Errorf("refresh with the cookie but not the header = %d %s, want 400", r.Code, r.Raw)
		}
		// Another site's page cannot use it (what a browser says of a cross-site request).
		for _, site := range []string{"cross-site", "same-site"} {
			r := e.Do(t, "POST", "/v1/auth/refresh", "", map[string]any{}, withCookie(next, console, apptest.Header{"Sec-Fetch-Site": site}))
			if r.Code != http.StatusForbidden || r.Reason(t) != "CROSS_SITE_REQUEST" {
				t.Errorf("refresh from a %s page = %d %s", site, r.Code, r.Raw)
			}
		}

		// A rotated cookie presented again is refused, revokes the family, and is cleared.
		r = e.Do(t, "POST", "/v1/auth/refresh", "", map[string]any{}, withCookie(c, console))
		if cleared := cookieOf(t, r); r.Code != http.StatusUnauthorized || cleared == nil || cleared.MaxAge >= 0 {
			t.Errorf("reused cookie: %d, cookie %+v", r.Code, cleared)
		}
		if r := e.Do(t, "POST", "/v1/auth/refresh", "", map[string]any{}, withCookie(next, console)); r.Code != http.StatusUnauthorized {
			t.Errorf("the family outlived the reuse: %d", r.Code)
		}

		// Logout clears the cookie.
		r = apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/login", "", login, console))
		access, c = r.Str(t, "accessToken"), cookieOf(t, r)
		r = apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/logout", access, map[string]any{}, withCookie(c, console)))
		if cleared := cookieOf(t, r); cleared == nil || cleared.MaxAge >= 0 {
			t.Errorf("logout left the cookie: %+v", cleared)
		}
		if r := e.Do(t, "POST", "/v1/auth/refresh", "", map[string]any{}, withCookie(c, console)); r.Code != http.StatusUnauthorized {
			t.Errorf("refresh after logout = %d", r.Code)
		}
	})

	t.Run("api-clients", func(t *testing.T) {
		// Without the header nothing changes: the refresh token is in the body, no cookie.
		r := apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/login", "", login))
		if r.Str(t, "refreshToken") == "" || cookieOf(t, r) != nil {
			t.Errorf("API login: %s, cookie %+v", r.Raw, cookieOf(t, r))
		}
		// Behind a TLS-terminating proxy the cookie is Secure.
		r = apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/login", "", login, console, apptest.Header{"X-Forwarded-Proto": "https"}))
		if c := cookieOf(t, r); c == nil || !c.Secure {
			t.Errorf("cookie over https: %+v", c)
		}
	})
}

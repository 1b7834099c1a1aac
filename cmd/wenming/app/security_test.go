package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/wenming-platform/wenming/ent/signingkey"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/store"
)

func testServiceAccounts(t *testing.T, e *env, tr *tree) {
	e.t = t
	sa := e.must(200, e.do("POST", "/v1/offices/"+tr.province+"/service-accounts", tr.provAdmin, map[string]any{
		"displayName": "省级汇总拉取", "roles": []string{"ROLE_OFFICE_VIEWER"},
	}))
	id, clientID, secret := sa.str("id"), sa.str("clientId"), sa.str("clientSecret")
	if clientID == "" || len(secret) < 32 {
		t.Fatalf("service account = %s", sa.Raw)
	}
	// A service account gets office roles only: never the platform's or a unit's.
	for _, roles := range [][]string{{"ROLE_PLATFORM_ADMIN"}, {"ROLE_OFFICE_VIEWER", "ROLE_UNIT_ADMIN"}, {}} {
		r := e.do("POST", "/v1/offices/"+tr.province+"/service-accounts", tr.provAdmin, map[string]any{"displayName": "越权", "roles": roles})
		if r.Code != 400 || !strings.HasPrefix(r.field(), "service_account.roles") {
			t.Errorf("service account with roles %v: %d %s", roles, r.Code, r.Raw)
		}
	}
	// The secret is shown once: never in a list.
	list := e.must(200, e.do("GET", "/v1/offices/"+tr.province+"/service-accounts", tr.provAdmin, nil))
	if strings.Contains(string(list.Raw), secret) || len(list.Body["serviceAccounts"].([]any)) != 1 {
		t.Errorf("list = %s", list.Raw)
	}
	grant := func(secret string) resp {
		return e.do("POST", "/v1/auth/token", "", map[string]string{
			"grantType": "client_credentials", "clientId": clientID, "clientSecret": secret,
		})
	}
	tok := e.must(200, grant(secret))
	if tok.str("tokenType") != "Bearer" || tok.str("refreshToken") != "" {
		t.Errorf("client credentials token = %s", tok.Raw)
	}
	access := tok.str("accessToken")
	// The machine client reads the province's subtree, and writes nothing.
	e.must(200, e.do("GET", "/v1/units/"+tr.unit1, access, nil))
	if r := e.do("GET", "/v1/units/"+tr.unit1, access, nil); r.Code != 200 {
		t.Errorf("cached token read: %d", r.Code)
	}
	if r := e.do("GET", "/v1/offices/"+tr.province2, access, nil); r.Code != 404 {
		t.Errorf("service account reading another province: %d", r.Code)
	}
	if r := e.do("POST", "/v1/offices", access, map[string]any{"parentId": tr.province, "displayName": "x", "level": "LEVEL_MUNICIPAL", "regionCode": "330200"}); r.Code != 403 {
		t.Errorf("viewer service account creating an office: %d", r.Code)
	}
	if r := grant(secret + "x"); r.Code != 401 {
		t.Errorf("wrong secret: %d %s", r.Code, r.Raw)
	}
	if r := e.do("POST", "/v1/auth/token", "", map[string]string{"grantType": "password", "clientId": clientID, "clientSecret": secret}); r.Code != 400 {
		t.Errorf("unsupported grant: %d %s", r.Code, r.Raw)
	}
	// Another office cannot disable it; its own admin can, and then no token is issued
	// and the tokens it holds die.
	if r := e.do("POST", "/v1/service-accounts/"+id+":disable", tr.prov2Admin, map[string]any{}); r.Code != 404 {
		t.Errorf("foreign disable: %d", r.Code)
	}
	e.must(200, e.do("POST", "/v1/service-accounts/"+id+":disable", tr.provAdmin, map[string]any{}))
	if r := grant(secret); r.Code != 401 {
		t.Errorf("disabled service account got a token: %d", r.Code)
	}
	if r := e.do("GET", "/v1/units/"+tr.unit1, access, nil); r.Code != 401 {
		t.Errorf("disabled service account's token still works: %d", r.Code)
	}
}

func testSessions(t *testing.T, e *env, tr *tree) {
	e.t = t
	e.user(tr.d1Admin, "/v1/offices/"+tr.d1+"/users", "session-user", "ROLE_OFFICE_REVIEWER")
	access, refresh := e.login("session-user", "session-user-password")

	// Rotation: the refresh token is exchanged for a new pair, once.
	r1 := e.must(200, e.do("POST", "/v1/auth/refresh", "", map[string]string{"refreshToken": refresh}))
	access2, refresh2 := r1.str("accessToken"), r1.str("refreshToken")
	if refresh2 == "" || refresh2 == refresh || access2 == "" {
		t.Fatalf("refresh = %s", r1.Raw)
	}
	e.must(200, e.do("GET", "/v1/auth/me", access, nil))
	// Reusing the rotated token is theft: the whole family dies, access tokens included.
	if r := e.do("POST", "/v1/auth/refresh", "", map[string]string{"refreshToken": refresh}); r.Code != 401 {
		t.Errorf("reused refresh token: %d %s", r.Code, r.Raw)
	}
	if r := e.do("POST", "/v1/auth/refresh", "", map[string]string{"refreshToken": refresh2}); r.Code != 401 {
		t.Errorf("refresh token of a revoked family: %d", r.Code)
	}
	for _, a := range []string{access, access2} {
		if r := e.do("GET", "/v1/auth/me", a, nil); r.Code != 401 {
			t.Errorf("access token of a revoked family: %d", r.Code)
		}
	}

	// Logout ends the session: its access and refresh tokens.
	access, refresh = e.login("session-user", "session-user-password")
	other, _ := e.login("session-user", "session-user-password")
	e.must(200, e.do("POST", "/v1/auth/logout", access, map[string]any{}))
	if r := e.do("GET", "/v1/auth/me", access, nil); r.Code != 401 {
		t.Errorf("access after logout: %d", r.Code)
	}
	if r := e.do("POST", "/v1/auth/refresh", "", map[string]string{"refreshToken": refresh}); r.Code != 401 {
		t.Errorf("refresh after logout: %d", r.Code)
	}
	// Another session of the same user is not touched.
	e.must(200, e.do("GET", "/v1/auth/me", other, nil))

	// Disabling a user kills every token at once, and login is refused.
	access, refresh = e.login("session-user", "session-user-password")
	me := e.must(200, e.do("GET", "/v1/auth/me", access, nil))
	id := me.str("subject")
	e.must(200, e.do("POST", "/v1/users/"+id+":disable", tr.d1Admin, map[string]any{}))
	for _, a := range []string{access, other} {
		if r := e.do("GET", "/v1/auth/me", a, nil); r.Code != 401 {
			t.Errorf("disabled user's access token: %d", r.Code)
		}
	}
	if r := e.do("POST", "/v1/auth/refresh", "", map[string]string{"refreshToken": refresh}); r.Code != 401 {
		t.Errorf("disabled user's refresh: %d", r.Code)
	}
	bad := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "session-user", "password": "session-user-password"})
	unknown := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "nobody-at-all", "password": "whatever-password"})
	if bad.Code != 401 || unknown.Code != 401 || bad.str("message") != unknown.str("message") || bad.reason() != unknown.reason() {
		t.Errorf("disabled login %d %s vs unknown %d %s", bad.Code, bad.Raw, unknown.Code, unknown.Raw)
	}
	// Enabled again, the user logs in afresh at once: a token issued in the same second as
	// the revocation, but after it, is valid.
	e.must(200, e.do("POST", "/v1/users/"+id+":enable", tr.d1Admin, map[string]any{}))
	access, _ = e.login("session-user", "session-user-password")
	e.must(200, e.do("GET", "/v1/auth/me", access, nil))

	// Each of these is a security event in the office's trail, without passwords or tokens.
	trail := string(e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/audit-events?pageSize=500", tr.d1Admin, nil)).Raw)
	for _, action := range []string{"auth.login", "auth.refresh_reuse", "auth.logout", "auth.login_failed", "account disabled"} {
		if !strings.Contains(trail, action) {
			t.Errorf("no %q in the trail", action)
		}
	}
	if strings.Contains(trail, "session-user-password") || strings.Contains(trail, refresh) || strings.Contains(trail, access) {
		t.Error("a password or token is in the trail")
	}
	// A login matching no account is recorded in the platform's trail, under a pseudonym:
	// it may be a password typed into the wrong box.
	platform := string(e.must(200, e.do("GET", "/v1/offices/platform/audit-events?pageSize=500", tr.platform, nil)).Raw)
	if strings.Contains(platform, "nobody-at-all") || !strings.Contains(platform, "unknown login") {
		t.Errorf("unknown login not in the platform trail, or kept as typed: %.300s", platform)
	}
}

// testJWTAttacks presents forged and malformed tokens; every one is 401.
func testJWTAttacks(t *testing.T, e *env, tr *tree) {
	e.t = t
	ctx := store.System(context.Background())
	k, err := e.app.Store().Client.SigningKey.Query().Where(signingkey.RetireTimeIsNil()).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The table holds the key sealed under the master key: open it as the process does.
	priv, err := auth.OpenPrivateKey(e.app.MasterKey(), k.ID, k.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	me := e.must(200, e.do("GET", "/v1/auth/me", tr.d1Admin, nil))
	claims := func(mut func(c jwt.MapClaims)) jwt.MapClaims {
		now := time.Now()
		c := jwt.MapClaims{
			"iss": auth.Issuer, "aud": []string{auth.Audience}, "sub": me.str("subject"),
			"exp": now.Add(10 * time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(),
			"iat_ms": now.UnixMilli(), "jti": uuid.NewString(), "knd": "user", "lgn": "d1-admin", "off": tr.d1,
			"scp": "/", "rol": []string{"ROLE_PLATFORM_ADMIN"},
		}
		if mut != nil {
			mut(c)
		}
		return c
	}
	sign := func(c jwt.MapClaims, kid string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(priv)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// The control: a token forged with the real key is accepted, so each refusal below is
	// down to the one thing it changes.
	control := sign(claims(nil), k.ID)
	if r := e.do("GET", "/v1/auth/me", control, nil); r.Code != 200 {
		t.Fatalf("control token refused: %d %s", r.Code, r.Raw)
	}

	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	payload := strings.Split(control, ".")[1]
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	hs.Header["kid"] = k.ID
	keyConfusion, err := hs.SignedString([]byte(k.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	unknownKid := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(nil))
	unknownKid.Header["kid"] = "not-a-key"
	unknownKidTok, _ := unknownKid.SignedString(otherKey)
	wrongKey := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(nil))
	wrongKey.Header["kid"] = k.ID
	wrongKeyTok, _ := wrongKey.SignedString(otherKey)
	_, refresh := e.login("d1-admin", "d1-admin-password")

	attacks := map[string]string{
		"alg none":            b64(`{"alg":"none","typ":"JWT","kid":"`+k.ID+`"}`) + "." + payload + ".",
		"HS256 with pub key":  keyConfusion,
		"unknown kid":         unknownKidTok,
		"wrong key, real kid": wrongKeyTok,
		"no kid":              sign(claims(nil), ""),
		"expired":             sign(claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }), k.ID),
		"missing exp":         sign(claims(func(c jwt.MapClaims) { delete(c, "exp") }), k.ID),
		"not yet valid":       sign(claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), k.ID),
		"wrong audience":      sign(claims(func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} }), k.ID),
		"wrong issuer":        sign(claims(func(c jwt.MapClaims) { c["iss"] = "evil" }), k.ID),
		"missing jti":         sign(claims(func(c jwt.MapClaims) { delete(c, "jti") }), k.ID),
		"ten-year lifetime":   sign(claims(func(c jwt.MapClaims) { c["exp"] = time.Now().AddDate(10, 0, 0).Unix() }), k.ID),
		"issued in an hour": sign(claims(func(c jwt.MapClaims) {
			c["iat"], c["iat_ms"] = time.Now().Add(time.Hour).Unix(), time.Now().Add(time.Hour).UnixMilli()
		}), k.ID),
		"iat_ms disagrees":  sign(claims(func(c jwt.MapClaims) { c["iat_ms"] = time.Now().Add(-time.Hour).UnixMilli() }), k.ID),
		"unknown role":      sign(claims(func(c jwt.MapClaims) { c["rol"] = []string{"ROLE_GOD"} }), k.ID),
		"unknown kind":      sign(claims(func(c jwt.MapClaims) { c["knd"] = "root" }), k.ID),
		"tampered payload":  strings.Join([]string{strings.Split(control, ".")[0], b64(`{"sub":"x"}`), strings.Split(control, ".")[2]}, "."),
		"refresh as access": refresh,
		"garbage":           "not.a.jwt",
	}
	for name, tok := range attacks {
		r := e.do("GET", "/v1/auth/me", tok, nil)
		if r.Code != 401 {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
		if r.Header.Get("Www-Authenticate") == "" && r.Code == 401 {
			t.Errorf("%s: 401 without WWW-Authenticate", name)
		}
	}
}

func testBadRequests(t *testing.T, e *env, tr *tree) {
	e.t = t
	for _, h := range []string{"Bearer", "Bearer ", "Basic ZDE6cGFzcw==", "bearer" + tr.d1Admin, "Bearer " + tr.d1Admin + " extra", "Token " + tr.d1Admin} {
		r := e.do("GET", "/v1/offices/"+tr.d1, "", nil, hdr{"Authorization": h})
		if r.Code != 401 {
			t.Errorf("Authorization %.20q: %d", h, r.Code)
		}
	}
	// The scheme is case-insensitive (RFC 7235).
	e.must(200, e.do("GET", "/v1/offices/"+tr.d1, "", nil, hdr{"Authorization": "bearer " + tr.d1Admin}))

	// Forwarded headers never set identity or tenant.
	r := e.do("GET", "/v1/offices/"+tr.d2, tr.d1Admin, nil, hdr{
		"X-Office-Id": tr.d2, "X-Forwarded-User": "admin", "Grpc-Metadata-Authorization": "Bearer " + tr.d2Admin,
	})
	if r.Code != 404 {
		t.Errorf("forwarded identity headers: %d", r.Code)
	}

	big := `{"displayName":"` + strings.Repeat("字", 1<<20) + `","creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_OTHER"}`
	if r := e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, big); r.Code != 413 || r.reason() != "REQUEST_TOO_LARGE" {
		t.Errorf("oversized body: %d %s", r.Code, r.Raw)
	}
	for name, body := range map[string]string{
		"unknown field":  `{"displayName":"x","creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_OTHER","quota":5}`,
		"malformed json": `{"displayName":`,
		"wrong type":     `{"displayName":5,"creditCode":"` + spareCode + `"}`,
		"unknown enum":   `{"displayName":"x","creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_SPACESHIP"}`,
		"no name":        `{"creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_OTHER"}`,
		"no category":    `{"displayName":"x","creditCode":"` + spareCode + `"}`,
	} {
		if r := e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, body); r.Code != 400 {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
	}
	// The gateway's own parsing errors name the field, like the services' errors do.
	if r := e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, `{"displayName":"x","quota":5}`); r.field() != "quota" || r.reason() != "INVALID_ARGUMENT" {
		t.Errorf("unknown field not named: %s", r.Raw)
	}
	if r := e.do("GET", "/v1/offices/"+tr.d1+"/units?pageSize=abc", tr.d1Admin, nil); r.Code != 400 || r.field() != "page_size" {
		t.Errorf("bad page size: %d %s", r.Code, r.Raw)
	}
	if r := e.do("DELETE", "/v1/offices/"+tr.d1, tr.d1Admin, nil); r.Code != 405 || r.reason() != "METHOD_NOT_ALLOWED" {
		t.Errorf("DELETE on an office: %d %s", r.Code, r.Raw)
	}
	if r := e.do("GET", "/v1/nothing-here", tr.d1Admin, nil); r.Code != 404 || r.reason() != "NO_SUCH_ROUTE" {
		t.Errorf("unknown route: %d %s", r.Code, r.Raw)
	}
	// None of the refused creates happened.
	l := e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/units?pageSize=500", tr.d1Admin, nil))
	if strings.Contains(string(l.Raw), spareCode) {
		t.Errorf("a refused create left a unit")
	}
	// Output-only fields on create are ignored: the server picks the id and office.
	u := e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/units", tr.d1Admin, map[string]any{
		"id": "chosen-id", "officeId": tr.d2, "displayName": "输出字段测试", "creditCode": spareCode, "category": "UNIT_CATEGORY_OTHER",
	}))
	if u.str("id") == "chosen-id" || u.str("officeId") != tr.d1 {
		t.Errorf("create honoured output-only fields: %s", u.Raw)
	}
	// Error messages follow Accept-Language, zh-CN by default.
	zh := e.do("GET", "/v1/units/missing", tr.d1Admin, nil)
	en := e.do("GET", "/v1/units/missing", tr.d1Admin, nil, hdr{"Accept-Language": "en-US,en;q=0.9"})
	if zh.Code != 404 || en.Code != 404 || zh.str("message") == en.str("message") || !strings.ContainsFunc(zh.str("message"), func(r rune) bool { return r > 0x4e00 }) {
		t.Errorf("localized 404: zh %q en %q", zh.str("message"), en.str("message"))
	}
}

func testAudit(t *testing.T, e *env, tr *tree) {
	e.t = t
	l := e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/audit-events?pageSize=500", tr.d1Admin, nil))
	events := l.Body["auditEvents"].([]any)
	actions := map[string]bool{}
	for i, ev := range events {
		m := ev.(map[string]any)
		actions[m["action"].(string)] = true
		if m["actor"] == "" || m["requestId"] == "" || m["hash"] == "" {
			t.Errorf("event %d lacks actor, request id or hash: %v", i, m)
		}
		if i > 0 && m["prevHash"] != events[i-1].(map[string]any)["hash"] {
			t.Errorf("event %d does not link to its predecessor", i)
		}
	}
	for _, want := range []string{"office.update", "unit.create", "unit.update", "user.create", "user.disable", "user.enable"} {
		if !actions[want] {
			t.Errorf("no %s event in %v", want, actions)
		}
	}
	// An ancestor reads the trail; a sibling does not.
	e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/audit-events", tr.provAdmin, nil))

	ctx := context.Background()
	c := e.app.Store().Client
	breaks, n, err := e.app.Audit().Verify(ctx, c)
	if err != nil || len(breaks) != 0 || n < len(events) {
		t.Fatalf("verify: %v breaks %v over %d events", err, breaks, n)
	}
	// Editing an event breaks the chain at that event.
	victim := events[1].(map[string]any)
	if _, err := e.app.Store().DB.ExecContext(ctx, "UPDATE audit_events SET actor = 'someone-else' WHERE id = "+placeholder(e)+"", victim["id"]); err != nil {
		t.Fatal(err)
	}
	breaks, _, err = e.app.Audit().Verify(ctx, c)
	if err != nil || len(breaks) != 1 || breaks[0].EventID != victim["id"] || breaks[0].OfficeID != tr.d1 {
		t.Errorf("after tampering: %v %+v", err, breaks)
	}
}

// placeholder is the first SQL parameter marker of the env's database.
func placeholder(e *env) string {
	if e.app.Store().Dialect == "postgres" {
		return "$1"
	}
	return "?"
}

func testRateLimit(t *testing.T, e *env, tr *tree) {
	e.t = t
	from := func(addr, password string) resp {
		return e.do("POST", "/v1/auth/login", "", map[string]string{"login": "d2-admin", "password": password},
			hdr{"X-Forwarded-For": addr})
	}
	var last resp
	for range 6 {
		last = from("203.0.113.50", "wrong-password")
	}
	if last.Code != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("6th bad login from one address: %d %v %s", last.Code, last.Header, last.Raw)
	}
	// Even the right password waits at that address: the limit is per attempt, not per failure.
	if r := from("203.0.113.50", "d2-admin-password"); r.Code != 429 {
		t.Errorf("right password while limited: %d", r.Code)
	}
	// One address guessing does not lock the account's owner out: from elsewhere it logs in.
	e.must(200, from("198.51.100.20", "d2-admin-password"))
	// Guessing from many addresses locks the account itself, for everyone.
	for i := range 31 {
		last = from(fmt.Sprintf("192.0.2.%d", i+1), "wrong-password")
	}
	if last.Code != 429 {
		t.Errorf("31st bad login from many addresses: %d %s", last.Code, last.Raw)
	}
	if r := from("198.51.100.21", "d2-admin-password"); r.Code != 429 {
		t.Errorf("right password from a new address while the account is locked: %d", r.Code)
	}
	// The lockouts are security events in the office's trail; no password is.
	trail := e.must(200, e.do("GET", "/v1/offices/"+tr.d2+"/audit-events?pageSize=500", tr.d2Admin, nil))
	raw := string(trail.Raw)
	if strings.Count(raw, "auth.lockout") != 2 || !strings.Contains(raw, "account_and_address") || !strings.Contains(raw, "192.0.2.") ||
		strings.Contains(raw, "wrong-password") || strings.Contains(raw, "d2-admin-password") {
		t.Errorf("lockouts in the trail: %d, %s", strings.Count(raw, "auth.lockout"), raw)
	}
	// Another account from the same address is not limited.
	e.login("d1-admin", "d1-admin-password")
}

// testRateLimitByAddress counts login attempts per client address as a proxy in front of
// the gateway reports it (the test client is on loopback, which is trusted).
func testRateLimitByAddress(t *testing.T, e *env) {
	e.t = t
	try := func(i int, addr string) resp {
		return e.do("POST", "/v1/auth/login", "", map[string]string{"login": fmt.Sprintf("nobody-%d", i), "password": "wrong-password"},
			hdr{"X-Forwarded-For": "198.51.100.1, " + addr})
	}
	for i := range 60 {
		if r := try(i, "203.0.113.7"); r.Code != 401 {
			t.Fatalf("attempt %d: %d %s", i, r.Code, r.Raw)
		}
	}
	if r := try(60, "203.0.113.7"); r.Code != 429 || r.Header.Get("Retry-After") == "" {
		t.Errorf("61st attempt from one address: %d", r.Code)
	}
	// Another client behind the same proxy is not held back; nor is the left-most,
	// client-written entry what counts.
	if r := try(61, "203.0.113.8"); r.Code != 401 {
		t.Errorf("another address: %d %s", r.Code, r.Raw)
	}
}

func testPasswords(t *testing.T, e *env, tr *tree) {
	e.t = t
	id := e.user(tr.d1Admin, "/v1/offices/"+tr.d1+"/users", "pw-user", "ROLE_OFFICE_VIEWER")
	access, refresh := e.login("pw-user", "pw-user-password")
	change := func(tok, current, next string) resp {
		return e.do("POST", "/v1/auth/password", tok, map[string]string{"currentPassword": current, "newPassword": next})
	}
	if r := change(access, "wrong-password", "brand-new-password"); r.Code != 400 || r.field() != "current_password" {
		t.Errorf("wrong current password: %d %s", r.Code, r.Raw)
	}
	if r := change(access, "pw-user-password", "short"); r.Code != 400 || r.field() != "new_password" {
		t.Errorf("short new password: %d %s", r.Code, r.Raw)
	}
	if r := change(access, "pw-user-password", "pw-user-password"); r.Code != 400 || r.field() != "new_password" {
		t.Errorf("unchanged password: %d %s", r.Code, r.Raw)
	}
	e.must(200, change(access, "pw-user-password", "brand-new-password"))
	// Every session ends, this one included; only the new password logs in.
	if r := e.do("GET", "/v1/auth/me", access, nil); r.Code != 401 {
		t.Errorf("access token after a password change: %d", r.Code)
	}
	if r := e.do("POST", "/v1/auth/refresh", "", map[string]string{"refreshToken": refresh}); r.Code != 401 {
		t.Errorf("refresh token after a password change: %d", r.Code)
	}
	if r := e.do("POST", "/v1/auth/login", "", map[string]string{"login": "pw-user", "password": "pw-user-password"}); r.Code != 401 {
		t.Errorf("old password: %d", r.Code)
	}
	// A login right after the change works at once (revocations and issue times are
	// compared to the millisecond, not the second).
	access, _ = e.login("pw-user", "brand-new-password")
	e.must(200, e.do("GET", "/v1/auth/me", access, nil))

	// Admins who manage the user reset it; nobody else can.
	reset := func(tok string) resp {
		return e.do("POST", "/v1/users/"+id+":resetPassword", tok, map[string]string{"newPassword": "reset-by-admin-1"})
	}
	for _, c := range []struct {
		name, tok string
		want      int
	}{{"viewer", tr.d1Viewer, 403}, {"sibling district", tr.d2Admin, 404}, {"other province", tr.prov2Admin, 404}, {"the user", access, 403}} {
		if r := reset(c.tok); r.Code != c.want {
			t.Errorf("%s resetting: %d, want %d", c.name, r.Code, c.want)
		}
	}
	e.must(200, reset(tr.d1Admin))
	if r := e.do("GET", "/v1/auth/me", access, nil); r.Code != 401 {
		t.Errorf("access token after a reset: %d", r.Code)
	}
	again, _ := e.login("pw-user", "reset-by-admin-1")
	e.must(200, e.do("GET", "/v1/auth/me", again, nil))
	// The trail says what happened, never the password.
	trail := e.must(200, e.do("GET", "/v1/offices/"+tr.d1+"/audit-events?pageSize=500", tr.d1Admin, nil))
	if s := string(trail.Raw); !strings.Contains(s, "user.password_reset") || !strings.Contains(s, "user.password_change") ||
		strings.Contains(s, "reset-by-admin-1") || strings.Contains(s, "brand-new-password") {
		t.Errorf("password events in the trail: %v", strings.Contains(s, "user.password_reset"))
	}
}

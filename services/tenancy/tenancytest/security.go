package tenancytest

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

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/ent/signingkey"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// ServiceAccounts checks machine clients: office roles only, a secret shown once, the
// client-credentials grant, and disabling.
func ServiceAccounts(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	saResp := apptest.Must(t, 200, e.Do(t, "POST", "/v1/offices/"+tr.Province+"/service-accounts", tr.ProvAdmin, &tenancyv1.ServiceAccount{
		DisplayName: "省级汇总拉取", Roles: officeViewer,
	}))
	sa := apptest.Decode[*tenancyv1.ServiceAccount](t, saResp)
	id, clientID, secret := sa.GetId(), sa.GetClientId(), sa.GetClientSecret()
	if clientID == "" || len(secret) < 32 {
		t.Fatalf("service account = %s", saResp.Raw)
	}
	// A service account gets office roles only: never the platform's or a unit's.
	for _, roles := range [][]authzv1.Role{
		{authzv1.Role_ROLE_PLATFORM_ADMIN}, {authzv1.Role_ROLE_OFFICE_VIEWER, authzv1.Role_ROLE_UNIT_ADMIN}, {},
	} {
		r := e.Do(t, "POST", "/v1/offices/"+tr.Province+"/service-accounts", tr.ProvAdmin, &tenancyv1.ServiceAccount{DisplayName: "越权", Roles: roles})
		if r.Code != 400 || !strings.HasPrefix(r.Field(t), "service_account.roles") {
			t.Errorf("service account with roles %v: %d %s", roles, r.Code, r.Raw)
		}
	}
	// The secret is shown once: never in a list.
	list := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.Province+"/service-accounts", tr.ProvAdmin, nil))
	if strings.Contains(string(list.Raw), secret) || len(apptest.Decode[*tenancyv1.ListServiceAccountsResponse](t, list).GetServiceAccounts()) != 1 {
		t.Errorf("list = %s", list.Raw)
	}
	grant := func(secret string) apptest.Resp {
		return e.Do(t, "POST", "/v1/auth/token", "", &tenancyv1.TokenRequest{
			GrantType: "client_credentials", ClientId: clientID, ClientSecret: secret,
		})
	}
	tokResp := apptest.Must(t, 200, grant(secret))
	tok := apptest.Decode[*tenancyv1.TokenResponse](t, tokResp)
	if tok.GetTokenType() != "Bearer" || tok.GetRefreshToken() != "" {
		t.Errorf("client credentials token = %s", tokResp.Raw)
	}
	access := tok.GetAccessToken()
	// The machine client reads the province's subtree, and writes nothing.
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/units/"+tr.Unit1, access, nil))
	if r := e.Do(t, "GET", "/v1/units/"+tr.Unit1, access, nil); r.Code != 200 {
		t.Errorf("cached token read: %d", r.Code)
	}
	if r := e.Do(t, "GET", "/v1/offices/"+tr.Province2, access, nil); r.Code != 404 {
		t.Errorf("service account reading another province: %d", r.Code)
	}
	if r := e.Do(t, "POST", "/v1/offices", access, &tenancyv1.Office{
		ParentId: tr.Province, DisplayName: "x", Level: tenancyv1.Level_LEVEL_MUNICIPAL, RegionCode: "330200",
	}); r.Code != 403 {
		t.Errorf("viewer service account creating an office: %d", r.Code)
	}
	if r := grant(secret + "x"); r.Code != 401 {
		t.Errorf("wrong secret: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/auth/token", "", &tenancyv1.TokenRequest{GrantType: "password", ClientId: clientID, ClientSecret: secret}); r.Code != 400 {
		t.Errorf("unsupported grant: %d %s", r.Code, r.Raw)
	}
	// Another office cannot disable it; its own admin can, and then no token is issued
	// and the tokens it holds die.
	if r := e.Do(t, "POST", "/v1/service-accounts/"+id+":disable", tr.Prov2Admin, &tenancyv1.DisableServiceAccountRequest{}); r.Code != 404 {
		t.Errorf("foreign disable: %d", r.Code)
	}
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/service-accounts/"+id+":disable", tr.ProvAdmin, &tenancyv1.DisableServiceAccountRequest{}))
	if r := grant(secret); r.Code != 401 {
		t.Errorf("disabled service account got a token: %d", r.Code)
	}
	if r := e.Do(t, "GET", "/v1/units/"+tr.Unit1, access, nil); r.Code != 401 {
		t.Errorf("disabled service account's token still works: %d", r.Code)
	}
}

// Sessions checks refresh-token rotation and reuse, logout, and disabling a user, and
// that each is a security event in the trail.
func Sessions(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	e.User(t, tr.D1Admin, "/v1/offices/"+tr.D1+"/users", "session-user", authzv1.Role_ROLE_OFFICE_REVIEWER)
	access, refresh := e.Login(t, "session-user", "session-user-password")

	// Rotation: the refresh token is exchanged for a new pair, once.
	r1 := apptest.Call[*tenancyv1.TokenResponse](t, e, "POST", "/v1/auth/refresh", "", &tenancyv1.RefreshRequest{RefreshToken: refresh})
	access2, refresh2 := r1.GetAccessToken(), r1.GetRefreshToken()
	if refresh2 == "" || refresh2 == refresh || access2 == "" {
		t.Fatalf("refresh = %v", r1)
	}
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/auth/me", access, nil))
	// Reusing the rotated token is theft: the whole family dies, access tokens included.
	if r := e.Do(t, "POST", "/v1/auth/refresh", "", &tenancyv1.RefreshRequest{RefreshToken: refresh}); r.Code != 401 {
		t.Errorf("reused refresh token: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "POST", "/v1/auth/refresh", "", &tenancyv1.RefreshRequest{RefreshToken: refresh2}); r.Code != 401 {
		t.Errorf("refresh token of a revoked family: %d", r.Code)
	}
	for _, a := range []string{access, access2} {
		if r := e.Do(t, "GET", "/v1/auth/me", a, nil); r.Code != 401 {
			t.Errorf("access token of a revoked family: %d", r.Code)
		}
	}

	// Logout ends the session: its access and refresh tokens.
	access, refresh = e.Login(t, "session-user", "session-user-password")
	other, _ := e.Login(t, "session-user", "session-user-password")
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/auth/logout", access, &tenancyv1.LogoutRequest{}))
	if r := e.Do(t, "GET", "/v1/auth/me", access, nil); r.Code != 401 {
		t.Errorf("access after logout: %d", r.Code)
	}
	if r := e.Do(t, "POST", "/v1/auth/refresh", "", &tenancyv1.RefreshRequest{RefreshToken: refresh}); r.Code != 401 {
		t.Errorf("refresh after logout: %d", r.Code)
	}
	// Another session of the same user is not touched.
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/auth/me", other, nil))

	// Disabling a user kills every token at once, and login is refused.
	access, refresh = e.Login(t, "session-user", "session-user-password")
	id := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", access, nil).GetSubject()
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/users/"+id+":disable", tr.D1Admin, &tenancyv1.DisableUserRequest{}))
	for _, a := range []string{access, other} {
		if r := e.Do(t, "GET", "/v1/auth/me", a, nil); r.Code != 401 {
			t.Errorf("disabled user's access token: %d", r.Code)
		}
	}
	if r := e.Do(t, "POST", "/v1/auth/refresh", "", &tenancyv1.RefreshRequest{RefreshToken: refresh}); r.Code != 401 {
		t.Errorf("disabled user's refresh: %d", r.Code)
	}
	bad := e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "session-user", Password: "session-user-password"})
	unknown := e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "nobody-at-all", Password: "whatever-password"})
	if bad.Code != 401 || unknown.Code != 401 || bad.Status(t).GetMessage() != unknown.Status(t).GetMessage() || bad.Reason(t) != unknown.Reason(t) {
		t.Errorf("disabled login %d %s vs unknown %d %s", bad.Code, bad.Raw, unknown.Code, unknown.Raw)
	}
	// Enabled again, the user logs in afresh at once: a token issued in the same second as
	// the revocation, but after it, is valid.
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/users/"+id+":enable", tr.D1Admin, &tenancyv1.EnableUserRequest{}))
	access, _ = e.Login(t, "session-user", "session-user-password")
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/auth/me", access, nil))

	// Each of these is a security event in the office's trail, without passwords or tokens.
	trail := string(apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D1+"/audit-events?pageSize=500", tr.D1Admin, nil)).Raw)
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
	platform := string(apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/platform/audit-events?pageSize=500", tr.Platform, nil)).Raw)
	if strings.Contains(platform, "nobody-at-all") || !strings.Contains(platform, "unknown login") {
		t.Errorf("unknown login not in the platform trail, or kept as typed: %.300s", platform)
	}
}

// JWTAttacks presents forged and malformed tokens; every one is 401.
func JWTAttacks(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	ctx := store.System(context.Background())
	k, err := e.App.Store().Client.SigningKey.Query().Where(signingkey.RetireTimeIsNil()).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The table holds the key sealed under the master key: open it as the process does.
	priv, err := auth.OpenPrivateKey(e.App.MasterKey(), k.ID, k.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	me := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", tr.D1Admin, nil)
	claims := func(mut func(c jwt.MapClaims)) jwt.MapClaims {
		now := time.Now()
		c := jwt.MapClaims{
			"iss": auth.Issuer, "aud": []string{auth.Audience}, "sub": me.GetSubject(),
			"exp": now.Add(10 * time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(),
			"iat_ms": now.UnixMilli(), "jti": uuid.NewString(), "knd": "user", "lgn": "d1-admin", "off": tr.D1,
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
	if r := e.Do(t, "GET", "/v1/auth/me", control, nil); r.Code != 200 {
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
	_, refresh := e.Login(t, "d1-admin", "d1-admin-password")

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
		r := e.Do(t, "GET", "/v1/auth/me", tok, nil)
		if r.Code != 401 {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
		if r.Header.Get("Www-Authenticate") == "" && r.Code == 401 {
			t.Errorf("%s: 401 without WWW-Authenticate", name)
		}
	}
}

// BadRequests sends malformed credentials, headers, bodies, parameters and routes.
func BadRequests(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	for _, h := range []string{"Bearer", "Bearer ", "Basic ZDE6cGFzcw==", "bearer" + tr.D1Admin, "Bearer " + tr.D1Admin + " extra", "Token " + tr.D1Admin} {
		r := e.Do(t, "GET", "/v1/offices/"+tr.D1, "", nil, apptest.Header{"Authorization": h})
		if r.Code != 401 {
			t.Errorf("Authorization %.20q: %d", h, r.Code)
		}
	}
	// The scheme is case-insensitive (RFC 7235).
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D1, "", nil, apptest.Header{"Authorization": "bearer " + tr.D1Admin}))

	// Forwarded headers never set identity or tenant.
	r := e.Do(t, "GET", "/v1/offices/"+tr.D2, tr.D1Admin, nil, apptest.Header{
		"X-Office-Id": tr.D2, "X-Forwarded-User": "admin", "Grpc-Metadata-Authorization": "Bearer " + tr.D2Admin,
	})
	if r.Code != 404 {
		t.Errorf("forwarded identity headers: %d", r.Code)
	}

	big := `{"displayName":"` + strings.Repeat("字", 1<<20) + `","creditCode":"` + spareCode + `","category":"UNIT_CATEGORY_OTHER"}`
	if r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, big); r.Code != 413 || r.Reason(t) != "REQUEST_TOO_LARGE" {
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
		if r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, body); r.Code != 400 {
			t.Errorf("%s: %d %s", name, r.Code, r.Raw)
		}
	}
	// The gateway's own parsing errors name the field, like the services' errors do.
	if r := e.Do(t, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, `{"displayName":"x","quota":5}`); r.Field(t) != "quota" || r.Reason(t) != "INVALID_ARGUMENT" {
		t.Errorf("unknown field not named: %s", r.Raw)
	}
	if r := e.Do(t, "GET", "/v1/offices/"+tr.D1+"/units?pageSize=abc", tr.D1Admin, nil); r.Code != 400 || r.Field(t) != "page_size" {
		t.Errorf("bad page size: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "DELETE", "/v1/offices/"+tr.D1, tr.D1Admin, nil); r.Code != 405 || r.Reason(t) != "METHOD_NOT_ALLOWED" {
		t.Errorf("DELETE on an office: %d %s", r.Code, r.Raw)
	}
	if r := e.Do(t, "GET", "/v1/nothing-here", tr.D1Admin, nil); r.Code != 404 || r.Reason(t) != "NO_SUCH_ROUTE" {
		t.Errorf("unknown route: %d %s", r.Code, r.Raw)
	}
	// None of the refused creates happened.
	l := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D1+"/units?pageSize=500", tr.D1Admin, nil))
	if strings.Contains(string(l.Raw), spareCode) {
		t.Errorf("a refused create left a unit")
	}
	// Output-only fields on create are ignored: the server picks the id and office.
	u := apptest.Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
		Id: "chosen-id", OfficeId: tr.D2, DisplayName: "输出字段测试", CreditCode: spareCode, Category: other,
	})
	if u.GetId() == "chosen-id" || u.GetOfficeId() != tr.D1 {
		t.Errorf("create honoured output-only fields: %v", u)
	}
	// Error messages follow Accept-Language, zh-CN by default.
	zh := e.Do(t, "GET", "/v1/units/missing", tr.D1Admin, nil)
	en := e.Do(t, "GET", "/v1/units/missing", tr.D1Admin, nil, apptest.Header{"Accept-Language": "en-US,en;q=0.9"})
	zhMsg, enMsg := zh.Status(t).GetMessage(), en.Status(t).GetMessage()
	if zh.Code != 404 || en.Code != 404 || zhMsg == enMsg || !strings.ContainsFunc(zhMsg, func(r rune) bool { return r > 0x4e00 }) {
		t.Errorf("localized 404: zh %q en %q", zhMsg, enMsg)
	}
}

// Audit checks the office's trail: what it records, its hash chain, and that editing an
// event breaks the chain there.
func Audit(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	events := apptest.Call[*tenancyv1.ListAuditEventsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/audit-events?pageSize=500", tr.D1Admin, nil).GetAuditEvents()
	actions := map[string]bool{}
	for i, ev := range events {
		actions[ev.GetAction()] = true
		if ev.GetActor() == "" || ev.GetRequestId() == "" || ev.GetHash() == "" {
			t.Errorf("event %d lacks actor, request id or hash: %v", i, ev)
		}
		if i > 0 && ev.GetPrevHash() != events[i-1].GetHash() {
			t.Errorf("event %d does not link to its predecessor", i)
		}
	}
	for _, want := range []string{"office.update", "unit.create", "unit.update", "user.create", "user.disable", "user.enable"} {
		if !actions[want] {
			t.Errorf("no %s event in %v", want, actions)
		}
	}
	// An ancestor reads the trail; a sibling does not.
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D1+"/audit-events", tr.ProvAdmin, nil))

	ctx := context.Background()
	c := e.App.Store().Client
	breaks, n, err := e.App.Audit().Verify(ctx, c)
	if err != nil || len(breaks) != 0 || n < len(events) {
		t.Fatalf("verify: %v breaks %v over %d events", err, breaks, n)
	}
	// Editing an event breaks the chain at that event.
	if len(events) < 2 {
		t.Fatalf("%d audit events, want at least 2", len(events))
	}
	victim := events[1]
	if _, err := e.App.Store().DB.ExecContext(ctx, "UPDATE audit_events SET actor = 'someone-else' WHERE id = "+placeholder(e)+"", victim.GetId()); err != nil {
		t.Fatal(err)
	}
	breaks, _, err = e.App.Audit().Verify(ctx, c)
	if err != nil || len(breaks) != 1 || breaks[0].EventID != victim.GetId() || breaks[0].OfficeID != tr.D1 {
		t.Errorf("after tampering: %v %+v", err, breaks)
	}
}

// placeholder is the first SQL parameter marker of the env's database.
func placeholder(e *apptest.Env) string {
	if e.App.Store().Dialect == "postgres" {
		return "$1"
	}
	return "?"
}

// RateLimit guesses d2-admin's password until it is locked, per address and then for
// everyone; Unlock recovers it.
func RateLimit(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	from := func(addr, password string) apptest.Resp {
		return e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "d2-admin", Password: password},
			apptest.Header{"X-Forwarded-For": addr})
	}
	var last apptest.Resp
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
	apptest.Must(t, 200, from("198.51.100.20", "d2-admin-password"))
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
	trail := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D2+"/audit-events?pageSize=500", tr.D2Admin, nil))
	raw := string(trail.Raw)
	if strings.Count(raw, "auth.lockout") != 2 || !strings.Contains(raw, "account_and_address") || !strings.Contains(raw, "192.0.2.") ||
		strings.Contains(raw, "wrong-password") || strings.Contains(raw, "d2-admin-password") {
		t.Errorf("lockouts in the trail: %d, %s", strings.Count(raw, "auth.lockout"), raw)
	}
	// Another account from the same address is not limited.
	e.Login(t, "d1-admin", "d1-admin-password")
}

// LoginOutage logs in while the platform cannot read its users (their table is away, as
// in a database outage): those attempts are not failed guesses, so once the users are
// back the owner logs in from the same address at once, where the attempts would have
// locked the account out for 15 minutes (docs/authorization.md, "Rate limits and lockouts").
func LoginOutage(t *testing.T, e *apptest.Env, _ *apptest.Tree) {
	ctx := context.Background()
	db := e.App.Store().DB
	if _, err := db.ExecContext(ctx, "ALTER TABLE users RENAME TO users_away"); err != nil {
		t.Fatal(err)
	}
	back := func() {
		if _, err := db.ExecContext(ctx, "ALTER TABLE users_away RENAME TO users"); err != nil {
			t.Fatal(err)
		}
	}
	login := func() apptest.Resp {
		return e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "d1-admin", Password: "d1-admin-password"},
			apptest.Header{"X-Forwarded-For": "198.51.100.77"})
	}
	for i := range 8 {
		if r := login(); r.Code < 500 {
			back()
			t.Fatalf("login %d without the users table: %d %s", i, r.Code, r.Raw)
		}
	}
	back()
	apptest.Must(t, 200, login())
}

// RateLimitByAddress counts login attempts per client address as a proxy in front of
// the gateway reports it (the test client is on loopback, which is trusted).
func RateLimitByAddress(t *testing.T, e *apptest.Env, _ *apptest.Tree) {
	try := func(i int, addr string) apptest.Resp {
		return e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: fmt.Sprintf("nobody-%d", i), Password: "wrong-password"},
			apptest.Header{"X-Forwarded-For": "198.51.100.1, " + addr})
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

// Passwords checks changing one's own password and an admin's reset: every session ends,
// and the trail never holds a password.
func Passwords(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	id := e.User(t, tr.D1Admin, "/v1/offices/"+tr.D1+"/users", "pw-user", authzv1.Role_ROLE_OFFICE_VIEWER)
	access, refresh := e.Login(t, "pw-user", "pw-user-password")
	change := func(tok, current, next string) apptest.Resp {
		return e.Do(t, "POST", "/v1/auth/password", tok, &tenancyv1.ChangePasswordRequest{CurrentPassword: current, NewPassword: next})
	}
	if r := change(access, "wrong-password", "brand-new-password"); r.Code != 400 || r.Field(t) != "current_password" {
		t.Errorf("wrong current password: %d %s", r.Code, r.Raw)
	}
	if r := change(access, "pw-user-password", "short"); r.Code != 400 || r.Field(t) != "new_password" {
		t.Errorf("short new password: %d %s", r.Code, r.Raw)
	}
	if r := change(access, "pw-user-password", "pw-user-password"); r.Code != 400 || r.Field(t) != "new_password" {
		t.Errorf("unchanged password: %d %s", r.Code, r.Raw)
	}
	apptest.Must(t, 200, change(access, "pw-user-password", "brand-new-password"))
	// Every session ends, this one included; only the new password logs in.
	if r := e.Do(t, "GET", "/v1/auth/me", access, nil); r.Code != 401 {
		t.Errorf("access token after a password change: %d", r.Code)
	}
	if r := e.Do(t, "POST", "/v1/auth/refresh", "", &tenancyv1.RefreshRequest{RefreshToken: refresh}); r.Code != 401 {
		t.Errorf("refresh token after a password change: %d", r.Code)
	}
	if r := e.Do(t, "POST", "/v1/auth/login", "", &tenancyv1.LoginRequest{Login: "pw-user", Password: "pw-user-password"}); r.Code != 401 {
		t.Errorf("old password: %d", r.Code)
	}
	// A login right after the change works at once (revocations and issue times are
	// compared to the millisecond, not the second).
	access, _ = e.Login(t, "pw-user", "brand-new-password")
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/auth/me", access, nil))

	// Admins who manage the user reset it; nobody else can.
	reset := func(tok string) apptest.Resp {
		return e.Do(t, "POST", "/v1/users/"+id+":resetPassword", tok, &tenancyv1.ResetUserPasswordRequest{NewPassword: "reset-by-admin-1"})
	}
	for _, c := range []struct {
		name, tok string
		want      int
	}{{"viewer", tr.D1Viewer, 403}, {"sibling district", tr.D2Admin, 404}, {"other province", tr.Prov2Admin, 404}, {"the user", access, 403}} {
		if r := reset(c.tok); r.Code != c.want {
			t.Errorf("%s resetting: %d, want %d", c.name, r.Code, c.want)
		}
	}
	apptest.Must(t, 200, reset(tr.D1Admin))
	if r := e.Do(t, "GET", "/v1/auth/me", access, nil); r.Code != 401 {
		t.Errorf("access token after a reset: %d", r.Code)
	}
	again, _ := e.Login(t, "pw-user", "reset-by-admin-1")
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/auth/me", again, nil))
	// The trail says what happened, never the password.
	trail := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D1+"/audit-events?pageSize=500", tr.D1Admin, nil))
	if s := string(trail.Raw); !strings.Contains(s, "user.password_reset") || !strings.Contains(s, "user.password_change") ||
		strings.Contains(s, "reset-by-admin-1") || strings.Contains(s, "brand-new-password") {
		t.Errorf("password events in the trail: %v", strings.Contains(s, "user.password_reset"))
	}
}

package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/errs"
)

// The browser console keeps its access token in memory only and its refresh token in a
// cookie no script can read (docs/console.md "Sessions"). A client opts in per request
// with sessionHeader; without it the auth routes behave exactly as documented for API
// clients and the cookie is ignored, so the cookie alone never authenticates anything.
//
// Cross-site request forgery cannot use the cookie: it is SameSite=Strict, it is read
// only with a custom header that a cross-origin page cannot send without a CORS preflight
// (the gateway answers none), and a request whose Sec-Fetch-Site says another site sent it
// is refused.
const (
	sessionHeader = "X-Wenming-Session"
	refreshCookie = "wenming_refresh"
	cookiePath    = "/v1/auth/"
)

var sessionRoutes = map[string]bool{"/v1/auth/login": true, "/v1/auth/refresh": true, "/v1/auth/logout": true}

var errNoSession = errs.New(codes.Unauthenticated, "INVALID_REFRESH_TOKEN",
	"no session: sign in with login and password", "没有登录会话，请用账号和密码登录")

var errCrossSite = errs.New(codes.PermissionDenied, "CROSS_SITE_REQUEST",
	"cookie sessions accept requests from the console's own origin only", "会话请求只接受来自本控制台页面的请求")

// cookieSession moves the refresh token between the JSON of the auth routes and the
// HttpOnly cookie for requests that carry sessionHeader: it is removed from login and
// refresh answers and set as the cookie, supplied from the cookie to refresh, and the
// cookie is cleared on logout and on a refused refresh.
func cookieSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !sessionRoutes[r.URL.Path] || r.Header.Get(sessionHeader) != "cookie" {
			next.ServeHTTP(w, r)
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			writeError(w, r, http.StatusForbidden, errCrossSite)
			return
		}
		if r.URL.Path == "/v1/auth/refresh" {
			c, err := r.Cookie(refreshCookie)
			if err != nil || c.Value == "" {
				// A page load without a session is the common case, not a malformed request.
				writeError(w, r, http.StatusUnauthorized, errNoSession)
				return
			}
			body, _ := json.Marshal(map[string]string{"refreshToken": c.Value})
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		}
		rec := &captured{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		body := rec.body.Bytes()
		switch {
		case rec.status == http.StatusOK && r.URL.Path != "/v1/auth/logout":
			var tok map[string]any
			if json.Unmarshal(body, &tok) == nil {
				if refresh, _ := tok["refreshToken"].(string); refresh != "" {
					setRefreshCookie(w, r, refresh, auth.RefreshTokenTTL)
					delete(tok, "refreshToken")
					body, _ = json.Marshal(tok)
				}
			}
		case r.URL.Path == "/v1/auth/logout" && rec.status == http.StatusOK,
			r.URL.Path == "/v1/auth/refresh" && rec.status == http.StatusUnauthorized:
			setRefreshCookie(w, r, "", 0)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	})
}

// setRefreshCookie sets the refresh cookie, or clears it when value is empty. It is
// Secure whenever the browser reached the platform over TLS, directly or through a proxy
// that says so; on plain http (a laptop, a closed network) the cookie could not be set
// at all if it were always Secure.
func setRefreshCookie(w http.ResponseWriter, r *http.Request, value string, ttl time.Duration) {
	c := &http.Cookie{Name: refreshCookie, Value: value, Path: cookiePath, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(ttl.Seconds()),
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// captured holds an answer so its body can be rewritten before it is sent; the auth
// routes' answers are a few hundred bytes.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header         { return c.header }
func (c *captured) WriteHeader(status int)      { c.status = status }
func (c *captured) Write(b []byte) (int, error) { return c.body.Write(b) }

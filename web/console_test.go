package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandler(t *testing.T) {
	script := strings.Repeat("console.log('区');\n", 200)
	built := fstest.MapFS{
		"index.html":            {Data: []byte("<!doctype html><title>控制台</title>")},
		"docs.html":             {Data: []byte("<!doctype html><title>API</title>")},
		"favicon.svg":           {Data: []byte("<svg/>")},
		"assets/index-AbC1.js":  {Data: []byte(script)},
		"assets/pdf.worker.mjs": {Data: []byte("self.onmessage=()=>{}")},
	}
	h, err := Handler(built)
	if err != nil {
		t.Fatal(err)
	}
	get := func(method, path string, hdr ...string) *http.Response {
		t.Helper()
		r := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	body := func(r *http.Response) string {
		b, _ := io.ReadAll(r.Body)
		return string(b)
	}

	t.Run("pages", func(t *testing.T) {
		for path, want := range map[string]string{
			"/":                       "index.html",
			"/index.html":             "index.html",
			"/unit/applications/abc":  "index.html", // a deep link is the application's route
			"/public/publicity/x?y=1": "index.html",
			"/docs":                   "docs.html",
			"/docs/":                  "docs.html",
			"/../../etc/passwd":       "index.html", // cleaned to a route, never a file outside dist
		} {
			r := get("GET", path)
			if got := body(r); r.StatusCode != 200 || got != string(built[want].Data) {
				t.Errorf("GET %s = %d %q, want %s", path, r.StatusCode, got, want)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("GET %s: Cache-Control %q, want no-cache", path, got)
			}
			if got := r.Header.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
				t.Errorf("GET %s: CSP %q", path, got)
			}
			if r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: headers %v", path, r.Header)
			}
		}
	})

	t.Run("assets", func(t *testing.T) {
		r := get("GET", "/assets/index-AbC1.js")
		if r.StatusCode != 200 || body(r) != script {
			t.Fatalf("asset: %d", r.StatusCode)
		}
		if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("asset Cache-Control %q", got)
		}
		if got := r.Header.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
			t.Errorf("asset Content-Type %q", got)
		}
		if r.Header.Get("Content-Security-Policy") != "" {
			t.Error("a script carries a CSP of its own")
		}
		if got := get("GET", "/assets/pdf.worker.mjs").Header.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
			t.Errorf(".mjs Content-Type %q: a module worker needs a JavaScript type", got)
		}
		// An old chunk asked for after a release is missing, not the HTML page.
		if r := get("GET", "/assets/index-Old9.js"); r.StatusCode != 404 {
			t.Errorf("missing asset = %d, want 404", r.StatusCode)
		}
		if got := get("GET", "/favicon.svg").Header.Get("Cache-Control"); got != "public, max-age=3600" {
			t.Errorf("favicon Cache-Control %q", got)
		}
	})

	t.Run("gzip", func(t *testing.T) {
		r := get("GET", "/assets/index-AbC1.js", "Accept-Encoding", "br, gzip")
		if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("headers %v", r.Header)
		}
		raw, _ := io.ReadAll(r.Body)
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if string(plain) != script || len(raw) >= len(script)/4 {
			t.Errorf("gzip body: %d bytes for %d, decoded equal %v", len(raw), len(script), string(plain) == script)
		}
		plainETag := get("GET", "/assets/index-AbC1.js").Header.Get("ETag")
		if r.Header.Get("ETag") == plainETag || plainETag == "" {
			t.Errorf("the gzip and plain bodies share the ETag %q", plainETag)
		}
		if r := get("GET", "/assets/index-AbC1.js", "Accept-Encoding", "gzip;q=0"); r.Header.Get("Content-Encoding") != "" {
			t.Error("gzip sent to a client refusing it")
		}
		// Small files are not worth compressing.
		if r := get("GET", "/favicon.svg", "Accept-Encoding", "gzip"); r.Header.Get("Content-Encoding") != "" || body(r) != "<svg/>" {
			t.Error("a tiny file was compressed")
		}
	})

	t.Run("revalidation", func(t *testing.T) {
		etag := get("GET", "/").Header.Get("ETag")
		if r := get("GET", "/", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match = %d, want 304", r.StatusCode)
		}
	})

	t.Run("methods", func(t *testing.T) {
		if r := get("HEAD", "/unit"); r.StatusCode != 200 {
			t.Errorf("HEAD = %d", r.StatusCode)
		}
		if r := get("POST", "/"); r.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST = %d", r.StatusCode)
		}
	})

	t.Run("not built", func(t *testing.T) {
		if _, err := Handler(fstest.MapFS{}); err == nil || !strings.Contains(err.Error(), "npm run build") {
			t.Errorf("an empty dist gave %v", err)
		}
	})
}

// TestDist checks the committed build: both pages, and every script and style they load
// present in it, so a half-committed build fails here rather than in a browser.
func TestDist(t *testing.T) {
	d := Dist()
	for _, page := range []string{"index.html", "docs.html"} {
		html, err := fs.ReadFile(d, page)
		if err != nil {
			t.Fatalf("dist/%s: %v", page, err)
		}
		for _, part := range strings.Split(string(html), `"/assets/`)[1:] {
			name := "assets/" + part[:strings.IndexByte(part, '"')]
			if _, err := fs.Stat(d, name); err != nil {
				t.Errorf("%s loads %s, which is not in dist: %v", page, name, err)
			}
		}
		if strings.Contains(string(html), "<script>") {
			t.Errorf("%s has an inline script, which the Content-Security-Policy blocks", page)
		}
	}
}

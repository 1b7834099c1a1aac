// Package web serves the console: the single-page application built from this folder's
// TypeScript sources (npm run build writes dist/, which is committed like the other
// generated code, so the Go build needs no Node) and the interactive API page at /docs.
// docs/console.md describes the console, its sessions and how it is built and tested.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// ContentSecurityPolicy is sent with every page. Scripts come only from the platform's
// own origin (the build has no inline script); styles may be inline because Ant Design
// writes its CSS-in-JS into style elements; PDF previews run PDF.js in a worker and show
// images from blob: URLs; nothing may frame the console.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"frame-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the built console from fsys (dist/ of an npm run build):
//   - a file that exists is served as it is; files under assets/ have content hashes in
//     their names and are cached for a year, the HTML pages are revalidated every time
//     (no-cache), so a new release is picked up on the next load;
//   - /docs is docs.html;
//   - any other path is the application's own route (deep links, a reload on
//     /unit/applications/…) and gets index.html, except under assets/, where a missing
//     file is a 404: an old chunk asked for after a release must fail, not parse HTML;
//   - text files are sent gzip-compressed to clients that accept it, compressed once.
func Handler(fsys fs.FS) (http.Handler, error) {
	if _, err := fs.Stat(fsys, "index.html"); err != nil {
		return nil, errors.New("web: the console is not built (no dist/index.html): run npm ci && npm run build in web/")
	}
	s := &server{fsys: fsys}
	return s, nil
}

type server struct {
	fsys  fs.FS
	files sync.Map // name → *file
}

// file is one built file, read and compressed on first use.
type file struct {
	once      sync.Once
	err       error
	plain, gz []byte
	etag      string
	ctype     string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	switch {
	case name == "" || name == "index.html":
		name = "index.html"
	case name == "docs" || name == "docs/":
		name = "docs.html"
	}
	f, err := s.open(name)
	if errors.Is(err, fs.ErrNotExist) && !strings.HasPrefix(name, "assets/") {
		name = "index.html"
		f, err = s.open(name)
	}
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Type", f.ctype)
	switch {
	case strings.HasPrefix(name, "assets/"):
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	case strings.HasSuffix(name, ".html"):
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
	default:
		h.Set("Cache-Control", "public, max-age=3600")
	}
	body, etag := f.plain, f.etag
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = f.gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func (s *server) open(name string) (*file, error) {
	v, ok := s.files.Load(name)
	if !ok {
		// Only files that exist are remembered: every path a browser may ask for is not.
		st, err := fs.Stat(s.fsys, name)
		if err == nil && st.IsDir() {
			err = fs.ErrNotExist
		}
		if err != nil {
			return nil, err
		}
		v, _ = s.files.LoadOrStore(name, &file{})
	}
	f := v.(*file)
	f.once.Do(func() {
		if f.plain, f.err = fs.ReadFile(s.fsys, name); f.err != nil {
			return
		}
		sum := sha256.Sum256(f.plain)
		f.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
		f.ctype = contentType(name)
		if compressible(f.ctype) && len(f.plain) > 1024 {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			_, _ = zw.Write(f.plain)
			_ = zw.Close()
			f.gz = b.Bytes()
		}
	})
	if f.err != nil {
		s.files.Delete(name) // tried again next time
		return nil, f.err
	}
	return f, nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".map", ".json":
		return "application/json"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/json") ||
		strings.HasPrefix(ctype, "image/svg+xml")
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

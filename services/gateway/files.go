package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/rpc"
)

// uploadDeadline bounds one upload or download: long enough for a large video on a slow
// line, unlike the short deadline of the other routes.
const uploadDeadline = time.Hour

// chunks are the buffers an upload is sent in: one gRPC message each, at most the 1 MiB
// a chunk may hold.
var chunks = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// FileRoutes are the evidence service's streaming routes: uploads (a raw PUT or POST body,
// or multipart/form-data) and downloads with Range (docs/evidence.md). Both go through
// the same gRPC interceptors as every other route: they call the streaming RPCs.
func FileRoutes(mux *runtime.ServeMux, conn *grpc.ClientConn) map[string]http.Handler {
	c := evidencev1.NewEvidenceServiceClient(conn)
	up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { upload(mux, c, w, r) })
	return map[string]http.Handler{
		"PUT /v1/applications/{application_id}/files":  up,
		"POST /v1/applications/{application_id}/files": up,
		"GET /v1/files/{file_id}/content": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			download(mux, c, w, r)
		}),
	}
}

// fail answers err as every other route does.
func fail(mux *runtime.ServeMux, w http.ResponseWriter, r *http.Request, err error) {
	_, out := runtime.MarshalerForRequest(mux, r)
	errorHandler(r.Context(), mux, out, w, r, err)
}

// invalid answers a request the gateway itself finds wrong.
func invalid(mux *runtime.ServeMux, w http.ResponseWriter, r *http.Request, field, en, zh string) {
	fail(mux, w, r, errs.Status(withLanguage(r.Context(), r), errs.Invalid(field, en, zh)).Err())
}

// fileName is the name a raw upload gives in X-File-Name (percent-encoded UTF-8) or in a
// Content-Disposition header (filename*=UTF-8”… or filename="…").
func fileName(r *http.Request) string {
	if n := r.Header.Get("X-File-Name"); n != "" {
		if d, err := url.PathUnescape(n); err == nil {
			return d
		}
		return n
	}
	if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
		return params["filename"] // mime decodes filename* into filename
	}
	return ""
}

// declared is the type a client claims for a file; none for a generic binary type. A value
// that does not parse is passed on as it is, and the service refuses it as not the file's
// type: it claims something, and no type.
func declared(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/octet-stream" {
		return ""
	}
	return strings.TrimSpace(contentType)
}

// idleRead is how long an upload may send nothing before it is given up: the server's
// read timeout bounds a whole request, which a large file on a slow line outlasts.
const idleRead = time.Minute

// upload streams one file into UploadFile: the request body as it is, or the first file
// part of a multipart/form-data body. Nothing is held whole in memory.
func upload(mux *runtime.ServeMux, c evidencev1.EvidenceServiceClient, w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), uploadDeadline)
	defer cancel()
	r = r.WithContext(ctx)
	header := &evidencev1.UploadFileHeader{ApplicationId: r.PathValue("application_id")}
	// Every read of the body moves its deadline on: the server's read timeout bounds a whole
	// request, which a large file on a slow line outlasts, so an upload is given up only
	// after idleRead without a byte.
	in := &idleReader{r: r.Body, rc: http.NewResponseController(w), left: -1}
	body := io.Reader(in)
	raw := true
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		// The form is read up to its file part before the service has seen the caller: at
		// most formPrefix bytes, so a form that never reaches a file holds nothing long.
		in.left = formPrefix
		mr := multipart.NewReader(in, params["boundary"])
		part, err := firstFile(mr)
		if err != nil {
			invalid(mux, w, r, "file", "the form has no file part within its first 64 KiB", "表单前 64 KiB 内没有文件")
			return
		}
		in.left = -1
		header.Name, header.ContentType, body, raw = part.FileName(), declared(part.Header.Get("Content-Type")), part, false
	} else {
		header.Name, header.ContentType = fileName(r), declared(r.Header.Get("Content-Type"))
	}
	// Every string the gateway puts into a message is checked as the services check theirs:
	// one gRPC cannot even encode (invalid UTF-8) would otherwise fail as INTERNAL.
	for field, v := range map[string]string{"header.name": header.Name, "header.content_type": header.ContentType} {
		if en, zh := rpc.TextProblem(v, false); en != "" {
			invalid(mux, w, r, field, en, zh)
			return
		}
	}
	ctx, err := runtime.AnnotateContext(ctx, mux, r, evidencev1.EvidenceService_UploadFile_FullMethodName,
		runtime.WithHTTPPathPattern("/v1/applications/{application_id}/files"))
	if err != nil {
		fail(mux, w, r, err)
		return
	}
	if raw && r.ContentLength > 0 { // a form's length is more than its file's
		ctx = metadata.AppendToOutgoingContext(ctx, resource.UploadSizeKey, strconv.FormatInt(r.ContentLength, 10))
	}
	stream, err := c.UploadFile(ctx)
	if err != nil {
		fail(mux, w, r, err)
		return
	}
	// Not a byte of the body is read (nor a buffer taken) until the service has accepted the
	// caller and the header: it answers with response headers when it has, and ends the
	// stream with the refusal when it has not.
	var md metadata.MD
	if err = stream.Send(&evidencev1.UploadFileRequest{Part: &evidencev1.UploadFileRequest_Header{Header: header}}); err == nil {
		md, err = stream.Header()
	}
	if err != nil || len(md.Get(resource.UploadReadyKey)) == 0 {
		_, err = stream.CloseAndRecv()
		fail(mux, w, r, err)
		return
	}
	// The service may answer before the body ends (a file too large, another request
	// under the key): the answer is awaited beside the reading, and stops it, so a client
	// that goes quiet is not waited on for a refusal already made.
	f := new(evidencev1.File)
	answered := make(chan error, 1)
	go func() {
		err := stream.RecvMsg(f)
		// Only the service's own answer stops the reading: a stream cancelled because the
		// client went away is the handler's to answer (the body stopped).
		if err != nil && !in.done.Load() && ctx.Err() == nil {
			// A read blocked on a quiet client ends now; the connection, its deadline
			// spent, is closed after the answer (Connection: close below).
			in.stop.Store(true)
			_ = in.rc.SetReadDeadline(time.Now())
		}
		answered <- err
	}()
	buf := chunks.Get().(*[]byte)
	defer chunks.Put(buf)
	chunk := *buf
	if raw && r.ContentLength > 0 && r.ContentLength < int64(len(chunk)) {
		chunk = chunk[:r.ContentLength+1] // room to see the end
	}
	var sendErr error
	for sendErr == nil {
		n, rerr := fill(body, chunk)
		if n > 0 && (rerr == nil || rerr == io.EOF) {
			sendErr = stream.Send(&evidencev1.UploadFileRequest{Part: &evidencev1.UploadFileRequest_Chunk{Chunk: chunk[:n]}})
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil && in.stop.Load() {
			break // the service has answered: its answer follows
		}
		if rerr != nil {
			// The client stopped midway, or went quiet: the service must not store a part
			// of the file, so the stream is cancelled rather than closed. The answer's
			// goroutine ends with it, before the handler returns (it may touch the
			// connection's deadline only while the handler runs).
			in.done.Store(true)
			cancel()
			<-answered
			fail(mux, w, r, errs.Status(withLanguage(r.Context(), r), errBodyStopped).Err())
			return
		}
	}
	in.done.Store(true)
	// A send fails when the service has already answered: the answer is its refusal.
	_ = stream.CloseSend()
	err = <-answered
	if in.stop.Load() {
		w.Header().Set("Connection", "close")
	}
	if status.Code(err) == codes.Canceled && r.Context().Err() != nil {
		err = errs.Status(withLanguage(r.Context(), r), errBodyStopped).Err()
	}
	if err != nil {
		fail(mux, w, r, err)
		return
	}
	b, err := protojson.Marshal(f)
	if err != nil {
		fail(mux, w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/v1/files/"+f.GetId())
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(b)
}

// errBodyStopped answers an upload whose body ended before its end, or went quiet.
var errBodyStopped = errs.Invalid("body", "the body stopped before its end", "请求体未完整发送")

// errAnswered ends the reading of a body the service has already answered.
var errAnswered = errors.New("gateway: the service has answered the upload")

// formPrefix bounds what of a multipart form is read before its file part.
const formPrefix = 64 << 10

// idleReader reads a request body, moving the connection's read deadline on before every
// read; with left ≥ 0 it refuses to read more than left bytes.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	left int64
	// stop, once set, ends the reading: the service has answered. done says the reading
	// has ended anyway.
	stop, done atomic.Bool
	// prefixEnd is the one deadline of a form's part before its file.
	prefixEnd time.Time
}

func (b *idleReader) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, errors.New("gateway: the form's file part does not begin within its first 64 KiB")
	}
	if b.left > 0 && int64(len(p)) > b.left {
		p = p[:b.left]
	}
	// The deadline is moved before stop is looked at: the answer's goroutine sets stop,
	// then the deadline to now, so one of the two is always seen. The part of a form before
	// its file has one deadline in all (prefixEnd): read before the caller is known, it
	// must not be stretched a byte at a time.
	deadline := time.Now().Add(idleRead)
	if b.left > 0 {
		if b.prefixEnd.IsZero() {
			b.prefixEnd = deadline
		}
		deadline = b.prefixEnd
	}
	_ = b.rc.SetReadDeadline(deadline)
	if b.stop.Load() {
		return 0, errAnswered
	}
	n, err := b.r.Read(p)
	if b.left > 0 {
		b.left -= int64(n)
	}
	return n, err
}

// fill reads into buf until it is full or the body ends. Only a clean end is io.EOF: a body
// cut short of its Content-Length is io.ErrUnexpectedEOF, which io.ReadFull would not tell
// from a last short chunk.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// firstFile returns the form's first part that carries a file.
func firstFile(mr *multipart.Reader) (*multipart.Part, error) {
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, err
		}
		if p.FileName() != "" {
			return p, nil
		}
	}
}

// byteRange is a single Range request: from the first byte, length bytes (0 to the
// end), or, with suffix, the last length bytes.
type byteRange struct {
	first, length int64
	suffix        bool
}

// parseRange reads a Range header of one range; ok is false for none, several, or one
// this server does not understand, which are answered with the whole file (RFC 9110
// lets a server ignore Range).
func parseRange(h string) (byteRange, bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return byteRange{}, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return byteRange{}, false
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return byteRange{}, false
		}
		return byteRange{length: n, suffix: true}, true
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 {
		return byteRange{}, false
	}
	if b == "" {
		return byteRange{first: first}, true
	}
	last, err := strconv.ParseInt(b, 10, 64)
	if err != nil || last < first {
		return byteRange{}, false
	}
	if last == math.MaxInt64 {
		return byteRange{first: first}, true // to the end: last-first+1 would overflow
	}
	return byteRange{first: first, length: last - first + 1}, true
}

// download streams a file from DownloadFile with the headers a browser needs to save it
// and never render it: its detected type, nosniff, a sandboxing CSP, attachment with the
// UTF-8 name, the content hash as ETag, and Range support.
func download(mux *runtime.ServeMux, c evidencev1.EvidenceServiceClient, w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), uploadDeadline)
	defer cancel()
	ctx, err := runtime.AnnotateContext(ctx, mux, r, evidencev1.EvidenceService_DownloadFile_FullMethodName,
		runtime.WithHTTPPathPattern("/v1/files/{file_id}/content"))
	if err != nil {
		fail(mux, w, r, err)
		return
	}
	id := r.PathValue("file_id")
	req := &evidencev1.DownloadFileRequest{FileId: id}
	rng, ranged := parseRange(r.Header.Get("Range"))
	if ranged && rng.suffix {
		f, err := c.GetFile(ctx, &evidencev1.GetFileRequest{FileId: id})
		if err != nil {
			fail(mux, w, r, err)
			return
		}
		rng.first, rng.length = max(f.GetSize()-rng.length, 0), min(rng.length, f.GetSize())
	}
	if ranged {
		req.Offset, req.Length = rng.first, rng.length
	}
	stream, err := c.DownloadFile(ctx, req)
	if err != nil {
		fail(mux, w, r, err)
		return
	}
	first, err := stream.Recv()
	if status.Code(err) == codes.OutOfRange {
		// The range starts past the end: 416 with the file's size, as RFC 9110 asks.
		if f, gerr := c.GetFile(ctx, &evidencev1.GetFileRequest{FileId: id}); gerr == nil {
			w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(f.GetSize(), 10))
		}
	}
	if err != nil {
		fail(mux, w, r, err)
		return
	}
	f := first.GetFile()
	if f == nil {
		fail(mux, w, r, errors.New("gateway: a download began without its file"))
		return
	}
	etag := `"` + f.GetSha256() + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.GetName()))
	h.Set("Content-Type", f.GetContentType())
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == etag || inm == "*") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	size := f.GetSize()
	code, length := http.StatusOK, size
	if ranged {
		end := size - 1
		if rng.length > 0 {
			end = min(rng.first+rng.length-1, size-1)
		}
		code, length = http.StatusPartialContent, end-rng.first+1
		h.Set("Content-Range", "bytes "+strconv.FormatInt(rng.first, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(size, 10))
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return
	}
	for {
		m, err := stream.Recv()
		if err != nil {
			// After the headers an error can only cut the body short; the client sees a
			// length mismatch and retries with Range.
			return
		}
		if _, err := w.Write(m.GetChunk()); err != nil {
			return
		}
	}
}

// fileRoutesDoc describes the streaming routes in the OpenAPI document, which the
// generator cannot: they have no google.api.http binding, since the gateway serves them
// itself (FileRoutes).
const fileRoutesDoc = `{
 "/v1/applications/{applicationId}/files": {
  "put": {
   "summary": "Upload a file to an application: the raw bytes as the body, streamed (docs/evidence.md).",
   "operationId": "EvidenceService_UploadFile",
   "consumes": ["application/octet-stream", "image/jpeg", "image/png", "application/pdf"],
   "parameters": [
    {"name": "applicationId", "in": "path", "required": true, "type": "string"},
    {"name": "body", "in": "body", "required": true, "schema": {"type": "string", "format": "binary"}},
    {"name": "X-File-Name", "in": "header", "required": false, "type": "string", "description": "The file's name, percent-encoded UTF-8; or give Content-Disposition: attachment; filename*=UTF-8''…"},
    {"name": "Idempotency-Key", "in": "header", "required": false, "type": "string", "description": "Makes this upload safe to retry: a retry gets the first response."},
    {"name": "Accept-Language", "in": "header", "required": false, "type": "string"}
   ],
   "responses": {
    "201": {"description": "The stored file.", "schema": {"$ref": "#/definitions/v1File"}},
    "413": {"description": "FILE_TOO_LARGE or APPLICATION_FILES_FULL; nothing stored.", "schema": {"$ref": "#/definitions/rpcStatus"}},
    "415": {"description": "FILE_TYPE_REFUSED or FILE_TYPE_MISMATCH; nothing stored.", "schema": {"$ref": "#/definitions/rpcStatus"}},
    "default": {"description": "An error.", "schema": {"$ref": "#/definitions/rpcStatus"}}
   },
   "tags": ["EvidenceService"]
  },
  "post": {
   "summary": "Upload a file to an application as the first file part of a multipart/form-data body, streamed.",
   "operationId": "EvidenceService_UploadFileForm",
   "consumes": ["multipart/form-data"],
   "parameters": [
    {"name": "applicationId", "in": "path", "required": true, "type": "string"},
    {"name": "file", "in": "formData", "required": true, "type": "file"},
    {"name": "Idempotency-Key", "in": "header", "required": false, "type": "string"},
    {"name": "Accept-Language", "in": "header", "required": false, "type": "string"}
   ],
   "responses": {
    "201": {"description": "The stored file.", "schema": {"$ref": "#/definitions/v1File"}},
    "413": {"description": "FILE_TOO_LARGE or APPLICATION_FILES_FULL; nothing stored.", "schema": {"$ref": "#/definitions/rpcStatus"}},
    "415": {"description": "FILE_TYPE_REFUSED or FILE_TYPE_MISMATCH; nothing stored.", "schema": {"$ref": "#/definitions/rpcStatus"}},
    "default": {"description": "An error.", "schema": {"$ref": "#/definitions/rpcStatus"}}
   },
   "tags": ["EvidenceService"]
  }
 },
 "/v1/files/{fileId}/content": {
  "get": {
   "summary": "Download a file's bytes, as an attachment with its detected type; one Range is honoured.",
   "operationId": "EvidenceService_DownloadFile",
   "produces": ["application/octet-stream", "application/json"],
   "parameters": [
    {"name": "fileId", "in": "path", "required": true, "type": "string"},
    {"name": "Range", "in": "header", "required": false, "type": "string", "description": "bytes=a-b, bytes=a- or bytes=-n"},
    {"name": "If-None-Match", "in": "header", "required": false, "type": "string"},
    {"name": "Accept-Language", "in": "header", "required": false, "type": "string"}
   ],
   "responses": {
    "200": {"description": "The file.", "schema": {"type": "string", "format": "binary"}},
    "206": {"description": "The requested range (Content-Range).", "schema": {"type": "string", "format": "binary"}},
    "304": {"description": "Not modified (the ETag is the content's SHA-256)."},
    "416": {"description": "RANGE_NOT_SATISFIABLE.", "schema": {"$ref": "#/definitions/rpcStatus"}},
    "default": {"description": "An error.", "schema": {"$ref": "#/definitions/rpcStatus"}}
   },
   "tags": ["EvidenceService"]
  }
 }
}`

// withFileRoutes returns the OpenAPI document with the streaming routes added.
func withFileRoutes(doc []byte) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	var routes map[string]any
	if err := json.Unmarshal([]byte(fileRoutesDoc), &routes); err != nil {
		return nil, err
	}
	paths, _ := d["paths"].(map[string]any)
	if paths == nil {
		return nil, errors.New("gateway: the OpenAPI document has no paths")
	}
	for p, ops := range routes {
		have, _ := paths[p].(map[string]any)
		if have == nil {
			have = map[string]any{}
			paths[p] = have
		}
		for method, op := range ops.(map[string]any) {
			have[method] = op
		}
	}
	return json.Marshal(d)
}

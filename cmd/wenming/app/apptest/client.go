package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Header holds request headers to set, by name.
type Header map[string]string

// Resp is a REST response as it came back. Its helpers read it in the shapes the API
// documents and fail the test, instead of panicking, when it has another shape.
type Resp struct {
	Code   int
	Header http.Header
	Raw    []byte
}

// requestTimeout bounds every request: a hung server fails the test instead of the run.
const requestTimeout = 20 * time.Second

// Do sends method path with a bearer token (none when token is empty) and body, and
// returns the response. body is nil (no body), a proto.Message (sent as protojson, as a
// client generated from the protos sends it), a string or []byte (sent as they are: for
// malformed or extra input, and raw files), or any other value (sent as encoding/json
// encodes it). The Content-Type is application/json unless headers set another. Do fails
// the test only when no response comes back.
func (e *Env) Do(t testing.TB, method, path, token string, body any, headers ...Header) Resp {
	t.Helper()
	var sent []byte
	switch b := body.(type) {
	case nil:
	case proto.Message:
		j, err := protojson.Marshal(b)
		if err != nil {
			t.Fatalf("%s %s: encoding %T: %v", method, path, b, err)
		}
		sent = j
	case string:
		sent = []byte(b)
	case []byte:
		sent = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("%s %s: encoding %T: %v", method, path, b, err)
		}
		sent = j
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.Base+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		for k, v := range h {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the response: %v", method, path, err)
	}
	if rec := e.rec.Load(); rec != nil {
		rec.add(Exchange{Method: method, Path: path, Header: req.Header.Clone(), Body: sent,
			Status: res.StatusCode, RespHeader: res.Header.Clone(), RespBody: raw})
	}
	return Resp{Code: res.StatusCode, Header: res.Header, Raw: raw}
}

// Must fails the test unless r has status want, and returns r.
func Must(t testing.TB, want int, r Resp) Resp {
	t.Helper()
	if r.Code != want {
		t.Fatalf("status %d, want %d: %s", r.Code, want, r.Raw)
	}
	return r
}

// Decode reads r's body as the message T (for example *tenancyv1.Unit) exactly as protojson
// does: a field the message does not have fails the test, like any other body that is not
// a T.
func Decode[T proto.Message](t testing.TB, r Resp) T {
	t.Helper()
	var zero T
	m := zero.ProtoReflect().Type().New().Interface().(T)
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(r.Raw, m); err != nil {
		t.Fatalf("the %d response is not a %T: %v: %.500s", r.Code, m, err, r.Raw)
	}
	return m
}

// Call sends the request (as Do), requires 200 and decodes the answer as T.
func Call[T proto.Message](t testing.TB, e *Env, method, path, token string, body any, headers ...Header) T {
	t.Helper()
	return Decode[T](t, Must(t, http.StatusOK, e.Do(t, method, path, token, body, headers...)))
}

// Status returns the google.rpc.Status of an error response. A body that is not one is
// reported as a test error, and Status returns an empty status.
func (r Resp) Status(t testing.TB) *spb.Status {
	t.Helper()
	s := &spb.Status{}
	if err := protojson.Unmarshal(r.Raw, s); err != nil {
		t.Errorf("the %d response is not a google.rpc.Status: %v: %.500s", r.Code, err, r.Raw)
		return &spb.Status{}
	}
	return s
}

// Reason returns the ErrorInfo reason of an error response, "" if it has none. A body that
// is not an error status is reported as a test error.
func (r Resp) Reason(t testing.TB) string {
	t.Helper()
	for _, d := range r.Status(t).GetDetails() {
		info := &errdetails.ErrorInfo{}
		if d.MessageIs(info) {
			if err := d.UnmarshalTo(info); err != nil {
				t.Errorf("ErrorInfo of %s: %v", r.Raw, err)
			}
			return info.GetReason()
		}
	}
	return ""
}

// Field returns the field of the first BadRequest field violation of an error response,
// "" if it has none. A body that is not an error status is reported as a test error.
func (r Resp) Field(t testing.TB) string {
	t.Helper()
	for _, d := range r.Status(t).GetDetails() {
		br := &errdetails.BadRequest{}
		if d.MessageIs(br) {
			if err := d.UnmarshalTo(br); err != nil {
				t.Errorf("BadRequest of %s: %v", r.Raw, err)
			}
			if vs := br.GetFieldViolations(); len(vs) > 0 {
				return vs[0].GetField()
			}
		}
	}
	return ""
}

// Str returns the top-level string field key of a JSON object body, "" when the body has
// no such field. A body that is not a JSON object, or a key that holds something else than
// a string, is reported as a test error. Prefer Decode: Str is for bodies that have no
// message type.
func (r Resp) Str(t testing.TB, key string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Raw, &m); err != nil {
		t.Errorf("the %d response is not a JSON object: %v: %.500s", r.Code, err, r.Raw)
		return ""
	}
	v, ok := m[key]
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		t.Errorf("%q of the %d response is not a string: %s", key, r.Code, v)
		return ""
	}
	return s
}

// Package gateway serves the REST API: grpc-gateway in front of the gRPC services (always
// dialling them, so REST passes the same interceptors as gRPC), the OpenAPI documents, the
// web console with the interactive API page, and health. Metrics are served on their own address (see app), never on
// the public port.
package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/web"
)

// InProcess is the upstream address of a service that runs in the gateway's own process.
const InProcess = "passthrough:///in-process"

// Service is a gRPC service behind the gateway: its name and how its REST routes are
// registered (nil when it has none yet; its health still counts for /readyz).
type Service struct {
	Name   string
	Routes func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error
	// Streams are its routes that stream a body in or out (file uploads and downloads), by
	// ServeMux pattern: they are served without the body limit and the short deadline of
	// the others, and call the service's streaming RPCs through conn themselves.
	Streams func(mux *runtime.ServeMux, conn *grpc.ClientConn) map[string]http.Handler
}

// Config configures the gateway.
type Config struct {
	// Services are the services behind the gateway, from the process's service table.
	Services []Service
	// Upstreams maps each service's name to the gRPC address that serves it.
	Upstreams map[string]string
	// MaxBodyBytes limits a request body; larger ones get 413.
	MaxBodyBytes int64
	// MaxDuration is the server-side deadline of every request.
	MaxDuration time.Duration
	// Ready, when set, is checked by /readyz besides the upstreams' health.
	Ready func(context.Context) error
	// Dial, when set, connects to the upstreams whose address is InProcess instead of TCP:
	// the process passes its in-memory listener's dialer, so REST to its own services still
	// goes through the gRPC server and its interceptors without a round trip through the
	// kernel, while the services it does not run are dialled where they are.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// TrustedProxies are the load balancers in front of the gateway (loopback always is):
	// their X-Forwarded-For is believed when finding the client's address.
	TrustedProxies []*net.IPNet
	// Tracing makes a span of every request and passes its trace context to the services
	// (OpenTelemetry; docs/operations.md).
	Tracing bool
}

// Gateway is the REST front end.
type Gateway struct {
	http.Handler
	conns []*grpc.ClientConn
}

// forwarded are the only request headers passed to the services; anything else a client
// sends (Grpc-Metadata-*, X-Wenming-*, …) never reaches them, so no header can set
// identity or tenant. Authorization is passed by grpc-gateway itself.
var forwarded = map[string]string{
	"Accept-Language": "accept-language",
	"X-Request-Id":    "x-request-id",
	"Idempotency-Key": "idempotency-key",
	"If-None-Match":   "if-none-match",
}

// sent are the response headers a service may set (grpc.SetHeader), by metadata key: the
// request id, a summary's ETag, an export's file name.
var sent = map[string]string{
	"x-request-id":        "X-Request-Id",
	"etag":                "ETag",
	"content-disposition": "Content-Disposition",
	// The public publicity list may be cached (docs/publicity.md).
	"cache-control": "Cache-Control",
}

// New dials the upstreams and builds the handler.
func New(ctx context.Context, cfg Config) (*Gateway, error) {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxDuration == 0 {
		cfg.MaxDuration = 30 * time.Second
	}
	mux := runtime.NewServeMux(
		runtime.WithIncomingHeaderMatcher(func(k string) (string, bool) {
			v, ok := forwarded[http.CanonicalHeaderKey(k)]
			return v, ok
		}),
		runtime.WithOutgoingHeaderMatcher(func(k string) (string, bool) {
			v, ok := sent[k]
			return v, ok
		}),
		runtime.WithErrorHandler(errorHandler),
		runtime.WithRoutingErrorHandler(routingErrorHandler),
		// HTTPBodyMarshaler sends google.api.HttpBody responses (file exports) as they are,
		// and everything else as protojson.
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.HTTPBodyMarshaler{Marshaler: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}}),
	)
	g := &Gateway{}
	dial := func(name string) (*grpc.ClientConn, error) {
		addr, ok := cfg.Upstreams[name]
		if !ok || addr == "" {
			return nil, fmt.Errorf("gateway: no upstream address for %s", name)
		}
		opts := []grpc.DialOption{
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			// With several replicas behind one DNS name (a headless Kubernetes service),
			// spread calls over all of them instead of pinning one.
			grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"round_robin":{}}]}`),
		}
		opts = append(opts, rpc.DialOptions()...)
		if cfg.Tracing {
			opts = append(opts, grpc.WithStatsHandler(otelgrpc.NewClientHandler()))
		}
		if cfg.Dial != nil && addr == InProcess {
			opts = append(opts, grpc.WithContextDialer(cfg.Dial))
		}
		if list := strings.Split(addr, ","); len(list) > 1 {
			// A fixed list of replicas (machines without a DNS name for them all): the
			// same round robin over the listed addresses.
			static := manual.NewBuilderWithScheme("wenming-static")
			var state resolver.State
			for _, a := range list {
				state.Addresses = append(state.Addresses, resolver.Address{Addr: a})
			}
			static.InitialState(state)
			opts = append(opts, grpc.WithResolvers(static))
			addr = static.Scheme() + ":///" + name
		}
		conn, err := grpc.NewClient(addr, opts...)
		if err != nil {
			return nil, err
		}
		g.conns = append(g.conns, conn)
		return conn, nil
	}
	streams := map[string]http.Handler{}
	for _, svc := range cfg.Services {
		conn, err := dial(svc.Name)
		if err != nil {
			return nil, err
		}
		if svc.Streams != nil {
			for pattern, h := range svc.Streams(mux, conn) {
				streams[pattern] = h
			}
		}
		if svc.Routes == nil {
			continue
		}
		if err := svc.Routes(ctx, mux, conn); err != nil {
			return nil, fmt.Errorf("gateway: routes of %s: %w", svc.Name, err)
		}
	}

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	root.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := g.ready(r.Context(), cfg.Ready); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	docs, err := Documents()
	if err != nil {
		return nil, err
	}
	for path, doc := range map[string][]byte{"GET /openapi.json": docs.V2, "GET /openapi3.json": docs.V3} {
		root.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(doc)
		})
	}
	console, err := web.Handler(web.Dist())
	if err != nil {
		return nil, err
	}
	api := clientAddress(limit(checkText(noStore(cookieSession(rawImport(mux)))), cfg.MaxBodyBytes, cfg.MaxDuration), cfg.TrustedProxies)
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// Every path outside the API's that a browser reads is the console's
		// (docs/console.md); any other request there finds no API route and is told so in
		// the API's own error format.
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			!strings.HasPrefix(r.URL.Path, "/v1/") && !strings.HasPrefix(r.URL.Path, "/.well-known/") {
			console.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	for pattern, h := range streams {
		root.Handle(pattern, clientAddress(checkText(noStore(h)), cfg.TrustedProxies))
	}
	g.Handler = root
	if cfg.Tracing {
		// Health probes every few seconds would bury the requests' traces.
		g.Handler = otelhttp.NewHandler(root, "gateway",
			// A caller's traceparent is linked, never continued: no client decides what is
			// sampled or joins the platform's traces.
			otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }),
			otelhttp.WithFilter(func(r *http.Request) bool {
				return r.URL.Path != "/healthz" && r.URL.Path != "/readyz"
			}), otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
				// The route is known only inside grpc-gateway's mux; the gRPC span below names
				// the method, so the method alone keeps span names few (OpenTelemetry's rule).
				return r.Method
			}))
	}
	return g, nil
}

func (g *Gateway) ready(ctx context.Context, extra func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if extra != nil {
		if err := extra(ctx); err != nil {
			return err
		}
	}
	for _, c := range g.conns {
		resp, err := healthpb.NewHealthClient(c).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return fmt.Errorf("%s: %w", c.Target(), err)
		}
		if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("%s: %s", c.Target(), resp.GetStatus())
		}
	}
	return nil
}

// Close closes the upstream connections.
func (g *Gateway) Close() error {
	var errs []error
	for _, c := range g.conns {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// noStore keeps tokens and whatever a signed-in caller reads out of shared and browser
// caches: token responses and every authenticated request are marked no-store.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The public routes answer the same to everyone, with a Cache-Control of their own.
		if (r.Header.Get("Authorization") != "" || strings.HasPrefix(r.URL.Path, "/v1/auth/")) && !strings.HasPrefix(r.URL.Path, "/v1/public/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// limit enforces the body size (413 beyond it) and the server-side deadline.
func limit(next http.Handler, maxBody int64, maxDur time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			tooLarge(w, r, maxBody)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
			if err != nil {
				writeError(w, r, http.StatusBadRequest, errUnreadableBody)
				return
			}
			if int64(len(body)) > maxBody {
				tooLarge(w, r, maxBody)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		ctx, cancel := context.WithTimeout(r.Context(), maxDur)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func tooLarge(w http.ResponseWriter, r *http.Request, maxBody int64) {
	n := strconv.FormatInt(maxBody, 10)
	writeError(w, r, http.StatusRequestEntityTooLarge, errs.New(codes.ResourceExhausted, "REQUEST_TOO_LARGE",
		"the request body is larger than "+n+" bytes", "请求体超过 "+n+" 字节"))
}

var errUnreadableBody = errs.New(codes.InvalidArgument, "INVALID_ARGUMENT", "cannot read the request body", "无法读取请求体")

// parsedField finds the field a request-parsing error of grpc-gateway or protojson names.
var parsedField = regexp.MustCompile(`(?:parsing field|unknown field|invalid value for [a-z0-9 ]+ field [a-zA-Z]+:|field) "?([A-Za-z_][A-Za-z0-9_.]*)"?`)

// oneofSet finds the oneof a query parameter clashes with when the path already set another
// of its fields (a user route given the other parent, as in /v1/units/{unitId}/users?officeId=…).
var oneofSet = regexp.MustCompile(`already set for oneof "?([A-Za-z_][A-Za-z0-9_]*)"?`)

// withLanguage returns ctx carrying the request's Accept-Language the way the services
// see it, so errors made here are worded like theirs.
func withLanguage(ctx context.Context, r *http.Request) context.Context {
	return metadata.NewIncomingContext(ctx, metadata.Pairs("accept-language", r.Header.Get("Accept-Language")))
}

// errorHandler is grpc-gateway's default, with Retry-After added for rate-limited and
// unavailable calls and the gateway's own request-parsing errors given the same details
// and languages as the services' errors.
func errorHandler(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if s, ok := status.FromError(err); ok && s.Code() == codes.InvalidArgument && len(s.Details()) == 0 {
		field := "body"
		if f := oneofSet.FindStringSubmatch(s.Message()); f != nil {
			field = f[1]
		} else if f := parsedField.FindStringSubmatch(s.Message()); f != nil {
			field = f[1]
		}
		err = errs.Status(withLanguage(ctx, r), errs.Invalid(field, "cannot be read: "+s.Message(), "无法解析："+s.Message())).Err()
	}
	if s, ok := status.FromError(err); ok {
		for _, d := range s.Details() {
			if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
				w.Header().Set("Retry-After", strconv.FormatInt(max(1, ri.GetRetryDelay().GetSeconds()), 10))
			}
		}
		if s.Code() == codes.Unavailable && w.Header().Get("Retry-After") == "" {
			// A service the gateway could not reach (restarting, rolled, cut off): the
			// request never ran there, so resending it soon is the advice (docs/errors.md).
			w.Header().Set("Retry-After", "1")
		}
	}
	if strings.HasPrefix(r.URL.Path, "/v1/") || strings.HasPrefix(r.URL.Path, "/.well-known/") {
		w.Header().Set("Cache-Control", "no-store")
	}
	if s, ok := status.FromError(err); ok {
		for _, d := range s.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && httpStatus[info.GetReason()] == http.StatusNotModified {
				// A conditional GET that matched: no body, the ETag the client holds.
				w.Header().Set("ETag", r.Header.Get("If-None-Match"))
				w.WriteHeader(http.StatusNotModified)
				return
			}
			if info, ok := d.(*errdetails.ErrorInfo); ok && httpStatus[info.GetReason()] != 0 {
				body, merr := m.Marshal(s.Proto())
				if merr == nil {
					w.Header().Set("Content-Type", m.ContentType(s.Proto()))
					w.WriteHeader(httpStatus[info.GetReason()])
					_, _ = w.Write(body)
					return
				}
			}
		}
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// httpStatus maps the reasons whose HTTP status is not the one grpc-gateway gives their
// gRPC code (a file too large is 413, not 429) to their status, from the catalog that
// docs/errors.md is made from.
var httpStatus = func() map[string]int {
	m := map[string]int{}
	for _, r := range errs.Catalog() {
		if r.HTTP != 0 {
			m[r.Name] = r.HTTP
		}
	}
	return m
}()

// The import routes also take a file as the raw request body: a standard as YAML or XLSX,
// units as XLSX.
var (
	standardImportPath = regexp.MustCompile(`^/v1/offices/[^/]+/standards:import$`)
	unitImportPath     = regexp.MustCompile(`^/v1/offices/[^/]+/units:import$`)
)

const contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// rawFormats maps the content types of a standard's file forms to their API format.
var rawFormats = map[string]string{
	"application/yaml":   "STANDARD_FORMAT_YAML",
	"application/x-yaml": "STANDARD_FORMAT_YAML",
	"text/yaml":          "STANDARD_FORMAT_YAML",
	contentTypeXLSX:      "STANDARD_FORMAT_XLSX",
}

// rawImport lets an import file be posted as it is (curl --data-binary @细则.xlsx with its
// content type): the body becomes the JSON request the RPC takes.
func rawImport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		req := map[string]string{}
		switch {
		case r.Method == http.MethodPost && standardImportPath.MatchString(r.URL.Path) && rawFormats[mt] != "":
			req["format"] = rawFormats[mt]
		case r.Method == http.MethodPost && unitImportPath.MatchString(r.URL.Path) && mt == contentTypeXLSX:
		default:
			next.ServeHTTP(w, r)
			return
		}
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, http.StatusBadRequest, errUnreadableBody)
			return
		}
		req["content"] = base64.StdEncoding.EncodeToString(raw)
		body, _ := json.Marshal(req)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/json")
		next.ServeHTTP(w, r)
	})
}

// clientAddress settles who the client is before grpc-gateway passes it on as
// x-forwarded-for: walking X-Forwarded-For from the right, past the trusted proxies, to the
// first address that is not one. A client's own X-Forwarded-For is never believed, so it
// cannot pick the address its login attempts are counted under.
func clientAddress(next http.Handler, trusted []*net.IPNet) http.Handler {
	isTrusted := func(ip net.IP) bool {
		if ip == nil {
			return false
		}
		if ip.IsLoopback() {
			return true
		}
		for _, n := range trusted {
			if n.Contains(ip) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		client := host
		if isTrusted(net.ParseIP(host)) {
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				ip := net.ParseIP(strings.TrimSpace(hops[i]))
				if ip == nil {
					break
				}
				client = ip.String()
				if !isTrusted(ip) {
					break
				}
			}
		}
		r.Header.Del("X-Forwarded-For")
		r.RemoteAddr = net.JoinHostPort(client, "0")
		next.ServeHTTP(w, r)
	})
}

// routingErrorHandler answers requests that match no route: 404 for an unknown path, 405 for
// a known path with the wrong method, with the services' error shape.
func routingErrorHandler(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, code int) {
	var e *errs.Error
	switch code {
	case http.StatusMethodNotAllowed:
		e = errs.New(codes.Unimplemented, "METHOD_NOT_ALLOWED", "this path does not take "+r.Method, "此路径不支持 "+r.Method+" 方法")
	case http.StatusNotFound:
		e = errs.New(codes.NotFound, "NO_SUCH_ROUTE", "no API route "+r.URL.Path, "不存在的接口路径 "+r.URL.Path)
	default:
		runtime.DefaultRoutingErrorHandler(ctx, mux, m, w, r, code)
		return
	}
	writeError(w, r, code, e)
}

// writeError answers with e in the services' error shape and the caller's language, for
// the errors the gateway finds itself.
func writeError(w http.ResponseWriter, r *http.Request, code int, e *errs.Error) {
	body, err := protojson.Marshal(errs.Status(withLanguage(r.Context(), r), e).Proto())
	if err != nil {
		http.Error(w, http.StatusText(code), code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// checkText refuses a request whose path, query or forwarded headers hold text no field
// may hold (invalid UTF-8, NUL and other control characters, invisible formatting
// characters): the services would refuse it too, but only after the gateway had failed to
// encode it. The Idempotency-Key is checked by the services' own rule here: gRPC metadata
// drops what it cannot carry, and a retry without its key would create twice.
func checkText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad := func(field, en, zh string) {
			writeError(w, r, http.StatusBadRequest, errs.Invalid(field, en, zh))
		}
		if en, zh := rpc.TextProblem(r.URL.Path, false); en != "" {
			bad("path", en, zh)
			return
		}
		for name, vals := range r.URL.Query() {
			if en, zh := rpc.TextProblem(name, false); en != "" {
				bad("query", en, zh) // the name itself cannot be shown
				return
			}
			for _, v := range vals {
				if en, zh := rpc.TextProblem(v, false); en != "" {
					bad(name, en, zh)
					return
				}
			}
		}
		for _, h := range []string{"Accept-Language", "X-Request-Id"} {
			if en, zh := rpc.TextProblem(r.Header.Get(h), false); en != "" {
				bad(h, en, zh)
				return
			}
		}
		if k, ok := r.Header["Idempotency-Key"]; ok {
			if err := rpc.CheckIdempotencyKey("Idempotency-Key", strings.Join(k, ",")); err != nil {
				writeError(w, r, http.StatusBadRequest, err.(*errs.Error))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

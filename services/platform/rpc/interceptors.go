package rpc

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/privacy"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Verifier checks bearer tokens.
type Verifier interface {
	Verify(ctx context.Context, token string) (*viewer.Viewer, error)
}

type requestIDKey struct{}

// RequestID returns the id of the request in ctx.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// Every interceptor exists twice, for unary calls and for streams, around one core that
// takes the call's context and method: the two chains cannot drift apart. A core that only
// checks the call or adds to its context is a step, wrapped by unaryStep and streamStep.

// step checks a call before its handler runs and returns the context the handler gets.
type step func(ctx context.Context, method string) (context.Context, error)

// unaryStep runs s before a unary handler.
func unaryStep(s step) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		ctx, err := s(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
}

// streamStep runs s before a stream handler, which sees the step's context as the stream's.
func streamStep(s step) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		ctx, err := s(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return h(srv, &contextStream{ServerStream: ss, ctx: ctx})
	}
}

// contextStream is a stream with a context of its own: a stream carries its context, so
// this is how a stream interceptor hands the values it adds (viewer, request id) inward.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *contextStream) Context() context.Context { return s.ctx }

// recovery turns a panic into INTERNAL and logs the stack; a panic never crosses the API.
func recovery(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	defer recoverPanic(ctx, info.FullMethod, &err)
	return h(ctx, req)
}

func streamRecovery(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
	defer recoverPanic(ss.Context(), info.FullMethod, &err)
	return h(srv, ss)
}

// recoverPanic must be deferred directly: recover only stops a panic there.
func recoverPanic(ctx context.Context, method string, err *error) {
	if p := recover(); p != nil {
		slog.ErrorContext(ctx, "panic in handler", "method", method, "panic", p, "stack", string(debug.Stack()))
		*err = status.Error(codes.Internal, "internal error")
	}
}

// requestID takes the caller's x-request-id (when it is a sane token) or makes one, and
// echoes it in the response header.
func requestID(ctx context.Context, _ string) (context.Context, error) {
	id := ""
	// ValueFromIncomingContext reads one key without copying the whole metadata.
	if v := metadata.ValueFromIncomingContext(ctx, "x-request-id"); len(v) > 0 && len(v[0]) <= 64 && saneToken(v[0]) {
		id = v[0]
	}
	if id == "" {
		id = uuid.Must(uuid.NewV7()).String()
	}
	// The context of a stream carries its transport stream too, so this works for both.
	_ = grpc.SetHeader(ctx, metadata.Pairs("x-request-id", id))
	return context.WithValue(ctx, requestIDKey{}, id), nil
}

func saneToken(s string) bool {
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// Metrics are the RPC metrics of a server.
type Metrics struct {
	handled         *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	conflictRetries *prometheus.CounterVec
}

// NewMetrics registers the RPC metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wenming_grpc_server_handled_total", Help: "RPCs completed, by method and code.",
		}, []string{"method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "wenming_grpc_server_handling_seconds", Help: "RPC latency.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method"}),
		conflictRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wenming_grpc_server_conflict_retries_total",
			Help: "Unary calls run again inside the server after a transaction conflict, by method.",
		}, []string{"method"}),
	}
	if reg != nil {
		reg.MustRegister(m.handled, m.duration, m.conflictRetries)
	}
	return m
}

// observe logs and counts each call with the code it will answer with.
func (m *Metrics) observe(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := h(ctx, req)
	m.record(ctx, info.FullMethod, start, err)
	return resp, err
}

// observeStream logs and counts a stream when it ends; its duration is the whole stream's.
func (m *Metrics) observeStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	start := time.Now()
	err := h(srv, ss)
	m.record(ss.Context(), info.FullMethod, start, err)
	return err
}

func (m *Metrics) record(ctx context.Context, method string, start time.Time, err error) {
	code := status.Code(err)
	d := time.Since(start)
	m.handled.WithLabelValues(method, code.String()).Inc()
	m.duration.WithLabelValues(method).Observe(d.Seconds())
	level := slog.LevelDebug
	if code == codes.Internal || code == codes.Unknown {
		level = slog.LevelError
	}
	slog.Log(ctx, level, "rpc", "method", method, "code", code.String(), "duration", d, "request_id", RequestID(ctx))
}

// boundary maps domain errors to canonical statuses with details. Store-level "not in
// your scope" and "not found" both become NOT_FOUND, so a foreign id looks missing.
func boundary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	resp, err := h(ctx, req)
	if err == nil {
		return resp, nil
	}
	return nil, statusOf(ctx, info.FullMethod, err)
}

func streamBoundary(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := h(srv, ss); err != nil {
		return statusOf(ss.Context(), info.FullMethod, err)
	}
	return nil
}

// statusOf is the boundary's mapping of a handler's error.
func statusOf(ctx context.Context, method string, err error) error {
	switch {
	case ent.IsNotFound(err), errors.Is(err, privacy.Deny):
		err = errs.NotFound("resource")
	case ent.IsConstraintError(err):
		err = errs.New(codes.AlreadyExists, "ALREADY_EXISTS", "the resource already exists", "资源已存在")
	}
	s := errs.Status(ctx, err)
	if s.Code() == codes.Internal || s.Code() == codes.Unknown {
		slog.ErrorContext(ctx, "internal error", "method", method, "err", err, "request_id", RequestID(ctx))
	}
	return s.Err()
}

// authenticate puts the caller's viewer in the context. Public RPCs skip it; every other
// RPC needs a valid bearer token.
func authenticate(rules *Rules, tokens Verifier) step {
	return func(ctx context.Context, method string) (context.Context, error) {
		if r := (*rules)[method]; (r != nil && r.GetPublic()) || isInfrastructure(method) {
			return ctx, nil
		}
		vals := metadata.ValueFromIncomingContext(ctx, "authorization")
		if len(vals) != 1 {
			return nil, errs.ErrUnauthenticated
		}
		scheme, tok, ok := strings.Cut(vals[0], " ")
		if !ok || !strings.EqualFold(scheme, "bearer") || tok == "" || strings.ContainsAny(tok, " \t") {
			return nil, errs.ErrUnauthenticated
		}
		v, err := tokens.Verify(ctx, tok)
		if err != nil {
			return nil, errs.ErrUnauthenticated
		}
		return viewer.NewContext(ctx, v), nil
	}
}

// authorize enforces each RPC's declared rule. An RPC without a rule is denied.
func authorize(rules *Rules) step {
	return func(ctx context.Context, method string) (context.Context, error) {
		if isInfrastructure(method) {
			return ctx, nil
		}
		r, ok := (*rules)[method]
		if !ok {
			return nil, errs.ErrPermissionDenied
		}
		if r.GetPublic() {
			return ctx, nil
		}
		v := viewer.FromContext(ctx)
		if v == nil {
			return nil, errs.ErrUnauthenticated
		}
		if len(r.GetRoles()) > 0 && !v.Has(r.GetRoles()...) {
			return nil, errs.ErrPermissionDenied
		}
		return ctx, nil
	}
}

// validate checks the request with Validate: its protovalidate constraints and the text
// rules of its string fields.
func validate(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := validRequest(req); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

// validateStream checks every message the handler receives, as validate checks a request.
func validateStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	vs := &validatingStream{ServerStream: ss}
	err := h(srv, vs)
	if vs.err != nil {
		// A handler that swallowed the receive error still answers INVALID_ARGUMENT: the
		// stream it acted on carried an invalid message.
		return vs.err
	}
	return err
}

// validatingStream refuses an invalid received message in RecvMsg, and every receive after it.
type validatingStream struct {
	grpc.ServerStream
	err error
}

func (s *validatingStream) RecvMsg(m any) error {
	if s.err != nil {
		return s.err
	}
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	s.err = validRequest(m)
	return s.err
}

func validRequest(req any) error {
	if m, ok := req.(proto.Message); ok {
		return Validate(m)
	}
	return nil
}

type clientAddrKey struct{}

// ClientAddr returns the address of the client (for rate limits and the audit trail).
func ClientAddr(ctx context.Context) string {
	s, _ := ctx.Value(clientAddrKey{}).(string)
	return s
}

// ClientKey is the key the client's address counts under in rate limits: an IPv6 client
// by its /64, the block one subscriber holds, so rotating addresses within it buys nothing.
func ClientKey(ctx context.Context) string {
	a := ClientAddr(ctx)
	if ip := net.ParseIP(a); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return a
}

// clientAddr finds the client's address: the one the gateway appended last to
// x-forwarded-for when the peer is a trusted gateway (loopback or a configured network),
// else the peer itself. Forwarded headers from anyone else are ignored.
func clientAddr(trusted []*net.IPNet) step {
	return func(ctx context.Context, _ string) (context.Context, error) {
		addr := ""
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			addr = p.Addr.String()
			if host, _, err := net.SplitHostPort(addr); err == nil {
				addr = host
			}
		}
		inProcess := addr == "bufconn" // the all-in-one process's own gateway
		if ip := net.ParseIP(addr); inProcess || ip != nil && (ip.IsLoopback() || contains(trusted, ip)) {
			if v := metadata.ValueFromIncomingContext(ctx, "x-forwarded-for"); len(v) > 0 {
				parts := strings.Split(v[len(v)-1], ",")
				if last := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(last) != nil {
					addr = last
				}
			}
		}
		return context.WithValue(ctx, clientAddrKey{}, addr), nil
	}
}

func contains(nets []*net.IPNet, ip net.IP) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// Package rpc builds the gRPC servers of every Wenming service: one interceptor chain, the
// access rules read from the proto descriptors, health and reflection.
package rpc

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/stats"

	"github.com/wenming-platform/wenming/services/platform/store"
)

// Options configure a server.
type Options struct {
	Tokens   Verifier
	Registry prometheus.Registerer
	// TrustedProxies are networks whose x-forwarded-for is believed (loopback always is).
	TrustedProxies []*net.IPNet
	// MaxRecvBytes limits a request message.
	MaxRecvBytes int
	// Store keeps Idempotency-Key records; without it the header is ignored.
	Store *store.Store
	// Tracing makes a span of every call (OpenTelemetry; docs/operations.md).
	Tracing bool
}

// Server is a gRPC server with its health service.
type Server struct {
	*grpc.Server
	Health *health.Server
	rules  *Rules
}

// NewServer returns a server whose services are registered by register. Unary calls and
// streams pass through the same interceptors in the same order, outermost first:
//
//	recovery → client address → request id → logging and metrics → error boundary →
//	authentication → authorization → validation → consistency → idempotency →
//	conflict retry → handler
//
// Recovery is outermost so that a panic anywhere becomes INTERNAL; the error boundary sits
// inside logging so logs see the final code, and outside authn/authz/validation so their
// errors are localized too. Consistency notes the caller's writes for read-your-writes on
// a read replica. Idempotency comes after them: a request that is refused claims no key.
// The conflict retry runs the handler again, inside the idempotency claim, after a
// transaction the database aborted (unary calls only; see retryConflicts).
// On a stream, authentication and authorization refuse the call before its handler runs;
// validation checks each message as the handler receives it, and idempotency covers
// client-streaming creates (see streamIdempotency). Every method served, unary or streaming,
// must declare an access rule, or NewServer refuses to start.
func NewServer(o Options, register func(*grpc.Server)) (*Server, error) {
	m := NewMetrics(o.Registry)
	rules := &Rules{}
	if o.MaxRecvBytes == 0 {
		o.MaxRecvBytes = 4 << 20
	}
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(o.MaxRecvBytes),
		// Long-lived workers keep their grown stacks: a fresh goroutine per RPC spends a
		// measurable share of a short read copying its stack as the call deepens.
		grpc.NumStreamWorkers(uint32(4 * runtime.GOMAXPROCS(0))),
		grpc.InitialWindowSize(streamWindow), grpc.InitialConnWindowSize(streamWindow),
		// Connections are closed gently after a few minutes (in-flight calls, uploads
		// included, get a long grace), so clients resolve again and spread over replicas
		// added since: behind a headless Service the gateway learns of new pods only then.
		grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionIdle: 5 * time.Minute, MaxConnectionAge: 5 * time.Minute, MaxConnectionAgeGrace: 30 * time.Minute,
		}),
		grpc.ChainUnaryInterceptor(
			recovery,
			unaryStep(clientAddr(o.TrustedProxies)),
			unaryStep(requestID),
			m.observe,
			boundary,
			unaryStep(authenticate(rules, o.Tokens)),
			unaryStep(authorize(rules)),
			validate,
			consistency(o.Store),
			idempotency(o.Store),
			retryConflicts(m.conflictRetries),
		),
		// The same order as the unary chain; keep the two in step. Only the conflict
		// retry has no stream twin: a stream's messages cannot be read twice.
		grpc.ChainStreamInterceptor(
			streamRecovery,
			streamStep(clientAddr(o.TrustedProxies)),
			streamStep(requestID),
			m.observeStream,
			streamBoundary,
			streamStep(authenticate(rules, o.Tokens)),
			streamStep(authorize(rules)),
			validateStream,
			streamConsistency(o.Store),
			streamIdempotency(o.Store),
		),
	}
	if o.Tracing {
		// Spans for every call, joined to the gateway's through the trace context the
		// gateway's client sends; added only when tracing is on, so off costs nothing.
		opts = append(opts, grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithFilter(func(i *stats.RPCTagInfo) bool {
			// Health probes every few seconds would bury the requests' traces.
			return !strings.HasPrefix(i.FullMethodName, "/grpc.health.v1.")
		}))))
	}
	gs := grpc.NewServer(opts...)
	register(gs)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	reflection.Register(gs)
	loaded, missing, err := LoadRules(gs)
	if err != nil {
		return nil, err
	}
	for _, mth := range missing {
		// Denied at run time too; refusing to start makes the gap impossible to ship.
		return nil, fmt.Errorf("rpc: %s declares no access rule", mth)
	}
	*rules = loaded
	for name := range gs.GetServiceInfo() {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	return &Server{Server: gs, Health: hs, rules: rules}, nil
}

// Rules returns the access rules the server enforces.
func (s *Server) Rules() Rules { return *s.rules }

// streamWindow is the HTTP/2 flow-control window of each stream and connection: several
// 1 MiB upload chunks in flight, where gRPC's default 64 KiB start makes a large upload
// wait on window updates every few frames.
const streamWindow = 8 << 20

// DialOptions are the options of a connection to the services: the same flow-control
// window on the client side, a short reconnect backoff, and calls that wait a moment for a
// replica rather than fail at once when none is connected (see awaitReady).
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithInitialWindowSize(streamWindow), grpc.WithInitialConnWindowSize(streamWindow),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: reconnectMax},
			MinConnectTimeout: 5 * time.Second,
		}),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoke grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			awaitReady(ctx, cc)
			return invoke(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, stream grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			awaitReady(ctx, cc)
			return stream(ctx, desc, cc, method, opts...)
		}),
	}
}

// reconnectMax caps the wait between two dials of a replica that is down. gRPC's default
// grows it to two minutes; ours is short so that a restarted replica is back in the
// rotation within about a second (docs/faults.md, "Replicas").
const reconnectMax = time.Second

// readyWait is how long a call waits for a connected replica. It is longer than one
// reconnect step, so a replica that has come back is dialled before the call gives up.
const readyWait = 2 * reconnectMax

// awaitReady waits, at most readyWait, until cc has a connected replica. A call made while
// none is connected would fail at once with UNAVAILABLE, although a replica may be up
// again and only waiting for its next dial: in a rolling restart, the replica started a
// moment ago while its peer stops now. Where every replica stays down, the call then fails
// as before, readyWait later.
func awaitReady(ctx context.Context, cc *grpc.ClientConn) {
	s := cc.GetState()
	if s == connectivity.Ready || s == connectivity.Shutdown {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	for s != connectivity.Ready && s != connectivity.Shutdown {
		if s == connectivity.Idle {
			cc.Connect()
		}
		if !cc.WaitForStateChange(ctx, s) {
			return
		}
		s = cc.GetState()
	}
}

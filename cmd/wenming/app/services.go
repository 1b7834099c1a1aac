package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	notifyv1 "github.com/wenming-platform/wenming/api/gen/wenming/notify/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/services/evidence"
	"github.com/wenming-platform/wenming/services/gateway"
	"github.com/wenming-platform/wenming/services/notify"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/review"
	"github.com/wenming-platform/wenming/services/standards"
	"github.com/wenming-platform/wenming/services/tenancy"
)

// A service is one of Wenming's gRPC services: everything a process, the gateway, the
// command line and the rule check need to know of it. Adding a service is one entry in
// services, plus its own package (docs/architecture.md).
type service struct {
	Name string
	// Port is its gRPC port when it runs in a process of its own (the split shape): the
	// default listen address of `wenming serve NAME`, and where a gateway looks for it
	// when no upstream is given.
	Port int
	// register builds the service from the process's shared parts and registers it.
	register func(s grpc.ServiceRegistrar, p *parts)
	// routes registers its REST routes on the gateway, which reaches it through conn; nil
	// while it has none (the gateway still checks its health for /readyz).
	routes func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error
	// streams are its streaming REST routes (gateway.Service.Streams), if any.
	streams func(mux *runtime.ServeMux, conn *grpc.ClientConn) map[string]http.Handler
}

// parts are what the services of one process share, and the servers that the process
// itself calls (the first admin's bootstrap, the demo data).
type parts struct {
	reg     prometheus.Registerer
	st      *store.Store
	keys    *auth.Keyring
	tokens  *auth.Tokens
	revoked *auth.Revocations
	limits  *cache.Limiter
	pages   *pagetoken.Codec
	trail   *audit.Chain

	blobs  blob.Store
	files  evidence.Limits
	clock  func() time.Time
	master *secrets.Master
	cfg    Config

	tenancy   *tenancy.Server
	standards *standards.Server
	evidence  *evidence.Server
	notify    *notify.Server
}

var services = []service{
	{
		Name: "tenancy", Port: 9091,
		register: func(s grpc.ServiceRegistrar, p *parts) {
			p.tenancy = tenancy.NewServer(tenancy.Deps{
				Store: p.st, Keys: p.keys, Tokens: p.tokens, Revocations: p.revoked,
				Limiter: p.limits, Pages: p.pages, Audit: p.trail, Rescore: review.Rescorer(p.st, p.trail, p.clock),
			})
			tenancyv1.RegisterTenancyServiceServer(s, p.tenancy)
			tenancyv1.RegisterAuthServiceServer(s, p.tenancy)
		},
		routes: func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
			return errors.Join(
				tenancyv1.RegisterTenancyServiceHandler(ctx, mux, conn),
				tenancyv1.RegisterAuthServiceHandler(ctx, mux, conn),
			)
		},
	},
	{
		Name: "standards", Port: 9092,
		register: func(s grpc.ServiceRegistrar, p *parts) {
			p.standards = standards.NewServer(p.st, p.pages, p.trail, review.Phases(p.st, p.trail, p.clock))
			standardsv1.RegisterStandardsServiceServer(s, p.standards)
		},
		routes: standardsv1.RegisterStandardsServiceHandler,
	},
	{
		Name: "evidence", Port: 9093,
		register: func(s grpc.ServiceRegistrar, p *parts) {
			p.evidence = evidence.NewServer(evidence.Deps{Store: p.st, Pages: p.pages, Audit: p.trail, Blobs: p.blobs, Limits: p.files, Clock: p.clock})
			evidencev1.RegisterEvidenceServiceServer(s, p.evidence)
		},
		routes:  evidencev1.RegisterEvidenceServiceHandler,
		streams: gateway.FileRoutes,
	},
	{
		Name: "review", Port: 9094,
		register: func(s grpc.ServiceRegistrar, p *parts) {
			reviewv1.RegisterReviewServiceServer(s, review.NewServer(review.Deps{Store: p.st, Pages: p.pages, Audit: p.trail, Clock: p.clock, Limits: p.limits}))
		},
		routes: reviewv1.RegisterReviewServiceHandler,
	},
	{
		Name: "notify", Port: 9095,
		register: func(s grpc.ServiceRegistrar, p *parts) {
			p.notify = notify.NewServer(notify.Deps{Store: p.st, Pages: p.pages, Audit: p.trail, Master: p.master, Clock: p.clock,
				Interval: p.cfg.NotifyInterval, Backoff: p.cfg.WebhookBackoff, Allow: p.cfg.WebhookAllow, Registry: p.reg,
				Log: func(f string, args ...any) { slog.Warn(fmt.Sprintf(f, args...)) }})
			notifyv1.RegisterNotifyServiceServer(s, p.notify)
		},
		routes: notifyv1.RegisterNotifyServiceHandler,
	},
}

// Services are the names of the gRPC services a process can run, in table order.
func Services() []string {
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = s.Name
	}
	return names
}

func lookup(name string) (service, bool) {
	for _, s := range services {
		if s.Name == name {
			return s, true
		}
	}
	return service{}, false
}

// DefaultUpstream is where a gateway finds a service it does not run when no upstream is
// configured: the service's own port on this machine.
func DefaultUpstream(name string) string {
	s, _ := lookup(name)
	return "127.0.0.1:" + strconv.Itoa(s.Port)
}

// gatewayServices are the table's entries as the gateway sees them.
func gatewayServices() []gateway.Service {
	out := make([]gateway.Service, len(services))
	for i, s := range services {
		out[i] = gateway.Service{Name: s.Name, Routes: s.routes, Streams: s.streams}
	}
	return out
}

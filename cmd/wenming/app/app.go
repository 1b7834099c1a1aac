// Package app assembles a Wenming process: any subset of the four gRPC services and the
// REST gateway, over PostgreSQL or the embedded SQLite, Redis or the in-process server.
// `wenming serve` and the end-to-end tests both start processes through it.
package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/test/bufconn"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/setting"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/evidence"
	"github.com/wenming-platform/wenming/services/gateway"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/telemetry"
	"github.com/wenming-platform/wenming/services/tenancy"
)

// Config is a process's configuration (flags and WENMING_* variables).
type Config struct {
	DatabaseURL string // postgres://… or a SQLite path; empty: <DataDir>/wenming.db
	// DatabaseReplicaURL, when set, is a streaming read replica of DatabaseURL: lists,
	// rankings, summaries and exports read from it (docs/operations.md, "Read replicas").
	DatabaseReplicaURL string
	// ReplicaMaxLag is the staleness beyond which reads go to the primary; zero: 30 s.
	ReplicaMaxLag time.Duration
	RedisURL      string // empty: an in-process Redis-protocol server
	RedisPrefix   string // start of every Redis key; default "wenming:"
	DataDir       string
	HTTPAddr      string
	GRPCAddr      string
	// MasterKey is the base64 platform master key (WENMING_MASTER_KEY); MasterKeyFile a
	// file holding it (--master-key-file). With neither, <DataDir>/master.key is used and
	// generated on the first start. Every process of a deployment must use the same key
	// (docs/audit.md).
	MasterKey     string
	MasterKeyFile string
	// BlobURL is where evidence files are kept: empty for <DataDir>/blobs, a directory, or
	// s3://bucket/prefix?endpoint=…&region=… with credentials from the AWS variables.
	BlobURL string
	// MaxFileBytes and MaxApplicationBytes bound one evidence file and all files of one
	// application; zero means 50 MiB and 2 GiB.
	MaxFileBytes        int64
	MaxApplicationBytes int64
	// Run lists what this process runs: service names and/or "gateway". Empty: everything.
	Run []string
	// Upstreams are the gRPC addresses of services this process does not run itself.
	Upstreams      map[string]string
	NoMigrate      bool
	AdminLogin     string
	AdminPassword  string // WENMING_BOOTSTRAP_ADMIN_PASSWORD
	TrustedProxies []*net.IPNet
	// Demo loads the demo tree, accounts and the example standard on the first start.
	Demo bool
	// DebugAddr, when set, serves the Go profiler on its own listener, never on the API's.
	DebugAddr string
	// MetricsAddr, when set, serves Prometheus metrics at /metrics on its own listener:
	// never on the public API port.
	MetricsAddr string
	Log         io.Writer
	// Clock, when set, is the time the evidence service judges reporting windows by: a
	// test's fixed day. Nil means the wall clock; no flag sets it.
	Clock func() time.Time
	// SessionClock, when set, is the time this process issues, checks and revokes tokens
	// by: a test's replica whose clock is off (docs/faults.md). Nil means the wall clock;
	// no flag sets it.
	SessionClock func() time.Time
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
	// WebhookAllow lists the private networks webhooks may reach (--webhook-allow).
	WebhookAllow []*net.IPNet
	// Tracing exports OpenTelemetry traces over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT is set).
	Tracing bool
	// Version names the build in traces.
	Version string
	// NotifyInterval is how often the notify workers look for due deliveries and
	// reminders, WebhookBackoff the first retry's delay; zero: 5 s and 30 s. No flag sets
	// them: tests shorten them.
	NotifyInterval, WebhookBackoff time.Duration
}

// App is a running process.
type App struct {
	cfg      Config
	HTTPAddr string // where the gateway listens, when it runs
	GRPCAddr string // where the gRPC services listen, when any run
	// MetricsAddr is where /metrics is served, when it is.
	MetricsAddr string

	st      *store.Store
	master  *secrets.Master
	trail   *audit.Chain
	redis   *cache.Redis
	grpc    *rpc.Server
	inproc  *bufconn.Listener // the gateway's in-memory connection to local services
	gw      *gateway.Gateway
	http    *http.Server
	cancel  context.CancelFunc
	group   *errgroup.Group
	closers []func() error
}

func (c *Config) runs(name string) bool { return len(c.Run) == 0 || slices.Contains(c.Run, name) }

func (c *Config) services() []service {
	var out []service
	for _, s := range services {
		if c.runs(s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// DefaultConfig is the configuration of a process given no flags and no WENMING_*
// variables: the embedded default. It is the one source of defaults; the command line's
// flags start from it.
func DefaultConfig() Config {
	return Config{
		DataDir:         "wenming-data",
		HTTPAddr:        ":8080",
		RedisPrefix:     "wenming:",
		AdminLogin:      "admin",
		ShutdownTimeout: 20 * time.Second,
	}
}

// defaults fills what c leaves empty from DefaultConfig, and what depends on other
// fields: the database in the data directory, the gRPC address by what the process runs.
func (c *Config) defaults() {
	d := DefaultConfig()
	for _, f := range []struct {
		v   *string
		def string
	}{
		{&c.DataDir, d.DataDir}, {&c.HTTPAddr, d.HTTPAddr}, {&c.RedisPrefix, d.RedisPrefix}, {&c.AdminLogin, d.AdminLogin},
	} {
		if *f.v == "" {
			*f.v = f.def
		}
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "wenming.db")
	}
	if c.GRPCAddr == "" {
		// One service alone listens on its own port, so the split shape needs no flags.
		c.GRPCAddr = ":9090"
		if run := c.services(); len(run) == 1 && len(c.Run) > 0 {
			c.GRPCAddr = ":" + strconv.Itoa(run[0].Port)
		}
	}
	if c.Log == nil {
		c.Log = os.Stdout
	}
}

// Resolved returns c with every default filled in, as Start runs it: the commands that
// open the store or the key without starting a process read their paths from it.
func (c Config) Resolved() Config {
	c.defaults()
	return c
}

// Validate checks c before anything starts, naming the setting at fault: what the process
// runs, its addresses, URLs and durations.
func (c *Config) Validate() error {
	var errs []error
	bad := func(setting, format string, args ...any) {
		errs = append(errs, fmt.Errorf(setting+": "+format, args...))
	}
	for _, name := range c.Run {
		if _, ok := lookup(name); !ok && name != "gateway" {
			bad("serve", "unknown service %q (want %s or gateway)", name, strings.Join(Services(), ", "))
		}
	}
	for name, addr := range c.Upstreams {
		if _, ok := lookup(name); !ok {
			bad("--upstream", "unknown service %q (want one of %s)", name, strings.Join(Services(), ", "))
		} else if err := checkTarget(addr); err != nil {
			bad("--upstream "+name, "%v", err)
		}
	}
	for _, a := range []struct{ setting, addr string }{
		{"--http-addr", c.HTTPAddr}, {"--grpc-addr", c.GRPCAddr}, {"--debug-addr", c.DebugAddr}, {"--metrics-addr", c.MetricsAddr},
	} {
		if a.addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			bad(a.setting, "%q is not host:port (%v)", a.addr, err)
		}
	}
	if !c.Embedded() {
		if u, err := url.Parse(c.DatabaseURL); err != nil || u.Host == "" {
			bad("--database-url", "%q is not a postgres:// URL with a host", c.DatabaseURL)
		}
	}
	if c.DatabaseReplicaURL != "" {
		if c.RedisURL == "" {
			// Read-your-writes keeps each caller's write position in Redis for every process.
			bad("--database-replica-url", "a read replica needs a shared Redis (--redis-url), where every process finds its callers' latest writes")
		}
		if c.Embedded() {
			bad("--database-replica-url", "a read replica needs PostgreSQL as the primary (--database-url postgres://…)")
		} else if u, err := url.Parse(c.DatabaseReplicaURL); err != nil || u.Host == "" ||
			(u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("--database-replica-url", "%q is not a postgres:// URL with a host", c.DatabaseReplicaURL)
		}
	}
	if c.ReplicaMaxLag < 0 {
		bad("--replica-max-lag", "%v is negative", c.ReplicaMaxLag)
	}
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			bad("--redis-url", "%v", err)
		}
	}
	if c.MasterKey != "" && c.MasterKeyFile != "" {
		bad("--master-key-file", "give the master key either in WENMING_MASTER_KEY or in a file, not both")
	}
	if c.MaxFileBytes < 0 || c.MaxApplicationBytes < 0 {
		bad("--max-file-bytes, --max-application-bytes", "a limit is a non-negative number of bytes (WENMING_MAX_FILE_BYTES, WENMING_MAX_APPLICATION_BYTES)")
	}
	if c.ShutdownTimeout < 0 {
		bad("--shutdown-timeout", "%v is negative or not a duration (WENMING_SHUTDOWN_TIMEOUT)", c.ShutdownTimeout)
	}
	if c.Demo && (!c.runs("tenancy") || !c.runs("standards")) {
		errs = append(errs, errDemoNeedsAll)
	}
	return errors.Join(errs...)
}

// checkTarget checks a gRPC target: host:port, a comma-separated list of them (replicas
// the gateway balances over), or a resolver URL such as dns:///name:port.
func checkTarget(addr string) error {
	if strings.Contains(addr, ":///") {
		return nil
	}
	for _, a := range strings.Split(addr, ",") {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fmt.Errorf("%q is not host:port, a comma-separated list of them, or a resolver target such as dns:///host:port", addr)
		}
	}
	return nil
}

// Embedded reports whether the database is the embedded SQLite one.
func (c *Config) Embedded() bool {
	return !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// LoadMasterKey returns the master key cfg names: MasterKey, else MasterKeyFile, else
// <DataDir>/master.key, generated when absent. A generated key is announced on log, once,
// with where it is and that it must be backed up apart from the database.
func LoadMasterKey(cfg Config, log io.Writer) (*secrets.Master, error) {
	cfg.defaults()
	m, generated, err := secrets.Load(secrets.Source{
		Value: cfg.MasterKey, File: cfg.MasterKeyFile, Default: filepath.Join(cfg.DataDir, "master.key"),
	})
	if err != nil {
		return nil, err
	}
	if generated != "" {
		fmt.Fprintf(log, "generated the platform master key in %s: back it up now, apart from the database "+
			"(without it the audit trail cannot be verified and the token signing keys cannot be read); "+
			"every process of this deployment must use this same key (docs/audit.md)\n", generated)
	}
	return m, nil
}

// OpenMasterKey loads cfg's master key for a process that uses st, and binds st to it: a
// process with another key than the others would write chains nobody can verify, so it is
// refused (secrets.ErrWrongKey). The default key file is generated only for a database no
// key is bound to yet; a process that lacks the deployment's key configuration fails
// instead of making a key of its own.
func OpenMasterKey(ctx context.Context, cfg Config, st *store.Store, log io.Writer) (*secrets.Master, error) {
	cfg.defaults()
	if cfg.MasterKey == "" && cfg.MasterKeyFile == "" {
		def := filepath.Join(cfg.DataDir, "master.key")
		if _, err := os.Stat(def); errors.Is(err, fs.ErrNotExist) {
			bound, err := secrets.Bound(ctx, st.Client)
			if err != nil {
				return nil, err
			}
			if bound {
				return nil, fmt.Errorf("no master key in %s, but this database is bound to one: give every process "+
					"the deployment's key with --master-key-file or WENMING_MASTER_KEY (docs/audit.md)", def)
			}
		}
	}
	m, err := LoadMasterKey(cfg, log)
	if err != nil {
		return nil, err
	}
	if err := secrets.Bind(ctx, st.Client, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Start starts the process and returns once it is listening.
func Start(ctx context.Context, cfg Config) (_ *App, err error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg}
	defer func() {
		if err != nil {
			a.closeAll()
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	a.group, runCtx = errgroup.WithContext(runCtx)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cfg.Tracing {
		name := "wenming"
		if len(cfg.Run) > 0 {
			name += "-" + strings.Join(cfg.Run, "-")
		}
		flush, err := telemetry.Start(ctx, name, cfg.Version)
		if err != nil {
			return nil, err
		}
		// Closed last (closers run in reverse): the spans of the shutdown itself are sent.
		a.closers = append(a.closers, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return flush(ctx)
		})
	}

	if cfg.DebugAddr != "" {
		if err := a.startDebug(); err != nil {
			return nil, err
		}
	}
	if cfg.MetricsAddr != "" {
		if err := a.startMetrics(reg); err != nil {
			return nil, err
		}
	}
	services := cfg.services()
	if len(services) > 0 {
		if err := a.startServices(ctx, runCtx, services, reg); err != nil {
			return nil, err
		}
	}
	if cfg.runs("gateway") {
		if err := a.startGateway(ctx, services); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *App) startServices(ctx, runCtx context.Context, run []service, reg *prometheus.Registry) error {
	cfg := a.cfg
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil && cfg.Embedded() {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	a.st = st
	a.closers = append(a.closers, st.Close)
	if !cfg.NoMigrate {
		applied, err := st.Migrate(ctx)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			fmt.Fprintf(cfg.Log, "applied migrations: %s\n", strings.Join(applied, ", "))
		}
	}
	r, err := cache.Open(cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		return err
	}
	a.redis = r
	a.closers = append(a.closers, r.Close)
	reg.MustRegister(collectors.NewDBStatsCollector(st.DB, "primary"))
	if cfg.DatabaseReplicaURL != "" {
		err := st.OpenReplica(ctx, cfg.DatabaseReplicaURL, store.ReplicaOptions{
			Positions: cache.NewPositions(r), MaxLag: cfg.ReplicaMaxLag, Registry: reg})
		if err != nil {
			return err
		}
	}

	master, err := OpenMasterKey(ctx, cfg, st, cfg.Log)
	if err != nil {
		return err
	}
	a.master, a.trail = master, audit.NewChain(master, st.Dialect)
	keys, err := auth.NewKeyring(ctx, st, master, a.trail)
	if err != nil {
		return err
	}
	revoked, err := auth.NewRevocations(ctx, st)
	if err != nil {
		return err
	}
	// Tell the other processes about a revocation at once; they still poll as a fallback.
	revoked.Notify(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), time.Second)
		defer cancel()
		_ = r.Publish(ctx, "revocations", "1")
	})
	a.group.Go(func() error { r.Subscribe(runCtx, "revocations", revoked.Wake); return nil })
	a.group.Go(func() error { revoked.Run(runCtx); return nil })
	janitor := newJob(reg, "janitor", "the cleanup of expired tokens, revocations and idempotency records")
	a.group.Go(func() error {
		store.Every(runCtx, 10*time.Minute, func(now time.Time) {
			n, err := st.DeleteExpired(runCtx, now)
			janitor.done(runCtx, n, err)
		})
		return nil
	})
	tokens := auth.NewTokens(keys, revoked)
	if cfg.SessionClock != nil {
		tokens.UseClock(cfg.SessionClock)
		revoked.UseClock(cfg.SessionClock)
	}
	pageKey, err := secretSetting(ctx, st, "page_token_key")
	if err != nil {
		return err
	}
	p := &parts{
		reg: reg, st: st, keys: keys, tokens: tokens, revoked: revoked, limits: cache.NewLimiter(r),
		pages: pagetoken.New(pageKey), trail: a.trail,
		files: evidence.Limits{FileBytes: cfg.MaxFileBytes, ApplicationBytes: cfg.MaxApplicationBytes}, clock: cfg.Clock,
		master: master, cfg: cfg,
	}
	if cfg.runs("evidence") {
		blobs, err := blob.Open(ctx, cfg.BlobURL, cfg.DataDir)
		if err != nil {
			return fmt.Errorf("blob store: %w", err)
		}
		p.blobs = blobs
		a.closers = append(a.closers, blobs.Close)
	}
	srv, err := rpc.NewServer(rpc.Options{Tokens: tokens, Registry: reg, TrustedProxies: cfg.TrustedProxies, Store: st, Tracing: cfg.Tracing}, func(s *grpc.Server) {
		for _, svc := range run {
			svc.register(s, p)
		}
	})
	if err != nil {
		return err
	}
	a.grpc = srv
	if p.evidence != nil {
		sweeper := newJob(reg, "evidence_sweeper", "the removal of abandoned uploads and unreferenced evidence files")
		a.group.Go(func() error {
			store.Every(runCtx, 10*time.Minute, func(now time.Time) {
				swept, err := p.evidence.SweepBlobs(runCtx, now)
				sweeper.done(runCtx, swept.Temporaries+swept.Blobs, err)
			})
			return nil
		})
	}
	if p.notify != nil {
		a.group.Go(func() error { p.notify.Run(runCtx); return nil })
	}
	if p.tenancy != nil {
		if err := a.bootstrap(ctx); err != nil {
			return err
		}
	}
	if cfg.Demo {
		if err := a.loadDemo(ctx, p.tenancy, p.standards); err != nil {
			return err
		}
	}
	lis, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return fmt.Errorf("grpc listen %s: %w", cfg.GRPCAddr, err)
	}
	a.GRPCAddr = lis.Addr().String()
	a.group.Go(func() error { return srv.Serve(lis) })
	if cfg.runs("gateway") {
		a.inproc = bufconn.Listen(1 << 20)
		a.group.Go(func() error { return srv.Serve(a.inproc) })
	}
	a.group.Go(func() error { a.watchDatabase(runCtx); return nil })
	names := make([]string, len(run))
	for i, svc := range run {
		names[i] = svc.Name
	}
	fmt.Fprintf(cfg.Log, "gRPC services %s listening on %s\n", strings.Join(names, ", "), a.GRPCAddr)
	return nil
}

// watchDatabase keeps the health status in step with the database, so load balancers and
// /readyz stop sending work to a process whose database is gone.
func (a *App) watchDatabase(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	serving := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := a.st.Ping(pctx)
		cancel()
		if ok := err == nil; ok != serving && ctx.Err() == nil {
			serving = ok
			status := healthpb.HealthCheckResponse_SERVING
			if !ok {
				status = healthpb.HealthCheckResponse_NOT_SERVING
				slog.Warn("database unreachable", "err", err)
			}
			a.grpc.Health.SetServingStatus("", status)
		}
	}
}

func (a *App) startGateway(ctx context.Context, local []service) error {
	cfg := a.cfg
	gc := gateway.Config{Services: gatewayServices(), Upstreams: map[string]string{}, TrustedProxies: cfg.TrustedProxies, Tracing: cfg.Tracing}
	for _, svc := range services {
		gc.Upstreams[svc.Name] = DefaultUpstream(svc.Name)
		if addr, ok := cfg.Upstreams[svc.Name]; ok {
			gc.Upstreams[svc.Name] = addr
		}
	}
	for _, svc := range local {
		gc.Upstreams[svc.Name] = gateway.InProcess
	}
	if a.inproc != nil {
		gc.Dial = func(ctx context.Context, _ string) (net.Conn, error) { return a.inproc.DialContext(ctx) }
	}
	if a.st != nil {
		gc.Ready = a.st.Ping
	}
	gw, err := gateway.New(ctx, gc)
	if err != nil {
		return err
	}
	a.gw = gw
	lis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http listen %s: %w", cfg.HTTPAddr, err)
	}
	a.HTTPAddr = lis.Addr().String()
	a.http = &http.Server{
		Handler:           gw,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	a.group.Go(func() error {
		if err := a.http.Serve(lis); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	fmt.Fprintf(cfg.Log, "REST gateway listening on http://%s (API docs at /docs)\n", Dialable(a.HTTPAddr))
	return nil
}

func (a *App) startDebug() error {
	lis, err := net.Listen("tcp", a.cfg.DebugAddr)
	if err != nil {
		return fmt.Errorf("debug listen %s: %w", a.cfg.DebugAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.closers = append(a.closers, srv.Close)
	go func() { _ = srv.Serve(lis) }()
	fmt.Fprintf(a.cfg.Log, "profiler on http://%s/debug/pprof/\n", lis.Addr())
	return nil
}

func (a *App) startMetrics(reg *prometheus.Registry) error {
	lis, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics listen %s: %w", a.cfg.MetricsAddr, err)
	}
	a.MetricsAddr = lis.Addr().String()
	mux := http.NewServeMux()
	// A collector that fails (the outbox's, while the database is away) loses its own
	// figures, not the scrape: the process's other metrics still say what is wrong.
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.closers = append(a.closers, srv.Close)
	go func() { _ = srv.Serve(lis) }()
	fmt.Fprintf(a.cfg.Log, "metrics on http://%s/metrics\n", Dialable(a.MetricsAddr))
	return nil
}

// Dialable turns a listen address (":9090", "0.0.0.0:9090") into one a client on this
// machine can dial.
func Dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// bootstrap creates the first platform admin on the first start: from
// WENMING_BOOTSTRAP_ADMIN_PASSWORD when set, else (embedded default only) with a random
// password written once to <data dir>/initial-admin-password.
func (a *App) bootstrap(ctx context.Context) error {
	cfg := a.cfg
	exists, err := a.st.Client.User.Query().Where(user.Platform(true)).Exist(store.System(ctx))
	if err != nil || exists {
		return err
	}
	password := cfg.AdminPassword
	file := ""
	if password == "" {
		if !cfg.Embedded() {
			fmt.Fprintln(cfg.Log, "no platform admin yet: run `wenming admin bootstrap --login admin --password-stdin`")
			return nil
		}
		password = auth.RandomToken(18)
		file = filepath.Join(cfg.DataDir, "initial-admin-password")
		if err := os.WriteFile(file, []byte(password+"\n"), 0o600); err != nil {
			return err
		}
	}
	err = tenancy.Bootstrap(ctx, a.st, a.trail, cfg.AdminLogin, password)
	if errors.Is(err, tenancy.ErrAdminExists) {
		return nil // another replica got there first
	}
	if err != nil {
		return err
	}
	if file != "" {
		fmt.Fprintf(cfg.Log, "created platform admin %q; its password is in %s (read it once, then delete the file)\n", cfg.AdminLogin, file)
	} else {
		fmt.Fprintf(cfg.Log, "created platform admin %q from WENMING_BOOTSTRAP_ADMIN_PASSWORD\n", cfg.AdminLogin)
	}
	return nil
}

// secretSetting returns a random secret stored under name, making it on first use.
func secretSetting(ctx context.Context, st *store.Store, name string) ([]byte, error) {
	sys := store.System(ctx)
	s, err := st.Client.Setting.Get(sys, name)
	if err == nil {
		return s.Value, nil
	}
	if !ent.IsNotFound(err) {
		return nil, err
	}
	v := make([]byte, 32)
	if _, err := rand.Read(v); err != nil {
		return nil, err
	}
	err = st.Client.Setting.Create().SetID(name).SetValue(v).OnConflictColumns(setting.FieldID).DoNothing().Exec(sys)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	s, err = st.Client.Setting.Get(sys, name)
	if err != nil {
		return nil, err
	}
	return s.Value, nil
}

// Wait blocks until the process fails or ctx ends, then shuts down.
func (a *App) Wait(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- a.group.Wait() }()
	select {
	case <-ctx.Done():
		return a.Shutdown()
	case err := <-done:
		_ = a.Shutdown()
		return err
	}
}

// Shutdown stops the process gracefully within the configured deadline, in the order that
// loses no accepted request: health goes NOT_SERVING (load balancers and /readyz stop
// sending work), the HTTP server stops accepting and drains its requests (which still
// reach the local services through the in-memory connection), then gRPC drains its own
// calls, and only then are the stores closed.
func (a *App) Shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if a.grpc != nil {
		a.grpc.Health.Shutdown()
	}
	var errs []error
	if a.http != nil {
		if err := a.http.Shutdown(ctx); err != nil {
			// Out of time: close what is left rather than close the stores under it.
			errs = append(errs, err, a.http.Close())
		}
	}
	if a.grpc != nil {
		stopped := make(chan struct{})
		go func() { a.grpc.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-ctx.Done():
			a.grpc.Stop()
		}
	}
	a.cancel()
	_ = a.group.Wait()
	errs = append(errs, a.closeAll())
	return errors.Join(errs...)
}

func (a *App) closeAll() error {
	var errs []error
	if a.gw != nil {
		errs = append(errs, a.gw.Close())
		a.gw = nil
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// Store returns the process's store (nil for a gateway-only process).
func (a *App) Store() *store.Store { return a.st }

// Audit returns the process's audit chain (nil for a gateway-only process).
func (a *App) Audit() *audit.Chain { return a.trail }

// Redis returns the process's Redis connection (nil for a gateway-only process).
func (a *App) Redis() *cache.Redis { return a.redis }

// MasterKey returns the process's master key (nil for a gateway-only process), for
// in-process tooling and tests that must read what it protects.
func (a *App) MasterKey() *secrets.Master { return a.master }

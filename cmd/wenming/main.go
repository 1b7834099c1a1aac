// Command wenming is the one binary of the Wenming platform: `wenming serve` runs every
// service and the REST gateway; `wenming serve tenancy review` or `wenming serve gateway`
// runs a subset; `migrate`, `admin`, `audit` and `check` are the operator commands.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	_ "time/tzdata" // office time zones resolve on machines without a zoneinfo database

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/gateway"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/telemetry"
	"github.com/wenming-platform/wenming/services/tenancy"
)

func main() {
	if err := newRoot().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "wenming:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envInt reads a byte count from the environment: 0 when unset, and -1 when it is not a
// number, which Config.Validate refuses with the setting named.
func envInt(name string) int64 {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// envDuration reads a duration from the environment: 0 when unset, and -1 when it does
// not parse, which Config.Validate refuses with the setting named.
func envDuration(name string) time.Duration {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return -1
	}
	return d
}

func newRoot() *cobra.Command {
	cfg := &app.Config{}
	def := app.DefaultConfig()
	root := &cobra.Command{
		Use:           "wenming",
		Short:         "Wenming (文明): assessment of civilized units for civilization offices",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&cfg.DatabaseURL, "database-url", env("WENMING_DATABASE_URL", ""), "postgres://… or a SQLite file path (default <data-dir>/wenming.db) [WENMING_DATABASE_URL]")
	pf.StringVar(&cfg.DatabaseReplicaURL, "database-replica-url", env("WENMING_DATABASE_REPLICA_URL", ""), "postgres://… of a streaming read replica of the database: lists, rankings, summaries and exports read from it (docs/operations.md) [WENMING_DATABASE_REPLICA_URL]")
	pf.StringVar(&cfg.RedisURL, "redis-url", env("WENMING_REDIS_URL", ""), "redis://host:port/db; empty runs an in-process server [WENMING_REDIS_URL]")
	pf.StringVar(&cfg.RedisPrefix, "redis-prefix", env("WENMING_REDIS_PREFIX", def.RedisPrefix), "start of every Redis key, to share one server [WENMING_REDIS_PREFIX]")
	pf.StringVar(&cfg.DataDir, "data-dir", env("WENMING_DATA_DIR", def.DataDir), "directory of the embedded database, blobs and generated secrets [WENMING_DATA_DIR]")
	pf.StringVar(&cfg.MasterKeyFile, "master-key-file", env("WENMING_MASTER_KEY_FILE", ""), "file holding the base64 platform master key, the same for every process; default <data-dir>/master.key, generated on first start; or give the key itself in WENMING_MASTER_KEY [WENMING_MASTER_KEY_FILE]")
	cfg.MasterKey = os.Getenv("WENMING_MASTER_KEY")
	verbose := pf.Bool("verbose", env("WENMING_LOG_LEVEL", "") == "debug", "log every RPC [WENMING_LOG_LEVEL=debug]")
	logFormat := pf.String("log-format", env("WENMING_LOG_FORMAT", "text"), "log lines as text or json (for log collectors; lines carry request and trace ids) [WENMING_LOG_FORMAT]")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		level := slog.LevelInfo
		if *verbose {
			level = slog.LevelDebug
		}
		l, err := telemetry.NewLogger(os.Stderr, *logFormat, level)
		if err != nil {
			return fmt.Errorf("--log-format: %w", err)
		}
		slog.SetDefault(l)
		return nil
	}
	root.AddCommand(serveCmd(cfg), migrateCmd(cfg), adminCmd(cfg), auditCmd(cfg), checkCmd(cfg), seedCmd(cfg), versionCmd(), healthcheckCmd(), openapiCmd())
	return root
}

func serveCmd(cfg *app.Config) *cobra.Command {
	def := app.DefaultConfig()
	var upstreams []string
	var trusted []string
	var noMigrate bool
	var webhookAllow []string
	names := app.Services()
	c := &cobra.Command{
		Use:   "serve [" + strings.Join(names, "|") + "|gateway]...",
		Short: "Run the services and the REST gateway (all of them when none is named)",
		Long: `Run Wenming. With no arguments everything runs in one process. Naming services runs only
those: "wenming serve tenancy standards" runs two gRPC services; "wenming serve gateway" runs the
REST gateway against the upstreams given with --upstream or WENMING_<SERVICE>_ADDR, by default
each service's own port on this machine. A process running one service alone listens on that
service's port (` + ports() + `).`,
		ValidArgs: append(names, "gateway"),
		Args:      cobra.OnlyValidArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Run = args
			cfg.NoMigrate = noMigrate
			cfg.AdminPassword = os.Getenv("WENMING_BOOTSTRAP_ADMIN_PASSWORD")
			cfg.Upstreams = map[string]string{}
			for _, s := range names {
				if v := os.Getenv("WENMING_" + strings.ToUpper(s) + "_ADDR"); v != "" {
					cfg.Upstreams[s] = v
				}
			}
			for _, u := range upstreams {
				name, addr, ok := strings.Cut(u, "=")
				if !ok {
					return fmt.Errorf("--upstream %q: want SERVICE=HOST:PORT with SERVICE one of %s", u, strings.Join(names, ", "))
				}
				cfg.Upstreams[name] = addr
			}
			for _, t := range trusted {
				_, n, err := net.ParseCIDR(strings.TrimSpace(t))
				if err != nil {
					return fmt.Errorf("--trusted-proxy %q: %w", t, err)
				}
				cfg.TrustedProxies = append(cfg.TrustedProxies, n)
			}
			for _, t := range webhookAllow {
				_, n, err := net.ParseCIDR(strings.TrimSpace(t))
				if err != nil {
					return fmt.Errorf("--webhook-allow %q: %w", t, err)
				}
				cfg.WebhookAllow = append(cfg.WebhookAllow, n)
			}
			cfg.Log = cmd.OutOrStdout()
			cfg.Tracing = telemetry.Enabled()
			cfg.Version = buildVersion()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			a, err := app.Start(ctx, *cfg)
			if err != nil {
				return err
			}
			if a.HTTPAddr != "" {
				printWelcome(cmd.OutOrStdout(), a, cfg)
			}
			return a.Wait(ctx)
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.HTTPAddr, "http-addr", env("WENMING_HTTP_ADDR", def.HTTPAddr), "REST gateway listen address [WENMING_HTTP_ADDR]")
	f.StringVar(&cfg.GRPCAddr, "grpc-addr", env("WENMING_GRPC_ADDR", ""), "gRPC listen address; default :9090, or the service's own port when one service runs alone [WENMING_GRPC_ADDR]")
	f.StringArrayVar(&upstreams, "upstream", nil, "SERVICE=HOST:PORT of a service this process does not run [WENMING_<SERVICE>_ADDR]")
	var trustedDefault []string
	if v := env("WENMING_TRUSTED_PROXIES", ""); v != "" {
		trustedDefault = strings.Split(v, ",")
	}
	f.StringArrayVar(&trusted, "trusted-proxy", trustedDefault, "CIDR of gateways whose X-Forwarded-For is trusted; loopback always is [WENMING_TRUSTED_PROXIES, comma-separated]")
	var webhookAllowDefault []string
	if v := env("WENMING_WEBHOOK_ALLOW", ""); v != "" {
		webhookAllowDefault = strings.Split(v, ",")
	}
	f.StringArrayVar(&webhookAllow, "webhook-allow", webhookAllowDefault, "CIDR of a private network webhooks may reach (by default loopback, link-local and private addresses are refused) [WENMING_WEBHOOK_ALLOW, comma-separated]")
	f.BoolVar(&cfg.Demo, "demo", env("WENMING_DEMO", "") != "", "on the first start, load a demo province, city, district and unit with accounts, the example standard and an open campaign [WENMING_DEMO]")
	f.StringVar(&cfg.DebugAddr, "debug-addr", env("WENMING_DEBUG_ADDR", ""), "serve Go profiles (/debug/pprof/) here; keep it on loopback [WENMING_DEBUG_ADDR]")
	f.StringVar(&cfg.MetricsAddr, "metrics-addr", env("WENMING_METRICS_ADDR", ""), "serve Prometheus metrics (/metrics) here, apart from the API port [WENMING_METRICS_ADDR]")
	f.StringVar(&cfg.BlobURL, "blob-url", env("WENMING_BLOB_URL", ""), "where evidence files are kept: a directory, or s3://bucket/prefix?endpoint=URL&region=R (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); default <data-dir>/blobs [WENMING_BLOB_URL]")
	f.Int64Var(&cfg.MaxFileBytes, "max-file-bytes", envInt("WENMING_MAX_FILE_BYTES"), "largest evidence file in bytes; 0 means 50 MiB [WENMING_MAX_FILE_BYTES]")
	f.Int64Var(&cfg.MaxApplicationBytes, "max-application-bytes", envInt("WENMING_MAX_APPLICATION_BYTES"), "most bytes of files per application; 0 means 2 GiB [WENMING_MAX_APPLICATION_BYTES]")
	f.DurationVar(&cfg.ReplicaMaxLag, "replica-max-lag", envDuration("WENMING_REPLICA_MAX_LAG"), "staleness of the read replica beyond which reads go to the primary; 0 means 30s [WENMING_REPLICA_MAX_LAG]")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", envDuration("WENMING_SHUTDOWN_TIMEOUT"), "how long a stopping process drains its requests; 0 means 20s [WENMING_SHUTDOWN_TIMEOUT]")
	f.BoolVar(&noMigrate, "no-migrate", env("WENMING_NO_MIGRATE", "") != "", "do not apply migrations on start [WENMING_NO_MIGRATE]")
	return c
}

func printWelcome(w io.Writer, a *app.App, cfg *app.Config) {
	host := a.HTTPAddr
	if h, p, err := net.SplitHostPort(host); err == nil && (h == "" || h == "::" || h == "0.0.0.0") {
		host = "localhost:" + p
	}
	c := cfg.Resolved()
	login := c.AdminLogin
	pw := "<password>"
	if file := filepath.Join(c.DataDir, "initial-admin-password"); fileExists(file) {
		pw = "$(cat " + file + ")"
	}
	fmt.Fprintf(w, `
Wenming is running. Log in as the platform admin:
  curl -s -X POST http://%[1]s/v1/auth/login -H 'Content-Type: application/json' \
    -d "{\"login\":\"%[2]s\",\"password\":\"%[3]s\"}"
API docs: http://%[1]s/docs   Stop with Ctrl-C.
`, host, login, pw)
}

func openStore(cmd *cobra.Command, cfg *app.Config) (*store.Store, error) {
	return store.Open(cmd.Context(), cfg.Resolved().DatabaseURL)
}

func migrateCmd(cfg *app.Config) *cobra.Command {
	var timeout time.Duration
	wait := &cobra.Command{
		Use:   "wait [--timeout D]",
		Short: "Wait until the database has every migration this binary knows (for services started with --no-migrate)",
		Long: `Wait polls the database every two seconds until it has applied every migration this binary
embeds, then exits 0; it changes nothing. Started before a service that runs with --no-migrate
(an init container in Kubernetes), it holds the service back while the migration job runs, so a
new version never serves on an old schema. It exits 1 when the timeout passes first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return waitMigrated(cmd, cfg, timeout)
		},
	}
	wait.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "give up after this long")
	c := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the versioned database migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			applied, err := st.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "the database is up to date")
			}
			for _, m := range applied {
				fmt.Fprintln(cmd.OutOrStdout(), "applied", m)
			}
			return nil
		},
	}
	c.AddCommand(wait)
	return c
}

func waitMigrated(cmd *cobra.Command, cfg *app.Config, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	out := cmd.OutOrStdout()
	var last string
	for {
		st, err := store.Open(ctx, cfg.Resolved().DatabaseURL)
		var pending []string
		if err == nil {
			pending, err = st.Pending(ctx)
			st.Close()
		}
		switch {
		case err == nil && len(pending) == 0:
			fmt.Fprintln(out, "the database is up to date")
			return nil
		case err == nil:
			err = fmt.Errorf("%d migration(s) not applied yet, the first %s", len(pending), pending[0])
		}
		if msg := err.Error(); msg != last {
			fmt.Fprintln(out, "waiting:", msg)
			last = msg
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the database was not migrated within %v: %w", timeout, err)
		case <-time.After(2 * time.Second):
		}
	}
}

// version is the release, stamped at build time: -ldflags "-X main.version=v1.2.3".
var version string

// buildVersion is version, or else what the Go toolchain recorded of the build: the
// module version, or the commit of a build from a checkout.
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of this build",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "wenming %s %s %s/%s\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

func openapiCmd() *cobra.Command {
	var v2 bool
	var out string
	c := &cobra.Command{
		Use:   "openapi",
		Short: "Print the REST API's OpenAPI 3 document (the console's typed client is generated from it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			docs, err := gateway.Documents()
			if err != nil {
				return err
			}
			doc := docs.V3
			if v2 {
				doc = docs.V2
			}
			if out != "" {
				return os.WriteFile(out, doc, 0o644)
			}
			_, err = cmd.OutOrStdout().Write(doc)
			return err
		},
	}
	c.Flags().BoolVar(&v2, "v2", false, "print the Swagger 2 document (/openapi.json) instead")
	c.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return c
}

func healthcheckCmd() *cobra.Command {
	var grpcAddr, httpURL string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "healthcheck [--grpc HOST:PORT | --http URL]",
		Short: "Exit 0 when the local process is serving (a container health check that needs no shell)",
		Long: `Healthcheck asks a running process whether it serves: by default the gRPC health service on
127.0.0.1:9090 (NOT_SERVING while the database is unreachable or the process is draining); with
--http, a URL such as http://127.0.0.1:8080/readyz, which must answer 200. It prints the answer
and exits 0 when serving, 1 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if httpURL != "" {
				return checkHTTP(ctx, cmd.OutOrStdout(), httpURL)
			}
			return checkGRPC(ctx, cmd.OutOrStdout(), grpcAddr)
		},
	}
	c.Flags().StringVar(&grpcAddr, "grpc", app.Dialable(env("WENMING_GRPC_ADDR", ":9090")), "address of the gRPC health service [WENMING_GRPC_ADDR, on loopback]")
	c.Flags().StringVar(&httpURL, "http", "", "check this URL instead (for the gateway: http://127.0.0.1:8080/readyz)")
	c.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "give up after this long")
	return c
}

func checkGRPC(ctx context.Context, out io.Writer, addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("%s: %w", addr, err)
	}
	fmt.Fprintln(out, addr, resp.GetStatus())
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("%s is %s", addr, resp.GetStatus())
	}
	return nil
}

func checkHTTP(ctx context.Context, out io.Writer, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintln(out, url, resp.Status)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}

func seedCmd(cfg *app.Config) *cobra.Command {
	var o app.SeedOptions
	c := &cobra.Command{
		Use:   "seed",
		Short: "Fill an empty database with a synthetic province for benchmarks and demos",
		Long: `Seed migrates the database and fills it, if it holds no office yet, with a synthetic
province: its cities and districts, --units units, a published 100-indicator standard, the
province's campaign in REVIEW with every unit's application and evidence, three reviewers'
finalized score sheets, results and ranking (docs/review.md). The same --seed gives the same
data. It prints the accounts it made, with their passwords.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			trail, _, err := keyed(cmd, cfg, st)
			if err != nil {
				return err
			}
			o.Progress = cmd.ErrOrStderr()
			if f, ok := o.Progress.(*os.File); ok {
				o.Terminal = term.IsTerminal(int(f.Fd()))
			}
			rep, err := app.Seed(cmd.Context(), st, trail, o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "seeded %d units: %d rows in bulk in %s (%.0f rows/s), %s in all\n", o.Units, rep.Rows,
				rep.Bulk.Round(time.Millisecond), float64(rep.Rows)/rep.Bulk.Seconds(), rep.Total.Round(time.Millisecond))
			fmt.Fprintf(out, "province %s\ncampaign %s (REVIEW)\nstandard %s\naccounts (login or client id, password or secret):\n", rep.Province, rep.Campaign, rep.Standard)
			for _, a := range rep.Accounts {
				fmt.Fprintln(out, "  "+a)
			}
			return nil
		},
	}
	c.Flags().IntVar(&o.Units, "units", 20000, "applicant units")
	c.Flags().IntVar(&o.Cities, "cities", 10, "cities under the province")
	c.Flags().IntVar(&o.Districts, "districts", 10, "districts under each city")
	c.Flags().Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed gives the same data")
	c.Flags().IntVar(&o.Year, "year", 0, "the campaign's year (default this year)")
	return c
}

func adminCmd(cfg *app.Config) *cobra.Command {
	admin := &cobra.Command{Use: "admin", Short: "Platform operations"}
	var login string
	var stdin bool
	boot := &cobra.Command{
		Use:   "bootstrap --login L --password-stdin",
		Short: "Create the first platform admin (refused when one exists)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !stdin {
				return errors.New("give the password on standard input with --password-stdin")
			}
			line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			password := strings.TrimRight(line, "\r\n")
			st, err := openStore(cmd, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			trail, _, err := keyed(cmd, cfg, st)
			if err != nil {
				return err
			}
			if err := tenancy.Bootstrap(cmd.Context(), st, trail, login, password); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created platform admin %q\n", login)
			return nil
		},
	}
	boot.Flags().StringVar(&login, "login", app.DefaultConfig().AdminLogin, "login of the platform admin")
	boot.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input")
	rotate := &cobra.Command{
		Use:   "rotate-keys",
		Short: "Start signing tokens with a new key; tokens signed by the old one stay valid until they expire",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			trail, master, err := keyed(cmd, cfg, st)
			if err != nil {
				return err
			}
			kid, err := auth.Rotate(cmd.Context(), st, master, trail)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "new signing key %s; running services pick it up within a minute\n", kid)
			return nil
		},
	}
	var unitID, reason string
	unlock := &cobra.Command{
		Use:   "unlock --login L [--password-stdin]",
		Short: "Clear an account's login lockout; with a new password on standard input, also set it and end its sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			password := ""
			if stdin {
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return err
				}
				password = strings.TrimRight(line, "\r\n")
			}
			ten, done, err := operator(cmd, cfg)
			if err != nil {
				return err
			}
			defer done()
			if err := ten.Unlock(cmd.Context(), login, password); err != nil {
				return err
			}
			if cfg.RedisURL == "" {
				fmt.Fprintln(cmd.OutOrStdout(), "note: the embedded server keeps its login counters in its own memory; restart `wenming serve` to clear them")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "unlocked %q\n", login)
			return nil
		},
	}
	unlock.Flags().StringVar(&login, "login", app.DefaultConfig().AdminLogin, "login of the locked-out account")
	unlock.Flags().BoolVar(&stdin, "password-stdin", false, "also set a new password, read from standard input")
	release := &cobra.Command{
		Use:   "release-credit-code --unit ID --reason TEXT",
		Short: "Release a credit code registered by the wrong office, so its rightful office can register it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ten, done, err := operator(cmd, cfg)
			if err != nil {
				return err
			}
			defer done()
			code, err := ten.ReleaseCreditCode(cmd.Context(), unitID, reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "released %s from unit %s\n", code, unitID)
			return nil
		},
	}
	release.Flags().StringVar(&unitID, "unit", "", "id of the unit that registered the code")
	release.Flags().StringVar(&reason, "reason", "", "why (the documents checked); recorded in the trail")
	admin.AddCommand(boot, rotate, unlock, release)
	return admin
}

// operator opens what platform operations from the command line need: the store, the
// trail under the services' master key, revocations and the shared login counters.
func operator(cmd *cobra.Command, cfg *app.Config) (*tenancy.Server, func(), error) {
	st, err := openStore(cmd, cfg)
	if err != nil {
		return nil, nil, err
	}
	trail, _, err := keyed(cmd, cfg, st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	revoked, err := auth.NewRevocations(cmd.Context(), st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	r, err := cache.Open(cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	ten := tenancy.NewServer(tenancy.Deps{Store: st, Revocations: revoked, Limiter: cache.NewLimiter(r), Audit: trail})
	return ten, func() { _ = r.Close(); _ = st.Close() }, nil
}

// keyed loads the master key (generating the default one only for a database bound to
// none yet) and binds the database to it, refusing a key that is not the services' one.
func keyed(cmd *cobra.Command, cfg *app.Config, st *store.Store) (*audit.Chain, *secrets.Master, error) {
	m, err := app.OpenMasterKey(cmd.Context(), *cfg, st, cmd.ErrOrStderr())
	if err != nil {
		return nil, nil, err
	}
	return audit.NewChain(m, st.Dialect), m, nil
}

func auditCmd(cfg *app.Config) *cobra.Command {
	a := &cobra.Command{Use: "audit", Short: "Audit trail operations"}
	var checkpoints []string
	verify := &cobra.Command{
		Use:   "verify [--checkpoint FILE]...",
		Short: "Check every office's audit chain, and kept checkpoints against it",
		Long: `Check every office's audit chain (HMAC-SHA256 under a key derived from the master key)
and report the first broken link of each, and every chain that is missing. With --checkpoint,
also check checkpoints that offices kept (the JSON of GET /v1/offices/{office_id}/audit-checkpoint,
one object or an array per file): signed with this deployment's key, and the chain still holds
the event each one saw, so a chain truncated below a kept head is reported. The master key
must be the one the services use (docs/audit.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd, cfg, checkpoints)
		},
	}
	verify.Flags().StringArrayVar(&checkpoints, "checkpoint", nil, "a kept checkpoint file (JSON object or array), repeatable")
	a.AddCommand(verify)
	return a
}

// existingKey loads the services' master key for a command that only reads with it
// (audit verify, check): it never makes one, so the default key file must exist.
func existingKey(cmd *cobra.Command, cfg *app.Config) (*secrets.Master, error) {
	c := *cfg
	if c.MasterKey == "" && c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.Resolved().DataDir, "master.key")
	}
	m, err := app.LoadMasterKey(c, cmd.ErrOrStderr())
	if err != nil {
		return nil, fmt.Errorf("%w (give the services' master key with --master-key-file or WENMING_MASTER_KEY)", err)
	}
	return m, nil
}

func runVerify(cmd *cobra.Command, cfg *app.Config, files []string) error {
	m, err := existingKey(cmd, cfg)
	if err != nil {
		return err
	}
	var cps []*tenancyv1.AuditCheckpoint
	var from []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		parsed, err := audit.ParseCheckpoints(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for range parsed {
			from = append(from, f)
		}
		cps = append(cps, parsed...)
	}
	st, err := openStore(cmd, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := secrets.Check(cmd.Context(), st.Client, m); err != nil {
		return err
	}
	trail := audit.NewChain(m, st.Dialect)
	out := cmd.OutOrStdout()
	breaks, n, err := trail.Verify(cmd.Context(), st.Client)
	if err != nil {
		return err
	}
	for _, b := range breaks {
		if b.EventID == "" {
			fmt.Fprintf(out, "BROKEN office %s: %s\n", b.OfficeID, b.Reason)
			continue
		}
		fmt.Fprintf(out, "BROKEN office %s at sequence %d (event %s): %s\n", b.OfficeID, b.Sequence, b.EventID, b.Reason)
	}
	failed := 0
	for i, cp := range cps {
		what := fmt.Sprintf("checkpoint %s: office %s sequence %d of %s", from[i], cp.GetOfficeId(), cp.GetSequence(),
			cp.GetTime().AsTime().Format(time.RFC3339))
		if err := trail.CheckCheckpoint(cmd.Context(), st.Client, cp); err != nil {
			failed++
			fmt.Fprintf(out, "FAILED %s: %v\n", what, err)
			continue
		}
		fmt.Fprintf(out, "ok %s\n", what)
	}
	if len(breaks) > 0 || failed > 0 {
		return fmt.Errorf("%d broken chain(s) among %d events, %d of %d checkpoint(s) failed", len(breaks), n, failed, len(cps))
	}
	fmt.Fprintf(out, "ok: %d events, every chain intact", n)
	if len(cps) > 0 {
		fmt.Fprintf(out, "; %d checkpoint(s) hold", len(cps))
	}
	fmt.Fprintln(out)
	return nil
}

func checkCmd(cfg *app.Config) *cobra.Command {
	var asJSON bool
	var examples int
	blobURL := env("WENMING_BLOB_URL", "")
	c := &cobra.Command{
		Use:   "check [--json]",
		Short: "Check the data's invariants (files, idempotency, transitions, audit chains, results, tenancy), changing nothing",
		Long: `Check reads the database and the blob store and verifies, changing nothing: every evidence
file against its blob (size and SHA-256), every idempotency record against what it created,
every application's and campaign's state against its audit trail, every office's audit chain,
every result against a recompute by the scoring engine and the ranks against its order, and
the tenancy path of every tenant-owned row. It reports each check with what it examined and
the violations it found, and exits 1 when there is any. --json prints the report as JSON
(app.CheckReport). The master key must be the one the services use (docs/operations.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd, cfg, blobURL, examples, asJSON)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	c.Flags().IntVar(&examples, "examples", app.MaxExamples, "violations listed per check (all are counted)")
	c.Flags().StringVar(&blobURL, "blob-url", blobURL, "where evidence files are kept, as for serve; default <data-dir>/blobs [WENMING_BLOB_URL]")
	return c
}

// runCheck is `wenming check`.
func runCheck(cmd *cobra.Command, cfg *app.Config, blobURL string, examples int, asJSON bool) error {
	m, err := existingKey(cmd, cfg)
	if err != nil {
		return err
	}
	st, err := openStore(cmd, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := secrets.Check(cmd.Context(), st.Client, m); err != nil {
		return err
	}
	blobs, err := blob.Open(cmd.Context(), blobURL, cfg.Resolved().DataDir)
	if err != nil {
		return err
	}
	defer blobs.Close()
	rep, err := app.Check(cmd.Context(), st, blobs, audit.NewChain(m, st.Dialect), app.CheckOptions{MaxExamples: examples})
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(out)
	}
	if !rep.OK {
		failed := 0
		for _, r := range rep.Checks {
			if !r.OK {
				failed++
			}
		}
		return fmt.Errorf("%d of %d checks failed", failed, len(rep.Checks))
	}
	return nil
}

// ports lists each service's own port, for the help text.
func ports() string {
	var out []string
	for _, s := range app.Services() {
		out = append(out, s+" "+strings.TrimPrefix(app.DefaultUpstream(s), "127.0.0.1:"))
	}
	return strings.Join(out, ", ")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Command wenming is the one binary of the Wenming platform: `wenming serve` runs every
// service and the REST gateway; `wenming serve tenancy review` or `wenming serve gateway`
// runs a subset; `migrate`, `admin` and `audit` are the operator commands.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	_ "time/tzdata" // office time zones resolve on machines without a zoneinfo database

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/store"
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

func newRoot() *cobra.Command {
	cfg := &app.Config{}
	root := &cobra.Command{
		Use:           "wenming",
		Short:         "Wenming (文明): assessment of civilized units for civilization offices",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&cfg.DatabaseURL, "database-url", env("WENMING_DATABASE_URL", ""), "postgres://… or a SQLite file path (default <data-dir>/wenming.db) [WENMING_DATABASE_URL]")
	pf.StringVar(&cfg.RedisURL, "redis-url", env("WENMING_REDIS_URL", ""), "redis://host:port/db; empty runs an in-process server [WENMING_REDIS_URL]")
	pf.StringVar(&cfg.RedisPrefix, "redis-prefix", env("WENMING_REDIS_PREFIX", "wenming:"), "start of every Redis key, to share one server [WENMING_REDIS_PREFIX]")
	pf.StringVar(&cfg.DataDir, "data-dir", env("WENMING_DATA_DIR", "wenming-data"), "directory of the embedded database, blobs and generated secrets [WENMING_DATA_DIR]")
	verbose := pf.Bool("verbose", env("WENMING_LOG_LEVEL", "") == "debug", "log every RPC [WENMING_LOG_LEVEL=debug]")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		level := slog.LevelInfo
		if *verbose {
			level = slog.LevelDebug
		}
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	}
	root.AddCommand(serveCmd(cfg), migrateCmd(cfg), adminCmd(cfg), auditCmd(cfg))
	return root
}

func serveCmd(cfg *app.Config) *cobra.Command {
	var upstreams []string
	var trusted []string
	var noMigrate bool
	c := &cobra.Command{
		Use:   "serve [tenancy|standards|evidence|review|gateway]...",
		Short: "Run the services and the REST gateway (all of them when none is named)",
		Long: `Run Wenming. With no arguments everything runs in one process. Naming services runs only
those: "wenming serve tenancy standards" runs two gRPC services; "wenming serve gateway" runs the
REST gateway against the upstreams given with --upstream or WENMING_<SERVICE>_ADDR.`,
		ValidArgs: append(slices.Clone(app.Services), "gateway"),
		Args:      cobra.OnlyValidArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Run = args
			cfg.NoMigrate = noMigrate
			cfg.AdminPassword = os.Getenv("WENMING_BOOTSTRAP_ADMIN_PASSWORD")
			cfg.Upstreams = map[string]string{}
			for _, s := range app.Services {
				if v := os.Getenv("WENMING_" + strings.ToUpper(s) + "_ADDR"); v != "" {
					cfg.Upstreams[s] = v
				}
			}
			for _, u := range upstreams {
				name, addr, ok := strings.Cut(u, "=")
				if !ok || !slices.Contains(app.Services, name) {
					return fmt.Errorf("--upstream %q: want SERVICE=HOST:PORT with SERVICE one of %s", u, strings.Join(app.Services, ", "))
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
			cfg.Log = cmd.OutOrStdout()
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
	f.StringVar(&cfg.HTTPAddr, "http-addr", env("WENMING_HTTP_ADDR", ":8080"), "REST gateway listen address [WENMING_HTTP_ADDR]")
	f.StringVar(&cfg.GRPCAddr, "grpc-addr", env("WENMING_GRPC_ADDR", ":9090"), "gRPC listen address [WENMING_GRPC_ADDR]")
	f.StringArrayVar(&upstreams, "upstream", nil, "SERVICE=HOST:PORT of a service this process does not run [WENMING_<SERVICE>_ADDR]")
	var trustedDefault []string
	if v := env("WENMING_TRUSTED_PROXIES", ""); v != "" {
		trustedDefault = strings.Split(v, ",")
	}
	f.StringArrayVar(&trusted, "trusted-proxy", trustedDefault, "CIDR of gateways whose X-Forwarded-For is trusted; loopback always is [WENMING_TRUSTED_PROXIES, comma-separated]")
	f.BoolVar(&cfg.Demo, "demo", env("WENMING_DEMO", "") != "", "on the first start, load a demo province, city, district and unit with accounts, the example standard and an open campaign [WENMING_DEMO]")
	f.StringVar(&cfg.DebugAddr, "debug-addr", env("WENMING_DEBUG_ADDR", ""), "serve Go profiles (/debug/pprof/) here; keep it on loopback [WENMING_DEBUG_ADDR]")
	f.BoolVar(&noMigrate, "no-migrate", env("WENMING_NO_MIGRATE", "") != "", "do not apply migrations on start [WENMING_NO_MIGRATE]")
	return c
}

func printWelcome(w io.Writer, a *app.App, cfg *app.Config) {
	host := a.HTTPAddr
	if h, p, err := net.SplitHostPort(host); err == nil && (h == "" || h == "::" || h == "0.0.0.0") {
		host = "localhost:" + p
	}
	login := cfg.AdminLogin
	if login == "" {
		login = "admin"
	}
	pw := "<password>"
	if _, err := os.Stat(cfg.DataDir + "/initial-admin-password"); err == nil {
		pw = "$(cat " + cfg.DataDir + "/initial-admin-password)"
	}
	fmt.Fprintf(w, `
Wenming is running. Log in as the platform admin:
  curl -s -X POST http://%[1]s/v1/auth/login -H 'Content-Type: application/json' \
    -d "{\"login\":\"%[2]s\",\"password\":\"%[3]s\"}"
API docs: http://%[1]s/docs   Stop with Ctrl-C.
`, host, login, pw)
}

func openStore(cmd *cobra.Command, cfg *app.Config) (*store.Store, error) {
	url := cfg.DatabaseURL
	if url == "" {
		url = cfg.DataDir + "/wenming.db"
	}
	return store.Open(cmd.Context(), url)
}

func migrateCmd(cfg *app.Config) *cobra.Command {
	return &cobra.Command{
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
			if err := tenancy.Bootstrap(cmd.Context(), st, login, password); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created platform admin %q\n", login)
			return nil
		},
	}
	boot.Flags().StringVar(&login, "login", "admin", "login of the platform admin")
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
			kid, err := auth.Rotate(cmd.Context(), st)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "new signing key %s; running services pick it up within a minute\n", kid)
			return nil
		},
	}
	admin.AddCommand(boot, rotate)
	return admin
}

func auditCmd(cfg *app.Config) *cobra.Command {
	a := &cobra.Command{Use: "audit", Short: "Audit trail operations"}
	a.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Check every office's audit hash chain and report the first broken link of each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			breaks, n, err := audit.Verify(cmd.Context(), st.Client)
			if err != nil {
				return err
			}
			for _, b := range breaks {
				fmt.Fprintf(cmd.OutOrStdout(), "BROKEN office %s at sequence %d (event %s): %s\n", b.OfficeID, b.Sequence, b.EventID, b.Reason)
			}
			if len(breaks) > 0 {
				return fmt.Errorf("%d broken chain(s) among %d events", len(breaks), n)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %d events, every chain intact\n", n)
			return nil
		},
	})
	return a
}

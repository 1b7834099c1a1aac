package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestMigrateWait checks the init container's command: it waits on a database that lacks
// migrations and gives up at its timeout, and returns at once on a migrated one.
func TestMigrateWait(t *testing.T) {
	t.Setenv("WENMING_DATABASE_URL", "")
	db := filepath.Join(t.TempDir(), "wenming.db")
	out, err := run(t, "--database-url", db, "migrate", "wait", "--timeout", "1s")
	if err == nil || !strings.Contains(out, "not applied yet") || !strings.Contains(err.Error(), "not migrated within 1s") {
		t.Fatalf("wait on an empty database: %v\n%s", err, out)
	}
	if out, err := run(t, "--database-url", db, "migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if out, err := run(t, "--database-url", db, "migrate", "wait", "--timeout", "1s"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("wait on a migrated database: %v\n%s", err, out)
	}
}

// TestHealthcheck checks the container health check against a running process, its
// gateway, and an address where nothing listens.
func TestHealthcheck(t *testing.T) {
	a, err := app.Start(context.Background(), app.Config{
		DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0", AdminPassword: "platform-admin-pw", Log: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown() })
	if out, err := run(t, "healthcheck", "--grpc", a.GRPCAddr); err != nil || !strings.Contains(out, "SERVING") {
		t.Fatalf("healthcheck of a serving process: %v\n%s", err, out)
	}
	// The chart's liveness probe asks for the health service's own name, which must answer
	// SERVING whatever the database does (docs/helm.md).
	conn, err := grpc.NewClient(a.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, name := range []string{"", "grpc.health.v1.Health"} {
		r, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: name})
		if err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health of %q: %v, %v; want SERVING", name, r.GetStatus(), err)
		}
	}
	if out, err := run(t, "healthcheck", "--http", "http://"+a.HTTPAddr+"/readyz"); err != nil || !strings.Contains(out, "200") {
		t.Fatalf("healthcheck of a ready gateway: %v\n%s", err, out)
	}
	if out, err := run(t, "healthcheck", "--http", "http://"+a.HTTPAddr+"/v1/nowhere"); err == nil {
		t.Fatalf("healthcheck passed on a 404:\n%s", out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	if out, err := run(t, "healthcheck", "--grpc", dead, "--timeout", "500ms"); err == nil {
		t.Fatalf("healthcheck passed with nothing listening:\n%s", out)
	}
	if out, err := run(t, "version"); err != nil || !strings.HasPrefix(out, "wenming ") {
		t.Fatalf("version: %v\n%s", err, out)
	}
}

// TestMigrateWaitPostgres is TestMigrateWait on PostgreSQL, where a database never
// migrated has no migrations table at all.
func TestMigrateWaitPostgres(t *testing.T) {
	t.Setenv("WENMING_DATABASE_URL", "")
	migrated := storetest.URL(t, storetest.Postgres)
	empty := freshDatabase(t)
	out, err := run(t, "--database-url", empty, "migrate", "wait", "--timeout", "1s")
	if err == nil || !strings.Contains(out, "not applied yet") {
		t.Fatalf("wait on an empty database: %v\n%s", err, out)
	}
	if out, err := run(t, "--database-url", migrated, "migrate", "wait", "--timeout", "1s"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("wait on a migrated database: %v\n%s", err, out)
	}
}

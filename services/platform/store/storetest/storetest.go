// Package storetest gives tests a migrated database of each kind: SQLite always, and
// PostgreSQL when it is reachable. Every PostgreSQL test gets its own database cloned from
// a migrated template (CREATE DATABASE … TEMPLATE) and dropped when the test ends. When
// the CI variable is set, an unreachable PostgreSQL fails the test instead of skipping.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/wenming-platform/wenming/services/platform/store"
)

// Kind is a database kind.
type Kind string

const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// PostgresURL is the server the tests use (WENMING_TEST_POSTGRES_URL, default the local
// trust-auth server).
func PostgresURL() string {
	if u := os.Getenv("WENMING_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Required reports whether PostgreSQL and Redis must be reachable (in CI).
func Required() bool { return os.Getenv("CI") != "" }

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

// Each runs fn as a subtest once per database kind; Open or URL give it its database.
func Each(t *testing.T, fn func(t *testing.T, kind Kind)) {
	t.Helper()
	for _, k := range []Kind{SQLite, Postgres} {
		t.Run(string(k), func(t *testing.T) { fn(t, k) })
	}
}

// URL returns the URL of a fresh, migrated database of kind for t.
func URL(t testing.TB, kind Kind) string {
	t.Helper()
	if kind == SQLite {
		path := filepath.Join(t.TempDir(), "wenming.db")
		st, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tplOnce.Do(makeTemplate)
	if tplErr != nil {
		if Required() {
			t.Fatalf("PostgreSQL is required in CI: %v", tplErr)
		}
		t.Skipf("PostgreSQL unavailable: %v", tplErr)
	}
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "wenming_t_" + uuid.NewString()[:8]
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tplName)); err != nil {
		t.Fatalf("clone template: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return dbURL(name)
}

func dbURL(name string) string {
	u, _ := url.Parse(PostgresURL())
	u.Path = "/" + name
	return u.String()
}

// makeTemplate creates and migrates this test process's template database.
func makeTemplate() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		tplErr = err
		return
	}
	defer admin.Close()
	pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
	defer pcancel()
	if tplErr = admin.PingContext(pctx); tplErr != nil {
		return
	}
	tplName = fmt.Sprintf("wenming_tpl_%d_%s", os.Getpid(), uuid.NewString()[:6])
	if _, tplErr = admin.ExecContext(ctx, "CREATE DATABASE "+tplName); tplErr != nil {
		return
	}
	st, err := store.Open(ctx, dbURL(tplName))
	if err != nil {
		tplErr = err
		return
	}
	_, tplErr = st.Migrate(ctx)
	st.Close()
	// The template is dropped by DropTemplate from TestMain; leftovers from killed runs are
	// named wenming_tpl_* and safe to drop.
}

// DropTemplate removes this process's template database; call it from TestMain.
func DropTemplate() {
	if tplName == "" {
		return
	}
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		return
	}
	defer admin.Close()
	_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+tplName+" WITH (FORCE)")
}

// Open opens a fresh migrated store of kind for t and closes it when t ends.
func Open(t testing.TB, kind Kind) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), URL(t, kind))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// RedisURL returns the test Redis (WENMING_TEST_REDIS_URL, default the local server) or ""
// (the in-process server) when it is unreachable outside CI.
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WENMING_TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	if err := pingRedis(u); err != nil {
		if Required() {
			t.Fatalf("Redis is required in CI: %v", err)
		}
		return ""
	}
	return u
}

// ReplicaServer is the streaming replica of PostgresURL's server that the read-replica
// tests use (WENMING_TEST_REPLICA_URL, default 127.0.0.1:5433, which .ci/replica.sh
// starts).
func ReplicaServer() string {
	if u := os.Getenv("WENMING_TEST_REPLICA_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable"
}

// ReplicaURL returns the URL of primary's database (a URL from URL) on the replica, once
// the replica has it. Without a replica the test is skipped, or fails in CI.
func ReplicaURL(t testing.TB, primary string) string {
	t.Helper()
	p, err := url.Parse(primary)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(ReplicaServer())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = p.Path
	deadline := time.Now().Add(15 * time.Second)
	for {
		db, err := sql.Open("pgx", u.String())
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
		}
		if err == nil {
			return u.String()
		}
		if time.Now().After(deadline) {
			if Required() {
				t.Fatalf("the PostgreSQL read replica is required in CI (start it with .ci/replica.sh): %v", err)
			}
			t.Skipf("no PostgreSQL read replica at %s (.ci/replica.sh starts one): %v", u.Host, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

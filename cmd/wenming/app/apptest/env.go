package apptest

import (
	"context"
	"io"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// AdminPassword is the bootstrap platform admin's password in every process Start starts.
const AdminPassword = "platform-admin-pw"

// Env is one running Wenming process and a REST client for it. Its methods take the
// calling test's t explicitly, so one Env serves a test and all its subtests.
type Env struct {
	// App is the process; nil when the Env talks to a gateway in another process (Dial).
	App *app.App
	// Base is the gateway's URL, "http://host:port".
	Base string

	rec atomic.Pointer[Recorder] // set while Record watches this Env
}

// Start starts an all-in-one process on a fresh, migrated database of kind, the test Redis
// (or the in-process server) under a key prefix of its own, and loopback ports, with
// AdminPassword as the bootstrap admin's password. Each opt may change the configuration
// before the process starts. The process is shut down when t ends.
func Start(t testing.TB, kind storetest.Kind, opts ...func(*app.Config)) *Env {
	t.Helper()
	cfg := app.Config{
		DatabaseURL:   storetest.URL(t, kind),
		RedisURL:      storetest.RedisURL(t),
		RedisPrefix:   "wenming-test:" + uuid.NewString() + ":",
		DataDir:       t.TempDir(),
		HTTPAddr:      "127.0.0.1:0",
		GRPCAddr:      "127.0.0.1:0",
		MetricsAddr:   "127.0.0.1:0",
		AdminPassword: AdminPassword,
		Log:           io.Discard,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	a, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return Attach(a)
}

// Attach returns an Env for a process the test started and stops itself.
func Attach(a *app.App) *Env {
	return &Env{App: a, Base: "http://" + a.HTTPAddr}
}

// Dial returns an Env for a gateway running elsewhere, at base ("http://host:port").
func Dial(base string) *Env {
	return &Env{Base: base}
}

// Each runs fn as a subtest once per store (storetest.Each: SQLite always, PostgreSQL when
// it is reachable and always in CI), each with a process of its own.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		fn(t, Start(t, kind))
	})
}

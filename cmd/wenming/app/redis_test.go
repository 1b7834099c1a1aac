package app_test

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/tenancy/tenancytest"
)

// TestRedisDown runs the platform against a Redis that is not there: it starts, serves
// logins and reads, and still limits login attempts with per-process counters.
func TestRedisDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "redis://" + l.Addr().String() + "/0"
	l.Close()
	a, err := app.Start(context.Background(), app.Config{
		DatabaseURL: storetest.URL(t, storetest.SQLite), RedisURL: dead, DataDir: t.TempDir(),
		HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0", AdminPassword: apptest.AdminPassword, Log: io.Discard,
	})
	if err != nil {
		t.Fatalf("start with Redis down: %v", err)
	}
	t.Cleanup(func() { _ = a.Shutdown() })
	e := apptest.Attach(a)
	tr := e.BuildTree(t)
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/units/"+tr.Unit1, tr.D1Admin, nil))
	tenancytest.RateLimit(t, e, tr)
}

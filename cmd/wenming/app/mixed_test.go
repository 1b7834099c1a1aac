package app_test

import (
	"context"
	"io"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// A process that runs some services and the gateway reaches its own services in memory
// and the others where they run: a standards route through a "tenancy gateway" process is
// answered by the standards process, not refused as an unknown service by its own.
func TestMixedProcessRoutesToRemoteServices(t *testing.T) {
	ctx := context.Background()
	db, dir := storetest.URL(t, storetest.SQLite), t.TempDir()
	std, err := app.Start(ctx, app.Config{DatabaseURL: db, DataDir: dir, GRPCAddr: "127.0.0.1:0", Run: []string{"standards"}, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = std.Shutdown() })
	gw, err := app.Start(ctx, app.Config{
		DatabaseURL: db, DataDir: dir, HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0", Run: []string{"tenancy", "gateway"},
		Upstreams: map[string]string{"standards": std.GRPCAddr}, AdminPassword: apptest.AdminPassword, Log: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Shutdown() })
	e := apptest.Attach(gw)
	tok, _ := e.Login(t, "admin", apptest.AdminPassword)
	province := apptest.Must(t, 200, e.Do(t, "POST", "/v1/offices", tok, map[string]any{"displayName": "浙江省文明办", "level": "LEVEL_PROVINCIAL", "regionCode": "330000"})).Str(t, "id")
	if r := e.Do(t, "GET", "/v1/offices/"+province+"/standards", tok, nil); r.Code != 200 {
		t.Errorf("a standards route through a tenancy+gateway process: %d %s", r.Code, r.Raw)
	}
}

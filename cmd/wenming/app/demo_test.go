package app_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestDemo loads the demo on an empty database, uses it as the unit it creates, and
// restarts without loading it twice.
func TestDemo(t *testing.T) {
	db, dir := storetest.URL(t, storetest.SQLite), t.TempDir()
	run := func() *env {
		a, err := app.Start(context.Background(), app.Config{
			DatabaseURL: db, DataDir: dir, HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0",
			AdminPassword: adminPassword, Log: io.Discard, Demo: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Shutdown() })
		return &env{t: t, app: a, base: "http://" + a.HTTPAddr}
	}
	e := run()
	accounts, err := os.ReadFile(filepath.Join(dir, "demo-accounts"))
	if err != nil {
		t.Fatal(err)
	}
	passwords := map[string]string{}
	for _, line := range strings.Split(string(accounts), "\n") {
		if f := strings.Fields(line); len(f) == 3 && strings.HasPrefix(f[0], "demo-") {
			passwords[f[0]] = f[2]
		}
	}
	unitTok, _ := e.login("demo-unit", passwords["demo-unit"])
	me := e.must(200, e.do("GET", "/v1/auth/me", unitTok, nil))
	scopes, _ := me.Body["scopes"].([]any)
	if len(scopes) != 1 {
		t.Fatalf("me = %s", me.Raw)
	}
	office, _ := scopes[0].(map[string]any)["officeId"].(string)
	camps := e.must(200, e.do("GET", "/v1/offices/"+office+"/campaigns", unitTok, nil))
	list, _ := camps.Body["campaigns"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["state"] != "CAMPAIGN_STATE_OPEN" {
		t.Fatalf("the unit's campaigns: %s", camps.Raw)
	}
	std := e.must(200, e.do("GET", "/v1/standards/"+list[0].(map[string]any)["standardId"].(string), unitTok, nil))
	if std.str("state") != "STANDARD_STATE_PUBLISHED" || std.str("basePoints") != "100.00" {
		t.Errorf("the campaign's standard: %.200s", std.Raw)
	}
	if err := e.app.Shutdown(); err != nil {
		t.Fatal(err)
	}
	e = run()
	cityTok, _ := e.login("demo-city", passwords["demo-city"])
	offs := e.must(200, e.do("GET", "/v1/offices", cityTok, nil))
	if n := strings.Count(string(offs.Raw), "示例市文明办"); n != 1 {
		t.Errorf("after a restart the city appears %d times", n)
	}
}

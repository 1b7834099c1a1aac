package app_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestDemo loads the demo on an empty database, uses it as the unit it creates, and
// restarts without loading it twice.
func TestDemo(t *testing.T) {
	db, dir := storetest.URL(t, storetest.SQLite), t.TempDir()
	run := func() *apptest.Env {
		a, err := app.Start(context.Background(), app.Config{
			DatabaseURL: db, DataDir: dir, HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0",
			AdminPassword: apptest.AdminPassword, Log: io.Discard, Demo: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Shutdown() })
		return apptest.Attach(a)
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
	unitTok, _ := e.Login(t, "demo-unit", passwords["demo-unit"])
	me := apptest.Call[*tenancyv1.Me](t, e, "GET", "/v1/auth/me", unitTok, nil)
	if len(me.GetScopes()) != 1 {
		t.Fatalf("me = %v", me)
	}
	office := me.GetScopes()[0].GetOfficeId()
	camps := apptest.Call[*standardsv1.ListCampaignsResponse](t, e, "GET", "/v1/offices/"+office+"/campaigns", unitTok, nil)
	list := camps.GetCampaigns()
	if len(list) != 1 || list[0].GetState() != standardsv1.CampaignState_CAMPAIGN_STATE_OPEN {
		t.Fatalf("the unit's campaigns: %v", camps)
	}
	std := apptest.Call[*standardsv1.Standard](t, e, "GET", "/v1/standards/"+list[0].GetStandardId(), unitTok, nil)
	if std.GetState() != standardsv1.StandardState_STANDARD_STATE_PUBLISHED || std.GetBasePoints() != "100.00" {
		t.Errorf("the campaign's standard: %.200v", std)
	}
	if err := e.App.Shutdown(); err != nil {
		t.Fatal(err)
	}
	e = run()
	cityTok, _ := e.Login(t, "demo-city", passwords["demo-city"])
	offs := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices", cityTok, nil))
	if n := strings.Count(string(offs.Raw), "示例市文明办"); n != 1 {
		t.Errorf("after a restart the city appears %d times", n)
	}
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// TestCheckCommand runs `wenming check --json` on an embedded deployment: it exits 0 with
// every check ok on the data a first start makes, and non-zero, naming the broken chain,
// once an audit event is rewritten without the key.
func TestCheckCommand(t *testing.T) {
	for _, v := range []string{"WENMING_MASTER_KEY", "WENMING_MASTER_KEY_FILE", "WENMING_DATABASE_URL", "WENMING_DATA_DIR", "WENMING_BLOB_URL"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	ctx := context.Background()
	dir := t.TempDir()
	a, err := app.Start(ctx, app.Config{
		DataDir: dir, HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0", AdminPassword: "platform-admin-pw", Log: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Shutdown(); err != nil {
		t.Fatal(err)
	}
	report := func(out string) *app.CheckReport {
		t.Helper()
		rep := &app.CheckReport{}
		if err := json.Unmarshal([]byte(out), rep); err != nil {
			t.Fatalf("the output is not a report: %v\n%s", err, out)
		}
		return rep
	}
	out, err := run(t, "--data-dir", dir, "check", "--json")
	if rep := report(out); err != nil || !rep.OK || len(rep.Checks) != 6 || rep.Result(app.CheckAuditChains).Counts["events"] == 0 {
		t.Fatalf("check of a clean database: %v\n%s", err, out)
	}

	st, err := store.Open(ctx, filepath.Join(dir, "wenming.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.ExecContext(ctx, "UPDATE audit_events SET actor = 'someone' WHERE sequence = 1"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, err = run(t, "--data-dir", dir, "check", "--json")
	rep := report(out)
	if err == nil || rep.OK || rep.Result(app.CheckAuditChains).OK || len(rep.Result(app.CheckAuditChains).Examples) == 0 {
		t.Fatalf("check of a rewritten event: %v\n%s", err, out)
	}
	for _, c := range rep.Checks {
		if c.Name != app.CheckAuditChains && !c.OK {
			t.Errorf("check of a rewritten event: %s failed too: %+v", c.Name, c)
		}
	}
	if out, err := run(t, "--data-dir", dir, "check"); err == nil || len(out) == 0 {
		t.Errorf("check as text of a rewritten event: %v\n%s", err, out)
	}
}

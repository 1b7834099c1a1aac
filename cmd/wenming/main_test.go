package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// run runs the wenming command line with args and returns its output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// TestAuditVerifyCheckpoints runs `wenming audit verify --checkpoint` on an embedded
// deployment: files holding one checkpoint or an array, the key found in the data
// directory, and the failures it must report.
func TestAuditVerifyCheckpoints(t *testing.T) {
	for _, v := range []string{"WENMING_MASTER_KEY", "WENMING_MASTER_KEY_FILE", "WENMING_DATABASE_URL", "WENMING_DATA_DIR"} {
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
	cp, err := a.Audit().Checkpoint(store.System(ctx), a.Store().Client, audit.PlatformOffice)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Shutdown(); err != nil {
		t.Fatal(err)
	}
	j, _ := protojson.Marshal(cp)
	write := func(name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := write("one.json", string(j))
	many := write("many.json", "["+string(j)+",\n"+string(j)+"]")

	out, err := run(t, "--data-dir", dir, "audit", "verify", "--checkpoint", one, "--checkpoint", many)
	if err != nil || !strings.Contains(out, "every chain intact; 3 checkpoint(s) hold") {
		t.Fatalf("verify: %v\n%s", err, out)
	}

	// A checkpoint whose sequence was changed fails, and says which one.
	bad := write("bad.json", strings.Replace(string(j), `"sequence":"`, `"sequence":"1`, 1))
	out, err = run(t, "--data-dir", dir, "audit", "verify", "--checkpoint", one, "--checkpoint", bad)
	if err == nil || !strings.Contains(out, "FAILED checkpoint "+bad) || !strings.Contains(out, "signature is invalid") {
		t.Errorf("tampered checkpoint: %v\n%s", err, out)
	}
	if _, err := run(t, "--data-dir", dir, "audit", "verify", "--checkpoint", write("junk.json", "{")); err == nil {
		t.Error("an unreadable checkpoint file was accepted")
	}

	// Verification never makes a key: without the services' key it stops.
	db := filepath.Join(dir, "wenming.db")
	empty := t.TempDir()
	if out, err := run(t, "--data-dir", empty, "--database-url", db, "audit", "verify"); err == nil || !strings.Contains(err.Error(), "master key") {
		t.Errorf("verify without the key: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(empty, "master.key")); err == nil {
		t.Error("verify generated a master key")
	}
	// Nor does an admin command on a database that already has a key make another one.
	if out, err := run(t, "--data-dir", empty, "--database-url", db, "admin", "rotate-keys"); err == nil || !strings.Contains(err.Error(), "bound to one") {
		t.Errorf("rotate-keys without the key: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(empty, "master.key")); err == nil {
		t.Error("rotate-keys generated a master key for a database that has one")
	}
	if out, err := run(t, "--data-dir", dir, "admin", "rotate-keys"); err != nil || !strings.Contains(out, "new signing key") {
		t.Errorf("rotate-keys with the data directory's key: %v\n%s", err, out)
	}
	// Another key is refused as such, not reported as a trail of broken chains.
	other, _ := secrets.Generate()
	t.Setenv("WENMING_MASTER_KEY", other.Encode())
	if _, err := run(t, "--data-dir", dir, "audit", "verify"); !errors.Is(err, secrets.ErrWrongKey) {
		t.Errorf("verify with another key: %v", err)
	}
	if _, err := run(t, "--data-dir", dir, "admin", "rotate-keys"); !errors.Is(err, secrets.ErrWrongKey) {
		t.Errorf("rotate-keys with another key: %v", err)
	}
	os.Unsetenv("WENMING_MASTER_KEY")

	// The platform chain truncated from the checkpoint's head on: the chains still verify,
	// the checkpoint does not.
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.ExecContext(ctx, "DELETE FROM audit_events WHERE office_id = ? AND sequence >= ?", audit.PlatformOffice, cp.GetSequence()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if out, err := run(t, "--data-dir", dir, "audit", "verify"); err != nil {
		t.Errorf("verify without checkpoints after a tail deletion: %v\n%s", err, out)
	}
	out, err = run(t, "--data-dir", dir, "audit", "verify", "--checkpoint", one)
	if err == nil || !strings.Contains(out, "FAILED") || !strings.Contains(out, "no longer holds") {
		t.Errorf("verify with the kept checkpoint after a tail deletion: %v\n%s", err, out)
	}
}

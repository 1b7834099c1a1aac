package app_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/platform/blob/blobtest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/review/reviewtest"
	"github.com/wenming-platform/wenming/services/standards/standardstest"
	"github.com/wenming-platform/wenming/services/tenancy/tenancytest"
)

// TestSplitShape builds the wenming binary and runs it the way the README's split shape
// does: every service in a process of its own and a gateway on loopback, against
// PostgreSQL and Redis.
func TestSplitShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts five processes")
	}
	dbURL := storetest.URL(t, storetest.Postgres)
	redisURL := storetest.RedisURL(t)
	if redisURL == "" {
		t.Skip("Redis unavailable")
	}
	bin := apptest.BuildWenming(t)
	// Evidence files go to a real S3 server (versitygw) in this shape.
	s3 := blobtest.StartS3(t)
	procEnv := append(append(os.Environ(), s3.Env()...),
		"WENMING_BLOB_URL="+s3.URL,
		"WENMING_DATABASE_URL="+dbURL,
		"WENMING_REDIS_URL="+redisURL,
		"WENMING_REDIS_PREFIX=wenming-split-test:"+uuid.NewString()+":",
		"WENMING_DATA_DIR="+t.TempDir(),
	)

	// Migrations are applied already (the test database is cloned from a migrated
	// template): migrate is a no-op. The admin is bootstrapped once, and only once.
	run := func(stdin string, args ...string) (string, error) {
		c := exec.Command(bin, args...)
		c.Env = procEnv
		c.Stdin = strings.NewReader(stdin)
		out, err := c.CombinedOutput()
		return string(out), err
	}
	if out, err := run("", "migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if out, err := run(apptest.AdminPassword+"\n", "admin", "bootstrap", "--login", "admin", "--password-stdin"); err != nil {
		t.Fatalf("bootstrap: %v %s", err, out)
	}
	if out, err := run(apptest.AdminPassword+"\n", "admin", "bootstrap", "--login", "admin2", "--password-stdin"); err == nil {
		t.Fatalf("a second bootstrap succeeded: %s", out)
	}
	if out, err := run("", "admin", "rotate-keys"); err != nil || !strings.Contains(out, "new signing key") {
		t.Fatalf("rotate-keys: %v %s", err, out)
	}

	start := func(name string, args ...string) *apptest.Proc {
		return apptest.StartProc(t, bin, procEnv, name, args...)
	}

	args := []string{"gateway", "--http-addr", "127.0.0.1:0"}
	services := map[string]*apptest.Proc{}
	for _, s := range app.Services() {
		p := start(s, s, "--grpc-addr", "127.0.0.1:0", "--no-migrate")
		services[s] = p
		args = append(args, "--upstream", s+"="+p.Listen)
	}
	gw := start("gateway", args...)

	e := apptest.Dial("http://" + gw.Listen)
	if r := e.Do(t, "GET", "/readyz", "", nil); r.Code != 200 {
		t.Fatalf("readyz: %d %s", r.Code, r.Raw)
	}
	tr := e.BuildTree(t)
	t.Run("units", func(t *testing.T) { tenancytest.Units(t, e, tr) })
	t.Run("cross-tenant", func(t *testing.T) { tenancytest.CrossTenant(t, e, tr) })
	t.Run("missing-permission", func(t *testing.T) { tenancytest.MissingPermission(t, e, tr) })
	t.Run("sessions", func(t *testing.T) { tenancytest.Sessions(t, e, tr) })
	t.Run("rate-limit", func(t *testing.T) { tenancytest.RateLimit(t, e, tr) })
	// Disabling a user in the tenancy process stops the user's token in the standards
	// process at once (pushed through Redis), not after the next poll.
	t.Run("revocation-push", func(t *testing.T) {
		id := e.User(t, tr.D1Admin, "/v1/offices/"+tr.D1+"/users", "split-push", authzv1.Role_ROLE_OFFICE_VIEWER)
		tok, _ := e.Login(t, "split-push", "split-push-password")
		apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+tr.D1+"/standards", tok, nil))
		apptest.Must(t, 200, e.Do(t, "POST", "/v1/users/"+id+":disable", tr.D1Admin, &tenancyv1.DisableUserRequest{}))
		deadline := time.Now().Add(time.Second)
		for e.Do(t, "GET", "/v1/offices/"+tr.D1+"/standards", tok, nil).Code != 401 {
			if time.Now().After(deadline) {
				t.Fatal("the standards process still accepts the disabled user's token after 1 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	// The standards service in its own process, reading offices written by tenancy's.
	var std string
	t.Run("standards", func(t *testing.T) { std = standardstest.Lifecycle(t, e, tr) })
	t.Run("campaigns", func(t *testing.T) { standardstest.Campaigns(t, e, tr, std) })
	t.Run("idempotency", func(t *testing.T) { standardstest.Idempotency(t, e, tr) })
	// The evidence service in its own process, its blobs on the S3 server.
	t.Run("evidence", func(t *testing.T) {
		fx := evidencetest.Setup(t, e, tr, evidencetest.ThisYear())
		evidencetest.WallClock(t, e, tr, fx)
		if n := s3Objects(t, s3.Dir); n < 2 {
			t.Errorf("%d objects on the S3 server, want the uploaded files", n)
		}
	})

	// The review cycle with each service in its own process: standards ranks the campaign
	// with the review service's recommendation, tenancy rescores on a negative-list entry.
	t.Run("review", func(t *testing.T) {
		clock := evidencetest.NewClock()
		clock.Set(time.Now())
		fx := reviewtest.Setup(t, e, tr, clock, evidencetest.ThisYear())
		reviewtest.Cycle(t, e, tr, fx, clock)
		reviewtest.Exports(t, e, tr, fx)
		reviewtest.Stats(t, e, tr, fx)
		reviewtest.Summary(t, e, tr, fx)
		reviewtest.Matrix(t, e, tr, fx)
	})

	// The audit trail of every office is intact, key rotation and bootstrap included.
	if out, err := run("", "audit", "verify"); err != nil || !strings.Contains(out, "every chain intact") {
		t.Errorf("audit verify: %v %s", err, out)
	}

	// A service stopped with SIGTERM drains and exits cleanly, and the gateway's
	// readiness says so instead of hanging.
	rv := services["review"]
	stopped := make(chan error, 1)
	go func() { stopped <- rv.Kill(syscall.SIGTERM) }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("review exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("review did not stop")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.Do(t, "GET", "/readyz", "", nil)
		if r.Code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still %d with review down", r.Code)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The rest of the platform keeps serving.
	apptest.Must(t, 200, e.Do(t, "GET", "/v1/units/"+tr.Unit1, tr.D1Admin, nil))
}

// s3Objects counts the blobs the S3 server holds under the store's content keys.
func s3Objects(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, blobtest.S3Bucket), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(path, string(filepath.Separator)+"sha256"+string(filepath.Separator)) {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

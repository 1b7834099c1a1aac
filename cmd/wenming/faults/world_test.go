//go:build faults || soak

package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// infra is what every scenario shares: the binary, a PostgreSQL of the suite's own and
// toxiproxy.
type infra struct {
	bin string
	pg  *postgres
	tp  *toxiproxy
	n   int
}

// shared is the infrastructure of the running test, started by startShared.
var shared *infra

// startShared builds the binary and starts PostgreSQL and toxiproxy for t and its
// subtests.
func startShared(t *testing.T) {
	t.Helper()
	if storetest.RedisURL(t) == "" {
		t.Fatal("Redis is required (127.0.0.1:6379)")
	}
	shared = &infra{bin: apptest.BuildWenming(t), pg: startPostgres(t), tp: startToxiproxy(t)}
}

// world is one scenario's platform: its own database, Redis prefix and data directory,
// reached through proxies of its own, and the cluster on them.
type world struct {
	*infra
	name               string
	db                 string // the database's name
	pgProxy, redisProx string // proxy names
	dataDir            string
	s3Proxy            string
	env                []string
	c                  *cluster
	fx                 *fixture
}

// worldOptions change a world: the data directory (a small tmpfs to fill), extra
// environment (an S3 blob store).
type worldOptions struct {
	dataDir string
	env     []string
	// s3Proxy is the proxy in front of the S3 server, when env points the blob store at one.
	s3Proxy string
	// units is how many units apply (at least 16: with two items each, 1 600 submissions
	// before every item has all its revisions; the longest scenario so far sent 669).
	units int
}

// newWorld starts a scenario's platform on the shared infrastructure (startShared).
func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	shared.n++
	w := &world{infra: shared, name: fmt.Sprintf("w%d", shared.n)}
	w.db = "wenming_" + w.name
	w.pg.exec(t, "CREATE DATABASE "+w.db)
	w.pgProxy, w.redisProx = "pg-"+w.name, "redis-"+w.name
	pgAddr := w.tp.proxy(t, w.pgProxy, fmt.Sprintf("127.0.0.1:%d", w.pg.port))
	redisAddr := w.tp.proxy(t, w.redisProx, strings.Split(storetest.RedisURL(t), "/")[2])
	w.dataDir, w.s3Proxy = o.dataDir, o.s3Proxy
	if w.dataDir == "" {
		w.dataDir = t.TempDir()
	}
	w.env = append([]string{
		"WENMING_DATABASE_URL=" + w.pg.url(w.db, pgAddr),
		"WENMING_REDIS_URL=redis://" + redisAddr + "/0",
		"WENMING_DATA_DIR=" + w.dataDir,
	}, o.env...)
	w.c = startCluster(t, w.bin, w.env)
	w.fx = setupFixture(t, w.c, max(16, o.units))
	return w
}

// check runs `wenming check --json` on the world's database (directly, not through the
// proxy) and blob store, and fails t on any violation.
func (w *world) check(t testing.TB) {
	t.Helper()
	cmd := exec.Command(w.bin, "check", "--json")
	cmd.Env = append(append(os.Environ(), w.env...), "WENMING_DATABASE_URL="+w.pg.url(w.db, ""))
	out, err := cmd.Output()
	var rep app.CheckReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		t.Fatalf("wenming check: %v %v\n%s", err, jerr, out)
	}
	var summary []string
	for _, c := range rep.Checks {
		var counts []string
		for k, v := range c.Counts {
			counts = append(counts, fmt.Sprintf("%d %s", v, k))
		}
		sort.Strings(counts)
		summary = append(summary, c.Name+": "+strings.Join(counts, ", "))
		if !c.OK {
			t.Errorf("wenming check: %s: %d violations %s, e.g. %v", c.Name, c.Violations, c.Error, c.Examples)
		}
	}
	if !rep.OK || err != nil {
		t.Errorf("wenming check failed: %v", err)
		return
	}
	t.Logf("wenming check: clean (%s)", strings.Join(summary, "; "))
}

// scenario runs the load on w, breaks something with fault and mends it with heal (either
// may be nil), lets the load run until every kind of operation succeeds again, then checks
// the answers, the ledger and the stores. clean scenarios (a graceful stop, a rolling
// restart) must fail no request the gateways accepted: no 5xx at all.
func (w *world) scenario(t *testing.T, fault, heal func(), clean bool) report {
	t.Helper()
	l := newLoad(t, w.c, w.fx)
	l.start()
	time.Sleep(3 * time.Second)
	l.setPhase("fault")
	faultAt := time.Now()
	if fault != nil {
		fault()
	}
	if heal != nil {
		heal()
	}
	healed := time.Now()
	l.setPhase("after")
	deadline := healed.Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if r := l.summarize(healed); r.recovery >= 0 && time.Since(healed) > r.recovery+3*time.Second {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	l.stopAndWait()
	r := l.summarize(healed)
	t.Logf("fault for %v; recovered %v after it ended\n%s", healed.Sub(faultAt).Round(100*time.Millisecond), r.recovery.Round(10*time.Millisecond), r)
	if r.internal > 0 {
		t.Errorf("%d answers were 500 INTERNAL", r.internal)
	}
	if r.noRetryAfter > 0 {
		t.Errorf("%d answers were 503 without Retry-After", r.noRetryAfter)
	}
	if r.recovery < 0 {
		t.Errorf("some kind of operation never succeeded again within 90 s of the fault's end")
	}
	if clean {
		if len(l.failed) > 0 {
			t.Logf("failed requests: %v", l.failed)
		}
		for phase, codes := range r.byCode {
			for code, n := range codes {
				if strings.HasPrefix(code, "5") {
					t.Errorf("%s: %d accepted requests failed with %s", phase, n, code)
				}
			}
		}
	}
	l.verifyLedger(t)
	w.check(t)
	return r
}

package app_test

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestReadReplica runs a process against a real streaming replica (.ci/replica.sh) and
// stops the replica's replay to make it stale on purpose: a list then comes from the
// replica for everyone but the caller who just wrote, who reads the primary until the
// replica has replayed the write (docs/operations.md, "Read replicas").
func TestReadReplica(t *testing.T) {
	primaryURL := storetest.URL(t, storetest.Postgres)
	replicaURL := storetest.ReplicaURL(t, primaryURL)
	const maxLag = 3 * time.Second
	e := apptest.Start(t, storetest.Postgres, func(c *app.Config) {
		c.DatabaseURL = primaryURL
		c.DatabaseReplicaURL = replicaURL
		c.ReplicaMaxLag = maxLag
	})
	tr := e.BuildTree(t)

	primary := openDB(t, primaryURL)
	replica := openDB(t, replicaURL)
	// Everything the tree wrote is replayed first, so no one's own writes are ahead of it,
	// and the process has polled the replica since (it polls every 250 ms).
	caughtUp(t, primary, replica)
	time.Sleep(750 * time.Millisecond)
	if _, err := replica.Exec("SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if _, err := replica.Exec("SELECT pg_wal_replay_resume()"); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(resume)

	u := apptest.Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
		DisplayName: "西湖区少年宫", CreditCode: apptest.CreditCode("12330106MB0000001"), Category: tenancyv1.UnitCategory_UNIT_CATEGORY_PUBLIC_INSTITUTION,
	})
	units := func(token string) []string {
		r := apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/units", token, nil)
		var ids []string
		for _, x := range r.GetUnits() {
			ids = append(ids, x.GetId())
		}
		return ids
	}
	before := replicaReads(t, e)
	if ids := units(tr.D1Admin); !slices.Contains(ids, u.GetId()) {
		t.Fatalf("the writer lists %v right after its write: its own new unit %s is missing (read-your-writes)", ids, u.GetId())
	}
	if ids := units(tr.CityAdmin); slices.Contains(ids, u.GetId()) || !slices.Contains(ids, tr.Unit1) {
		t.Fatalf("another reader lists %v while the replica is paused: want the replica's view, with %s but without %s", ids, tr.Unit1, u.GetId())
	}
	if after := replicaReads(t, e); after <= before {
		t.Fatalf("wenming_db_reads_total{target=\"replica\"} went from %v to %v: the stale list did not come from the replica", before, after)
	}

	// Still paused, the replica falls more than maxLag behind the primary, which moved on:
	// then everyone reads the primary.
	primaryReads := reads(t, e, "primary")
	deadline := time.Now().Add(maxLag + 5*time.Second)
	for !slices.Contains(units(tr.CityAdmin), u.GetId()) {
		if time.Now().After(deadline) {
			t.Fatalf("the replica stayed paused past the %v it may lag, and the other reader still reads it", maxLag)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if reads(t, e, "primary") <= primaryReads {
		t.Fatal("the other reader saw the new unit, but not from the primary")
	}

	// Resumed and caught up, the replica serves the other reader again, new unit included.
	resume()
	caughtUp(t, primary, replica)
	deadline = time.Now().Add(10 * time.Second)
	for {
		before := replicaReads(t, e)
		ids := units(tr.CityAdmin)
		if replicaReads(t, e) > before {
			if !slices.Contains(ids, u.GetId()) {
				t.Fatalf("the caught-up replica lists %v, without the new unit", ids)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica never served the other reader again after it caught up")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplicaRefused refuses a replica that cannot serve this database's reads: the
// primary itself (read-your-writes would hold vacuously), a standby's copy of another
// database, and any replica without a shared Redis for the write positions.
func TestReplicaRefused(t *testing.T) {
	url := storetest.URL(t, storetest.Postgres)
	other := storetest.ReplicaURL(t, storetest.URL(t, storetest.Postgres))
	redis := storetest.RedisURL(t)
	if redis == "" {
		t.Skip("no Redis")
	}
	for _, c := range []struct{ name, replica, redis, want string }{
		{"the primary", url, redis, "not a standby"},
		{"another database", other, redis, "not a standby of this database"},
		{"no shared Redis", storetest.ReplicaURL(t, url), "", "needs a shared Redis"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := app.Start(context.Background(), app.Config{
				DatabaseURL: url, DatabaseReplicaURL: c.replica, RedisURL: c.redis, DataDir: t.TempDir(),
				HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0", AdminPassword: apptest.AdminPassword, Log: io.Discard,
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("start with %s as the replica: %v, want a refusal saying %q", c.name, err, c.want)
			}
		})
	}
}

// TestReplicaDownAtStart starts a process whose replica does not answer: it serves,
// reading the primary, and reports the replica down.
func TestReplicaDownAtStart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "postgres://postgres@" + l.Addr().String() + "/nowhere?sslmode=disable"
	l.Close()
	e := apptest.Start(t, storetest.Postgres, func(c *app.Config) { c.DatabaseReplicaURL = dead })
	tr := e.BuildTree(t)
	r := apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/units", tr.CityAdmin, nil)
	if len(r.GetUnits()) != 1 || reads(t, e, "primary") == 0 {
		t.Fatalf("with the replica down the list held %d units and %v reads went to the primary", len(r.GetUnits()), reads(t, e, "primary"))
	}
	if !regexp.MustCompile(`(?m)^wenming_db_replica_up 0$`).Match(metrics(t, e)) {
		t.Fatal("wenming_db_replica_up is not 0 with the replica down")
	}
}

func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// caughtUp waits until replica has replayed everything primary had written when called.
func caughtUp(t *testing.T, primary, replica *sql.DB) {
	t.Helper()
	var at string
	if err := primary.QueryRow("SELECT pg_current_wal_lsn()::text").Scan(&at); err != nil {
		t.Fatal(err)
	}
	want, _ := store.ParseLSN(at)
	deadline := time.Now().Add(15 * time.Second)
	for {
		var got string
		if err := replica.QueryRow("SELECT pg_last_wal_replay_lsn()::text").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if pos, _ := store.ParseLSN(got); pos >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica replayed up to %s, the primary is at %s", got, at)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metrics reads the process's /metrics.
func metrics(t *testing.T, e *apptest.Env) []byte {
	t.Helper()
	res, err := http.Get("http://" + e.App.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return body
}

// reads is the process's count of replica-eligible reads served by target.
func reads(t *testing.T, e *apptest.Env, target string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^wenming_db_reads_total\{target="` + target + `"\} (\S+)$`).FindSubmatch(metrics(t, e))
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	return n
}

// replicaReads is reads(t, e, "replica"), after checking that the lag is reported.
func replicaReads(t *testing.T, e *apptest.Env) float64 {
	t.Helper()
	if !regexp.MustCompile(`(?m)^wenming_db_replica_lag_seconds `).Match(metrics(t, e)) {
		t.Fatal("no wenming_db_replica_lag_seconds in /metrics")
	}
	return reads(t, e, "replica")
}

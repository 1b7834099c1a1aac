package app_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
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
	e := apptest.Start(t, storetest.Postgres, func(c *app.Config) {
		c.DatabaseURL = primaryURL
		c.DatabaseReplicaURL = replicaURL
	})
	tr := e.BuildTree(t)

	primary := openDB(t, primaryURL)
	replica := openDB(t, replicaURL)
	// Everything the tree wrote is replayed first, so no one's own writes are ahead of it.
	caughtUp(t, primary, replica)
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

	resume()
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(units(tr.CityAdmin), u.GetId()) {
		if time.Now().After(deadline) {
			t.Fatal("the new unit never reached the other reader after the replica resumed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplicaMustBeAStandby refuses a primary given as the replica: read-your-writes
// would then hold vacuously.
func TestReplicaMustBeAStandby(t *testing.T) {
	url := storetest.URL(t, storetest.Postgres)
	_, err := app.Start(context.Background(), app.Config{
		DatabaseURL: url, DatabaseReplicaURL: url, DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0",
		AdminPassword: apptest.AdminPassword, Log: io.Discard,
	})
	if err == nil || !regexp.MustCompile(`not a standby`).MatchString(err.Error()) {
		t.Fatalf("start with the primary as its replica: %v, want a refusal naming it not a standby", err)
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

var replicaReadsLine = regexp.MustCompile(`(?m)^wenming_db_reads_total\{target="replica"\} (\S+)$`)

// replicaReads reads the process's count of reads served by the replica.
func replicaReads(t *testing.T, e *apptest.Env) float64 {
	t.Helper()
	res, err := http.Get("http://" + e.App.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if !regexp.MustCompile(`(?m)^wenming_db_replica_lag_seconds `).Match(body) {
		t.Fatal("no wenming_db_replica_lag_seconds in /metrics")
	}
	m := replicaReadsLine.FindSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	return n
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/assignment"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
	"github.com/wenming-platform/wenming/services/review"
)

// reviewMain measures the review service on a synthetic province (docs/BENCHMARKS.md):
// seeding beside a raw COPY of the same rows; the ranking page and the provincial summary
// under concurrent load beside the bare echo, and beside the raw SQL of their queries; and
// the time of a score write that finalizes a result at the campaign's size.
func reviewMain(args []string) error {
	fs := flag.NewFlagSet("review", flag.ExitOnError)
	bin := fs.String("wenming", "./wenming", "the wenming binary")
	adminURL := fs.String("database-url", "postgres://postgres@127.0.0.1:5432/postgres", "a PostgreSQL database to create the benchmark's database from")
	units := fs.Int("units", 20000, "units to seed")
	seed := fs.Uint64("seed", 1, "seed of the synthetic province")
	c := fs.Int("c", 64, "concurrent clients")
	d := fs.Duration("d", 10*time.Second, "duration of each run")
	rounds := fs.Int("rounds", 2, "alternating rounds of each target")
	writes := fs.Int("writes", 200, "score writes to time")
	_ = fs.Parse(args)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// A database of its own, made afresh.
	const dbName = "wenming_bench_review"
	admin, err := pgx.Connect(ctx, *adminURL)
	if err != nil {
		return err
	}
	for _, q := range []string{"DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)", "CREATE DATABASE " + dbName} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return err
		}
	}
	admin.Close(ctx)
	u, err := url.Parse(*adminURL)
	if err != nil {
		return err
	}
	u.Path = "/" + dbName
	dbURL := u.String()
	dir, err := os.MkdirTemp("", "wenming-bench-review-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := append(os.Environ(), "WENMING_DATA_DIR="+filepath.Join(dir, "data"), "WENMING_DATABASE_URL="+dbURL,
		"WENMING_REDIS_URL=", "WENMING_REDIS_PREFIX=wenming-bench:"+filepath.Base(dir)+":",
		"WENMING_BOOTSTRAP_ADMIN_PASSWORD=bench-admin-password", "WENMING_HTTP_ADDR=127.0.0.1:0", "WENMING_GRPC_ADDR=127.0.0.1:0")

	// 1. Seeding beside a raw COPY of the same rows.
	seedCmd := exec.CommandContext(ctx, *bin, "seed", "--units", strconv.Itoa(*units), "--seed", strconv.FormatUint(*seed, 10))
	seedCmd.Env = env
	seedCmd.Stderr = os.Stderr
	out, err := seedCmd.Output()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprint(os.Stderr, string(out))
	seeded := parseSeed(string(out))
	raw, err := rawCopy(ctx, dbURL)
	if err != nil {
		return err
	}

	// 2. Reads under load, beside the echo.
	wAddr, wCmd, err := spawn(ctx, env, *bin, "serve")
	if err != nil {
		return err
	}
	defer func() { cancel(); _ = wCmd.Wait() }()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	eAddr, eCmd, err := spawn(ctx, os.Environ(), self, "echo")
	if err != nil {
		return err
	}
	defer func() { cancel(); _ = eCmd.Wait() }()
	base := "http://" + wAddr
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if err := post(base, "/v1/auth/login", "", map[string]string{"login": "seed-province", "password": seeded.accounts["seed-province"]}, &tok); err != nil {
		return err
	}
	var machine struct {
		AccessToken string `json:"accessToken"`
	}
	if err := post(base, "/v1/auth/token", "", map[string]string{"grantType": "client_credentials", "clientId": seeded.clientID, "clientSecret": seeded.accounts[seeded.clientID]}, &machine); err != nil {
		return err
	}
	auth := http.Header{"Authorization": {"Bearer " + tok.AccessToken}}
	sa := http.Header{"Authorization": {"Bearer " + machine.AccessToken}}
	ranking := base + "/v1/campaigns/" + seeded.campaign + "/ranking?pageSize=50"
	deep, err := pageAt(ranking, auth, 200)
	if err != nil {
		return err
	}
	summary := base + "/v1/offices/" + seeded.province + "/summary?year=" + strconv.Itoa(time.Now().Year())
	etag, err := etagOf(summary, sa)
	if err != nil {
		return err
	}
	conditional := sa.Clone()
	conditional.Set("If-None-Match", etag)
	targets := []struct {
		name, url string
		h         http.Header
		status    int
	}{
		{"bare grpc-gateway echo", "http://" + eAddr + "/v1/echo/ping", http.Header{}, 200},
		{"ranking, first page of 50", ranking, auth, 200},
		{"ranking, page 201 of 50 (rank 10 001)", deep, auth, 200},
		{"provincial summary (service account)", summary, sa, 200},
		{"provincial summary, If-None-Match → 304", summary, conditional, 304},
	}
	for _, t := range targets {
		loadStatus(t.url, t.h, *c, 2*time.Second, t.status)
	}
	best := make([]result, len(targets))
	for range *rounds {
		for i, t := range targets {
			r := loadStatus(t.url, t.h, *c, *d, t.status)
			fmt.Fprintf(os.Stderr, "%-44s %8.0f req/s  p50 %-10v p99 %-10v errors %d\n", t.name, r.RPS(), r.P50, r.P99, r.Errors)
			if best[i].Requests == 0 || r.RPS() > best[i].RPS() {
				best[i] = r
			}
		}
	}
	single := make([]result, len(targets))
	for i, t := range targets {
		single[i] = loadStatus(t.url, t.h, 1, 3*time.Second, t.status)
	}
	sqlRanking, sqlSummary, err := explain(ctx, dbURL, seeded.campaign, seeded.province)
	if err != nil {
		return err
	}

	// 3. Score writes at the campaign's size, in process.
	writeTimes, writeDB, err := scoreWrites(ctx, dbURL, filepath.Join(dir, "data"), seeded.province, *writes)
	if err != nil {
		return err
	}

	fmt.Printf("\n## Review on a synthetic province of %d units (PostgreSQL)\n\n", *units)
	fmt.Printf("Seeding: %d rows in bulk in %v: %.0f rows/s. Raw COPY of the same rows into copies of the tables (indexes included): %.0f rows/s. Ratio %.2f.\n\n",
		seeded.rows, seeded.bulk, seeded.rate, raw, seeded.rate/raw)
	fmt.Printf("%d concurrent clients, %v per run, best of %d rounds:\n\n", *c, *d, *rounds)
	fmt.Println("| path | req/s | × echo | p50 | p99 | p99 ÷ echo's | 1 client: mean |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for i, t := range targets {
		r := best[i]
		fmt.Printf("| %s | %.0f | %.2f | %v | %v | %.2f | %v |\n", t.name, r.RPS(), r.RPS()/best[0].RPS(), r.P50.Round(10*time.Microsecond),
			r.P99.Round(10*time.Microsecond), float64(r.P99)/float64(best[0].P99), single[i].Mean.Round(10*time.Microsecond))
	}
	fmt.Printf("\nRaw SQL of the same queries (EXPLAIN ANALYZE execution time, summed): ranking page read afresh %v, summary's ETag check (all a cached summary or a 304 reads) %v.\n",
		sqlRanking.Round(time.Microsecond), sqlSummary.Round(time.Microsecond))
	fmt.Printf("One client's mean time per request ÷ that: ranking %.2f, summary %.2f.\n", float64(single[1].Mean)/float64(sqlRanking), float64(single[3].Mean)/float64(sqlSummary))
	slices.Sort(writeTimes)
	slices.Sort(writeDB)
	fmt.Printf("\nScore write that finalizes a result (FinalizeAssignment in process), %d writes: in all p50 %v, p99 %v; waiting for the database p50 %v, p99 %v.\n",
		len(writeTimes), writeTimes[len(writeTimes)/2].Round(10*time.Microsecond), writeTimes[len(writeTimes)*99/100].Round(10*time.Microsecond),
		writeDB[len(writeDB)/2].Round(10*time.Microsecond), writeDB[len(writeDB)*99/100].Round(10*time.Microsecond))
	return nil
}

// writesMain times score writes on a province seeded before (`wenming seed` with a data
// directory of its own), and says where their database time goes.
func writesMain(args []string) error {
	fs := flag.NewFlagSet("review-writes", flag.ExitOnError)
	dbURL := fs.String("database-url", "", "the seeded database")
	dataDir := fs.String("data-dir", "", "the data directory the seed used (its master key)")
	province := fs.String("province", "", "the province's office id (the seed prints it)")
	writes := fs.Int("writes", 200, "score writes to time")
	_ = fs.Parse(args)
	total, inDB, err := scoreWrites(context.Background(), *dbURL, *dataDir, *province, *writes)
	if err != nil {
		return err
	}
	slices.Sort(total)
	slices.Sort(inDB)
	fmt.Printf("%d writes: in all p50 %v, p99 %v; waiting for the database p50 %v, p99 %v\n", len(total), total[len(total)/2], total[len(total)*99/100],
		inDB[len(inDB)/2], inDB[len(inDB)*99/100])
	return nil
}

// seedOutput is what `wenming seed` printed.
type seedOutput struct {
	rows               int64
	bulk               time.Duration
	rate               float64
	province, campaign string
	clientID           string
	accounts           map[string]string
}

var seedLine = regexp.MustCompile(`(\d+) rows in bulk in (\S+) \((\d+) rows/s\)`)

func parseSeed(out string) seedOutput {
	s := seedOutput{accounts: map[string]string{}}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case seedLine.MatchString(line):
			m := seedLine.FindStringSubmatch(line)
			s.rows, _ = strconv.ParseInt(m[1], 10, 64)
			s.bulk, _ = time.ParseDuration(m[2])
			s.rate, _ = strconv.ParseFloat(m[3], 64)
		case len(f) == 2 && f[0] == "province":
			s.province = f[1]
		case len(f) >= 2 && f[0] == "campaign":
			s.campaign = f[1]
		case len(f) >= 3 && strings.HasPrefix(line, "  "):
			s.accounts[f[0]] = f[1]
			if strings.HasPrefix(f[0], "sa_") {
				s.clientID = f[0]
			}
		}
	}
	return s
}

// bulkTables are the tables the seed loads in bulk.
var bulkTables = []string{"units", "applications", "evidences", "evidence_revisions", "assignments", "results"}

// rawCopy times COPY FROM of every bulk table's rows, read back with COPY TO, into a copy of
// the table with the same indexes, and returns the rows per second.
func rawCopy(ctx context.Context, dbURL string) (float64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var rows int64
	var spent time.Duration
	for _, t := range bulkTables {
		var buf bytes.Buffer
		if _, err := conn.PgConn().CopyTo(ctx, &buf, "COPY "+t+" TO STDOUT (FORMAT binary)"); err != nil {
			return 0, err
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE bench_copy_"+t+" (LIKE "+t+" INCLUDING ALL)"); err != nil {
			return 0, err
		}
		t0 := time.Now()
		tag, err := conn.PgConn().CopyFrom(ctx, &buf, "COPY bench_copy_"+t+" FROM STDIN (FORMAT binary)")
		if err != nil {
			return 0, err
		}
		spent += time.Since(t0)
		rows += tag.RowsAffected()
		if _, err := conn.Exec(ctx, "DROP TABLE bench_copy_"+t); err != nil {
			return 0, err
		}
	}
	fmt.Fprintf(os.Stderr, "raw COPY: %d rows in %v\n", rows, spent)
	return float64(rows) / spent.Seconds(), nil
}

// pageAt follows next-page tokens to the page-th page after the first, and returns its URL.
func pageAt(first string, h http.Header, page int) (string, error) {
	u := first
	for range page {
		var body struct {
			NextPageToken string `json:"nextPageToken"`
		}
		if err := getJSON(u, h, &body); err != nil {
			return "", err
		}
		if body.NextPageToken == "" {
			return u, nil
		}
		u = first + "&pageToken=" + url.QueryEscape(body.NextPageToken)
	}
	return u, nil
}

func getJSON(u string, h http.Header, out any) error {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header = h
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %s", u, res.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

func etagOf(u string, h http.Header) (string, error) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header = h
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != 200 || res.Header.Get("ETag") == "" {
		return "", fmt.Errorf("GET %s: %d, ETag %q", u, res.StatusCode, res.Header.Get("ETag"))
	}
	return res.Header.Get("ETag"), nil
}

var executionTime = regexp.MustCompile(`Execution Time: ([0-9.]+) ms`)

// explain sums the execution time of the SQL a ranking page read afresh and a summary's
// ETag check run, as the province's admin: each query as the store sends it, the privacy
// filter's scope predicate included, measured by EXPLAIN ANALYZE (best of five).
func explain(ctx context.Context, dbURL, campaign, province string) (ranking, summary time.Duration, err error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	var path string
	if err := conn.QueryRow(ctx, "SELECT scope_path FROM offices WHERE id = $1", province).Scan(&path); err != nil {
		return 0, 0, err
	}
	prefix := path + "%"
	time1 := func(q string, args ...any) (time.Duration, error) {
		best := time.Duration(1 << 62)
		for range 5 {
			rows, err := conn.Query(ctx, "EXPLAIN ANALYZE "+q, args...)
			if err != nil {
				return 0, err
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return 0, err
				}
				if m := executionTime.FindStringSubmatch(line); m != nil {
					ms, _ := strconv.ParseFloat(m[1], 64)
					best = min(best, time.Duration(ms*float64(time.Millisecond)))
				}
			}
			rows.Close()
		}
		return best, nil
	}
	sum := func(qs [][]any) (time.Duration, error) {
		var total time.Duration
		for _, q := range qs {
			d, err := time1(q[0].(string), q[1:]...)
			if err != nil {
				return 0, err
			}
			total += d
		}
		return total, nil
	}
	var office string
	if err := conn.QueryRow(ctx, "SELECT office_id FROM campaigns WHERE id = $1", campaign).Scan(&office); err != nil {
		return 0, 0, err
	}
	head := "SELECT $1::text, (SELECT max(sequence) FROM audit_events WHERE office_id = $2)"
	// The queries of a ranking page read afresh (a cached page needs only the head).
	ranking, err = sum([][]any{
		{head, office, office},
		{"SELECT * FROM campaigns WHERE id = $1 AND scope_path LIKE $2", campaign, "%"},
		{"SELECT id, scope_path, campaign_id, unit_id, unit_display_name, unit_office_id, unit_category, total, base, bonus, deductions, vetoed, state, sort_key, submit_time, update_time FROM results WHERE campaign_id = $1 AND sort_key > $2 AND scope_path LIKE $3 ORDER BY sort_key LIMIT 51", campaign, []byte{}, prefix},
	})
	if err != nil {
		return 0, 0, err
	}
	// The queries of a summary's ETag check, which is all a cached summary or a 304 costs.
	var children []string
	rows, err := conn.Query(ctx, "SELECT id FROM offices WHERE parent_id = $1", province)
	if err != nil {
		return 0, 0, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return 0, 0, err
		}
		children = append(children, id)
	}
	rows.Close()
	var parts []string
	var args []any
	for i, id := range append([]string{province, office}, children...) {
		parts = append(parts, "SELECT $"+strconv.Itoa(2*i+1)+"::text, (SELECT max(sequence) FROM audit_events WHERE office_id = $"+strconv.Itoa(2*i+2)+")")
		args = append(args, id, id)
	}
	summary, err = sum([][]any{
		{"SELECT * FROM offices WHERE id = $1 AND scope_path LIKE $2", province, prefix},
		{"SELECT id, office_id FROM campaigns WHERE year = $1 AND scope_path LIKE $2", time.Now().Year(), prefix},
		{"SELECT id FROM offices WHERE parent_id = $1 AND scope_path LIKE $2", province, prefix},
		append([]any{strings.Join(parts, " UNION ALL ")}, args...),
	})
	return ranking, summary, err
}

// scoreWrites reopens and finalizes reviewer 1's sheets one after another, in process, and
// returns the time of each finalize (the write that settles the result and its sort key),
// and the part of it spent waiting for the database.
func scoreWrites(ctx context.Context, dbURL, dataDir, province string, n int) (total, inDB []time.Duration, err error) {
	db, err := sql.Open("pgx-timed", dbURL)
	if err != nil {
		return nil, nil, err
	}
	st := &store.Store{DB: db, Dialect: dialect.Postgres, Client: ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, db)))}
	defer st.Close()
	m, err := app.OpenMasterKey(ctx, app.Config{DataDir: dataDir}, st, io.Discard)
	if err != nil {
		return nil, nil, err
	}
	srv := review.NewServer(review.Deps{Store: st, Audit: audit.NewChain(m, st.Dialect)})
	sys := store.System(ctx)
	prov, err := st.Client.Office.Query().Where(office.ID(province)).Only(sys)
	if err != nil {
		return nil, nil, err
	}
	first, err := st.Client.Assignment.Query().Where(assignment.StateEQ(assignment.StateFINALIZED)).Order(assignment.ByID()).First(sys)
	if err != nil {
		return nil, nil, err
	}
	sheets, err := st.Client.Assignment.Query().Where(assignment.ReviewerID(first.ReviewerID), assignment.StateEQ(assignment.StateFINALIZED)).
		Order(assignment.ByID()).Limit(n).All(sys)
	if err != nil {
		return nil, nil, err
	}
	admin := viewer.NewContext(ctx, &viewer.Viewer{Subject: "bench", Kind: viewer.KindUser, OfficeID: prov.ID, ScopePath: prov.ScopePath,
		Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}})
	rev := viewer.NewContext(ctx, &viewer.Viewer{Subject: first.ReviewerID, Kind: viewer.KindUser, OfficeID: prov.ID, ScopePath: prov.ScopePath,
		Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_REVIEWER}})
	defer func() {
		type stmt struct {
			q string
			d time.Duration
		}
		var all []stmt
		statements.Range(func(k, v any) bool {
			all = append(all, stmt{k.(string), time.Duration(v.(*atomic.Int64).Load())})
			return true
		})
		slices.SortFunc(all, func(a, b stmt) int { return int(b.d - a.d) })
		fmt.Fprintln(os.Stderr, "database time of a finalize, by statement (mean per write):")
		for _, s := range all[:min(len(all), 25)] {
			fmt.Fprintf(os.Stderr, "  %10v  %s\n", (s.d / time.Duration(len(sheets))).Round(time.Microsecond), s.q)
		}
	}()
	for _, sh := range sheets {
		if _, err := srv.ReopenAssignment(admin, &reviewv1.ReopenAssignmentRequest{AssignmentId: sh.ID, Reason: "bench"}); err != nil {
			return nil, nil, err
		}
		profiling.Store(true)
		t0, db0 := time.Now(), dbTime.Load()
		_, err := srv.FinalizeAssignment(rev, &reviewv1.FinalizeAssignmentRequest{AssignmentId: sh.ID})
		profiling.Store(false)
		if err != nil {
			return nil, nil, err
		}
		total = append(total, time.Since(t0))
		inDB = append(inDB, time.Duration(dbTime.Load()-db0))
	}
	return total, inDB, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Positions remembers, per principal, the write-ahead-log position of its latest write,
// across every process of a deployment, so that the principal's next reads wait for the
// replica to have replayed it (read-your-writes). Both methods may fail (Redis down); the
// store then reads from the primary, which is always consistent.
type Positions interface {
	// Raise records pos for subject unless a higher position is recorded; it keeps it for
	// at least ttl.
	Raise(ctx context.Context, subject string, pos uint64, ttl time.Duration) error
	// Position returns subject's recorded position, 0 when none.
	Position(ctx context.Context, subject string) (uint64, error)
}

// ReplicaOptions configure a read replica.
type ReplicaOptions struct {
	// Positions shares callers' write positions between processes.
	Positions Positions
	// MaxLag is the staleness beyond which every read goes to the primary; zero: 30 s.
	MaxLag time.Duration
	// Poll is how often the replica's replay position and lag are read; zero: 250 ms.
	Poll time.Duration
	// Registry, when set, receives the replica's pool statistics, its lag and the count
	// of reads by where they went.
	Registry prometheus.Registerer
}

// replica is a streaming read replica: where Reader sends lists, rankings, summaries and
// exports while it is close enough behind the primary and has replayed the caller's own
// writes.
type replica struct {
	db     *sql.DB
	client *ent.Client
	opts   ReplicaOptions
	// replayed is the replica's last replayed WAL position as last polled (0 when it is
	// unreachable), lagNanos its staleness then: both only ever behind the truth, so a
	// decision made on them errs toward the primary.
	replayed atomic.Uint64
	lagNanos atomic.Int64
	reads    *prometheus.CounterVec
	lag, up  prometheus.Gauge
	stop     context.CancelFunc
	done     sync.WaitGroup
}

// positionTTL is how long a write position is remembered: far longer than any lag a
// replica is used at (MaxLag), so a position never expires while it still matters.
const positionTTL = 10 * time.Minute

// OpenReplica attaches the read replica at url (a postgres:// URL) to s, a PostgreSQL
// store. It fails if the replica does not answer, or answers but is not a standby.
func (s *Store) OpenReplica(ctx context.Context, url string, o ReplicaOptions) error {
	if s.Dialect != dialect.Postgres {
		return fmt.Errorf("store: a read replica needs PostgreSQL as the primary")
	}
	if o.Positions == nil {
		return fmt.Errorf("store: a read replica needs Positions for read-your-writes")
	}
	if o.MaxLag == 0 {
		o.MaxLag = 30 * time.Second
	}
	if o.Poll == 0 {
		o.Poll = 250 * time.Millisecond
	}
	db, err := openPostgres(url)
	if err != nil {
		return err
	}
	var standby bool
	if err := db.QueryRowContext(ctx, "SELECT pg_is_in_recovery()").Scan(&standby); err != nil {
		db.Close()
		return fmt.Errorf("store: connect to the read replica: %w", err)
	}
	if !standby {
		// A primary given as the replica would make every read-your-writes check pass
		// vacuously (its replay position reads NULL): refuse it rather than guess.
		db.Close()
		return fmt.Errorf("store: the read replica is not a standby (pg_is_in_recovery() is false)")
	}
	r := &replica{
		db: db, client: ent.NewClient(ent.Driver(traced(entsql.OpenDB(dialect.Postgres, db)))), opts: o,
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wenming_db_reads_total", Help: "Reads that may use the read replica, by the database that served them.",
		}, []string{"target"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wenming_db_replica_lag_seconds", Help: "How far the read replica's replay is behind the primary, when it last answered.",
		}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wenming_db_replica_up", Help: "1 when the read replica answered its last poll, else 0 (reads then go to the primary).",
		}),
	}
	if o.Registry != nil {
		o.Registry.MustRegister(r.reads, r.lag, r.up, collectors.NewDBStatsCollector(db, "replica"))
	}
	r.poll(ctx)
	pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stop = stop
	r.done.Add(1)
	go func() {
		defer r.done.Done()
		Every(pctx, o.Poll, func(time.Time) { r.poll(pctx) })
	}()
	s.replica = r
	// Every mutation through the client marks the request as a writer (see Tracked).
	s.Client.Use(markWrites)
	return nil
}

// poll reads the replica's replay position and staleness. The lag is zero when it has
// replayed all it received (an idle primary makes the last replay time grow old without
// the replica falling behind).
func (r *replica) poll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var lsn string
	var lag float64
	err := r.db.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn()::text,
		CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
		     ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END`).Scan(&lsn, &lag)
	pos, perr := ParseLSN(lsn)
	if err != nil || perr != nil {
		r.replayed.Store(0)
		r.up.Set(0)
		return
	}
	r.up.Set(1)
	r.replayed.Store(pos)
	r.lagNanos.Store(int64(lag * float64(time.Second)))
	r.lag.Set(lag)
}

func (r *replica) close() error {
	r.stop()
	r.done.Wait()
	return r.client.Close()
}

// ParseLSN parses a PostgreSQL WAL position ("16/B374D848") into a number that orders
// as positions do.
func ParseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("store: %q is not a WAL position", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("store: %q is not a WAL position", s)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("store: %q is not a WAL position", s)
	}
	return h<<32 | l, nil
}

// Reads is one database to read from: its ent client, and its pool for the raw queries
// (audit.Heads) whose answers must come from the same database as the rows they describe.
type Reads struct {
	*ent.Client
	DB *sql.DB
}

// Reader returns where a read that may be a little stale goes: lists, rankings, summaries
// and exports. It is the read replica when one is attached, reachable, at most MaxLag
// behind, and has replayed the latest write of ctx's viewer; otherwise the primary. Take
// it once per request, so one answer never mixes the two. Reads that decide a write belong
// in the write's transaction, never here (docs/operations.md, "Read replicas").
func (s *Store) Reader(ctx context.Context) Reads {
	r := s.replica
	if r == nil {
		return Reads{s.Client, s.DB}
	}
	if r.usable(ctx) {
		r.reads.WithLabelValues("replica").Inc()
		return Reads{r.client, r.db}
	}
	r.reads.WithLabelValues("primary").Inc()
	return Reads{s.Client, s.DB}
}

func (r *replica) usable(ctx context.Context) bool {
	replayed := r.replayed.Load()
	if replayed == 0 || time.Duration(r.lagNanos.Load()) > r.opts.MaxLag {
		return false
	}
	v := viewer.FromContext(ctx)
	if v == nil {
		return true
	}
	pos, err := r.opts.Positions.Position(ctx, v.Subject)
	return err == nil && pos <= replayed
}

// Writes says whether a request changed the database; Tracked puts one in its context.
type Writes struct{ wrote atomic.Bool }

type writesKey struct{}

// Tracked returns ctx carrying a Writes that every mutation and transaction under it
// marks, for RememberWrites after the request.
func Tracked(ctx context.Context) (context.Context, *Writes) {
	w := &Writes{}
	return context.WithValue(ctx, writesKey{}, w), w
}

func markWritten(ctx context.Context) {
	if w, ok := ctx.Value(writesKey{}).(*Writes); ok {
		w.wrote.Store(true)
	}
}

func markWrites(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		markWritten(ctx)
		return next.Mutate(ctx, m)
	})
}

// RememberWrites records, when a replica is attached and the request marked w, the
// primary's WAL position for ctx's viewer: its later reads then wait for the replica to
// reach it. The position is read after the request's commits, so it is at or past them.
func (s *Store) RememberWrites(ctx context.Context, w *Writes) {
	r := s.replica
	v := viewer.FromContext(ctx)
	if r == nil || w == nil || !w.wrote.Load() || v == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	var lsn string
	if err := s.DB.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
		return
	}
	if pos, err := ParseLSN(lsn); err == nil {
		_ = r.opts.Positions.Raise(ctx, v.Subject, pos, positionTTL)
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
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
	primary *sql.DB
	db      *sql.DB
	client  *ent.Client
	opts    ReplicaOptions
	// oid is the primary database's OID, which its physical replica shares: a replica
	// that answers for another database (a restored copy beside it, another cluster) has
	// another, and is never used.
	oid uint32
	// replayed is the replica's last replayed WAL position as last polled (0 while it is
	// unusable), lagNanos its staleness then: both only ever behind the truth, so a
	// decision made on them errs toward the primary.
	replayed atomic.Uint64
	lagNanos atomic.Int64
	// primaryUntil (Unix nanoseconds) sends every read to the primary until then: set when
	// a write's position could not be recorded.
	primaryUntil atomic.Int64
	// samples are the primary's WAL positions with when they were seen, oldest first, that
	// the replica had not replayed at the last poll: the lag is the age of the oldest.
	samples []walSample
	reads   *prometheus.CounterVec
	lag, up prometheus.Gauge
	stop    context.CancelFunc
	done    sync.WaitGroup
}

type walSample struct {
	at  time.Time
	pos uint64
}

// positionTTL is how long a write position is remembered: far longer than any lag a
// replica is used at (MaxLag), so a position never expires while it still matters.
func (r *replica) positionTTL() time.Duration { return max(10*time.Minute, 4*r.opts.MaxLag) }

// OpenReplica attaches the read replica at url (a postgres:// URL) to s, a PostgreSQL
// store. It fails if the replica answers but is not a standby of this database; a replica
// that does not answer yet is polled until it does, and reads go to the primary meanwhile.
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
	db, err := openPostgres(withConnectTimeout(url))
	if err != nil {
		return err
	}
	r := &replica{
		primary: s.DB, db: db, client: ent.NewClient(ent.Driver(traced(entsql.OpenDB(dialect.Postgres, db)))), opts: o,
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wenming_db_reads_total", Help: "Reads that may use the read replica, by the database that served them.",
		}, []string{"target"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wenming_db_replica_lag_seconds", Help: "How long ago the primary wrote the oldest change the read replica has not replayed.",
		}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wenming_db_replica_up", Help: "1 when the read replica answered its last poll as a standby of this database, else 0 (reads then go to the primary).",
		}),
	}
	if err := s.DB.QueryRowContext(ctx, databaseOID).Scan(&r.oid); err != nil {
		db.Close()
		return err
	}
	if err := r.poll(ctx); errors.Is(err, errNotReplica) {
		// A primary given as the replica would make every read-your-writes check pass
		// vacuously, and another database's rows would be served as this one's: refuse
		// both rather than guess.
		db.Close()
		return err
	}
	if o.Registry != nil {
		o.Registry.MustRegister(r.reads, r.lag, r.up, collectors.NewDBStatsCollector(db, "replica"))
	}
	pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stop = stop
	r.done.Add(1)
	go func() {
		defer r.done.Done()
		Every(pctx, o.Poll, func(time.Time) { _ = r.poll(pctx) })
	}()
	s.replica = r
	return nil
}

const databaseOID = "SELECT oid FROM pg_database WHERE datname = current_database()"

// errNotReplica is a replica that answers but is not a standby of the primary's database.
var errNotReplica = errors.New("store: the read replica is not a standby of this database")

// withConnectTimeout bounds how long a request may wait for a replica that stopped
// answering, when the URL does not say.
func withConnectTimeout(u string) string {
	if strings.Contains(u, "connect_timeout=") {
		return u
	}
	if strings.Contains(u, "?") {
		return u + "&connect_timeout=2"
	}
	return u + "?connect_timeout=2"
}

// poll reads the primary's WAL position, then the replica's replay position, and from the
// positions the primary has written but the replica has not replayed, the lag: how long
// ago the oldest of them was written. Measured against the primary, a replica that stops
// receiving (a broken connection, a promotion) falls behind as the primary moves on, and an
// idle primary makes no lag. It returns errNotReplica for a server that is no standby of
// this database; the replica is then unusable until a poll finds it one.
func (r *replica) poll(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var head string
	err := r.primary.QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&head)
	var standby bool
	var replay sql.NullString
	var oid uint32
	if err == nil {
		err = r.db.QueryRowContext(ctx, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, ("+databaseOID+")").
			Scan(&standby, &replay, &oid)
	}
	if err == nil && (!standby || oid != r.oid) {
		err = fmt.Errorf("%w (standby %v, database oid %d, the primary's %d)", errNotReplica, standby, oid, r.oid)
	}
	var at, pos uint64
	if err == nil {
		if at, err = ParseLSN(head); err == nil {
			pos, err = ParseLSN(replay.String)
		}
	}
	if err != nil {
		r.replayed.Store(0)
		r.up.Set(0)
		return err
	}
	now := time.Now()
	if n := len(r.samples); n == 0 || r.samples[n-1].pos < at {
		r.samples = append(r.samples, walSample{now, at})
	}
	drop := 0
	for drop < len(r.samples) && r.samples[drop].pos <= pos {
		drop++
	}
	r.samples = r.samples[drop:]
	if len(r.samples) > 4096 {
		// Far behind: keep the oldest samples, which set the lag, and bound the memory.
		r.samples = append(r.samples[:2048], r.samples[len(r.samples)-2048:]...)
	}
	lag := time.Duration(0)
	if len(r.samples) > 0 {
		lag = now.Sub(r.samples[0].at)
	}
	r.up.Set(1)
	r.replayed.Store(pos)
	r.lagNanos.Store(int64(lag))
	r.lag.Set(lag.Seconds())
	return nil
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
		return s.Primary()
	}
	if r.usable(ctx) {
		r.reads.WithLabelValues("replica").Inc()
		return Reads{r.client, r.db}
	}
	r.reads.WithLabelValues("primary").Inc()
	return s.Primary()
}

// Primary returns the primary as Reads.
func (s *Store) Primary() Reads { return Reads{s.Client, s.DB} }

func (r *replica) usable(ctx context.Context) bool {
	replayed := r.replayed.Load()
	if replayed == 0 || time.Duration(r.lagNanos.Load()) > r.opts.MaxLag || time.Now().UnixNano() < r.primaryUntil.Load() {
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
		if tm, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
			if _, err := tm.Tx(); err != nil {
				// Outside a transaction the statement commits by itself.
				markCommitted(ctx)
			}
		}
		return next.Mutate(ctx, m)
	})
}

// Attempt says whether a run of a request's handler may have committed anything: a
// transaction that committed (or whose commit failed for any reason but a conflict, so
// may have), or a write outside a transaction. A handler whose run committed nothing may
// be run again; one that did must not be (rpc's retry of conflicts).
type Attempt struct{ committed atomic.Bool }

type attemptKey struct{}

// NewAttempt returns ctx carrying a fresh Attempt for one run of a handler.
func NewAttempt(ctx context.Context) (context.Context, *Attempt) {
	a := &Attempt{}
	return context.WithValue(ctx, attemptKey{}, a), a
}

// Committed reports whether the run may have committed something.
func (a *Attempt) Committed() bool { return a.committed.Load() }

func markCommitted(ctx context.Context) {
	if a, ok := ctx.Value(attemptKey{}).(*Attempt); ok {
		a.committed.Store(true)
	}
}

// RememberWrites records, when a replica is attached and the request marked w, the
// primary's WAL position for ctx's viewer: its later reads then wait for the replica to
// reach it. The position is read after the request's commits, so it is at or past them.
// When it cannot be recorded (the database or Redis failing), this process reads only from
// the primary for MaxLag: its own next reads stay fresh, and another process's are at
// most as stale as the replica, itself at most MaxLag behind.
func (s *Store) RememberWrites(ctx context.Context, w *Writes) {
	r := s.replica
	v := viewer.FromContext(ctx)
	if r == nil || w == nil || !w.wrote.Load() || v == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	var lsn string
	// The insert position is at or past the request's commit records even when commits do
	// not wait for their WAL to be written (synchronous_commit off).
	err := s.DB.QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn)
	var pos uint64
	if err == nil {
		pos, err = ParseLSN(lsn)
	}
	if err == nil {
		err = r.opts.Positions.Raise(ctx, v.Subject, pos, r.positionTTL())
	}
	if err != nil {
		r.primaryUntil.Store(time.Now().Add(r.opts.MaxLag).UnixNano())
	}
}

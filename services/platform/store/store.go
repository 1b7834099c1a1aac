// Package store opens the shared database (PostgreSQL, or SQLite as the embedded default)
// and applies the versioned migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/wenming-platform/wenming/deploy"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/privacy"
	_ "github.com/wenming-platform/wenming/ent/runtime" // installs hooks and privacy policies
	"github.com/wenming-platform/wenming/services/platform/errs"
)

// Store is an open database with its ent client.
type Store struct {
	DB      *sql.DB
	Dialect string
	Client  *ent.Client
	replica *replica // nil without a read replica (OpenReplica)
}

// Open opens url: "postgres://…" or "postgresql://…" for PostgreSQL, anything else is a
// SQLite file path (or a "file:" URI).
func Open(ctx context.Context, url string) (*Store, error) {
	var (
		db  *sql.DB
		d   string
		err error
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		d = dialect.Postgres
		db, err = openPostgres(url)
	default:
		d = dialect.SQLite
		dsn := url
		if !strings.HasPrefix(dsn, "file:") {
			if dir := filepath.Dir(dsn); dir != "" {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					return nil, err
				}
			}
			dsn = "file:" + dsn
		}
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		// A writer waits for SQLite's one write lock as long as a request may run (the
		// gateway's 30 s); past that the lock is a conflict to retry (errs: TRANSACTION_CONFLICT).
		dsn += sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(30000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		db, err = sql.Open("sqlite", dsn)
		if err == nil {
			// Every new SQLite connection parses the whole schema again; keep a fixed pool
			// (WAL lets its readers run beside the one writer).
			db.SetMaxOpenConns(8)
			db.SetMaxIdleConns(8)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	client := ent.NewClient(ent.Driver(traced(entsql.OpenDB(d, db))))
	// Every mutation through the client marks the request as a writer (Tracked), and one
	// outside a transaction as committed (NewAttempt).
	client.Use(markWrites)
	return &Store{DB: db, Dialect: d, Client: client}, nil
}

// openPostgres opens a PostgreSQL pool (the primary or a read replica).
func openPostgres(url string) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	// Idle connections are kept up to the limit: under load, closing and reopening them
	// costs more than the queries.
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// Close closes the database and the read replica.
func (s *Store) Close() error {
	var err error
	if s.replica != nil {
		err = s.replica.close()
	}
	return errors.Join(err, s.Client.Close())
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// System returns ctx marked as a named system code path: ent privacy rules let it through.
// Use it only where the code itself enforces who may act (login, token checks, bootstrap).
func System(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// Tx runs fn in a transaction and commits when it returns nil. When ctx carries an
// idempotency claim (WithIdempotency), the claim is written in the same transaction, so the
// change and the record that it happened commit together or not at all.
func (s *Store) Tx(ctx context.Context, fn func(tx *ent.Tx) error) (err error) {
	tx, err := s.Client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if c, ok := ctx.Value(idempotencyKey{}).(*IdempotencyClaim); ok && !c.written {
		if c.Complete != nil && !c.Complete() {
			return errors.Join(ErrIdempotencyIncomplete, tx.Rollback())
		}
		claimErr := tx.IdempotencyRecord.Create().SetID(c.ID).SetMethod(c.Method).SetRequestHash(c.RequestHash).SetRequestBytes(c.RequestBytes).
			SetCreateTime(c.Now).SetExpireTime(c.Now.Add(IdempotencyTTL)).Exec(System(ctx))
		if claimErr != nil {
			// Another call with the same key committed first: this one changes nothing.
			return errors.Join(ErrIdempotencyConflict, tx.Rollback())
		}
		defer func() {
			// Written only once the commit is through: a transaction the database aborted
			// wrote no claim, and a retry of the request must write it.
			c.written = c.written || !errs.Conflict(err)
		}()
	}
	// Raw statements in fn pass no ent hook: the commit itself marks the request a writer.
	markWritten(ctx)
	if err = tx.Commit(); err == nil || !errs.Conflict(err) {
		// A commit that failed for any other reason (a connection lost on the way) may
		// have happened.
		markCommitted(ctx)
	}
	return err
}

// Lock takes, for the rest of tx, the lock named key on a database of dialectName, so that
// transactions that must not interleave (two first admins of one office, two titles of one
// unit, two events of one audit chain) take turns. PostgreSQL holds a transaction-scoped
// advisory lock; SQLite needs none, its writers being serialized.
func Lock(ctx context.Context, tx *ent.Tx, dialectName, key string) error {
	if dialectName != dialect.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(System(ctx), "SELECT pg_advisory_xact_lock(hashtext($1))", key); err != nil {
		return fmt.Errorf("store: lock %s: %w", key, err)
	}
	return nil
}

// IdempotencyTTL is how long an Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// ErrIdempotencyConflict is returned by Tx when another call with the same idempotency key
// committed first.
var ErrIdempotencyConflict = errors.New("store: idempotency key already used")

// ErrIdempotencyIncomplete is returned by Tx when a streamed create commits before it read
// its whole request: the claim would record a request it has not seen, and a faithful
// retry would be refused as another request. Read to the end of the stream, then commit.
var ErrIdempotencyIncomplete = errors.New("store: a streamed create committed before reading its whole request")

// IdempotencyClaim is a create's claim on an idempotency key, written by the first Tx that
// commits under a context carrying it.
type IdempotencyClaim struct {
	ID, Method, RequestHash string
	// RequestBytes is the size of the request, all its messages for a stream.
	RequestBytes int64
	Now          time.Time
	// Complete, when set, says whether the whole request has been read (a client stream at
	// its end); the claim is refused before then.
	Complete func() bool
	written  bool
}

// Written reports whether a transaction committed the claim.
func (c *IdempotencyClaim) Written() bool { return c.written }

type idempotencyKey struct{}

// WithIdempotency returns ctx carrying the claim.
func WithIdempotency(ctx context.Context, c *IdempotencyClaim) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, c)
}

// Migrate applies the embedded migrations that the database lacks, in name order, in one
// transaction. On PostgreSQL an advisory lock makes concurrent starts of several services
// apply each migration once. It returns the names of the migrations it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	names, err := s.migrations()
	if err != nil {
		return nil, err
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if s.Dialect == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7235001)"); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS wenming_schema_migrations (version VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64) NOT NULL)`); err != nil {
		return nil, err
	}
	done, err := appliedVersions(ctx, tx)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		version := strings.TrimSuffix(filepath.Base(name), ".sql")
		if done[version] {
			continue
		}
		body, err := fs.ReadFile(deploy.Migrations, name)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", version, err)
		}
		insert := "INSERT INTO wenming_schema_migrations (version, applied_at) VALUES ($1, $2)"
		if _, err := tx.ExecContext(ctx, insert, version, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return nil, err
		}
		applied = append(applied, version)
	}
	return applied, tx.Commit()
}

// migrations returns the paths of the embedded migrations of s's dialect, in name order.
func (s *Store) migrations() ([]string, error) {
	dir := "migrations/sqlite"
	if s.Dialect == dialect.Postgres {
		dir = "migrations/postgres"
	}
	names, err := fs.Glob(deploy.Migrations, dir+"/*.sql")
	slices.Sort(names)
	return names, err
}

// Pending returns the versions of the embedded migrations the database has not applied:
// all of them on a database never migrated. It changes nothing.
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	names, err := s.migrations()
	if err != nil {
		return nil, err
	}
	done, err := appliedVersions(ctx, s.DB)
	if err != nil {
		if ok, terr := s.hasMigrationsTable(ctx); terr != nil || ok {
			// The table exists, so the query failed for another reason (or we cannot tell).
			return nil, errors.Join(err, terr)
		}
	}
	var pending []string
	for _, name := range names {
		if v := strings.TrimSuffix(filepath.Base(name), ".sql"); !done[v] {
			pending = append(pending, v)
		}
	}
	return pending, nil
}

// appliedVersions reads the versions of the migrations applied so far.
func appliedVersions(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM wenming_schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

func (s *Store) hasMigrationsTable(ctx context.Context) (bool, error) {
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'wenming_schema_migrations'"
	if s.Dialect == dialect.Postgres {
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'wenming_schema_migrations'"
	}
	var n int
	err := s.DB.QueryRowContext(ctx, q).Scan(&n)
	return n > 0, err
}

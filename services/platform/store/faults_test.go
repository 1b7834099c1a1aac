package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestFaultsAreRetryable makes the faults of a real PostgreSQL that a request can meet (a
// server that refuses connections, a connection killed under a transaction, a statement
// timeout, no connection left for the role, a serialization failure) and a full disk, and
// checks each answers the retryable code and reason with a retry delay, never INTERNAL
// (docs/errors.md, "Retrying"); a request the caller cancelled stays CANCELED.
func TestFaultsAreRetryable(t *testing.T) {
	url := storetest.URL(t, storetest.Postgres)
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	faults := map[string]func() error{
		"connection refused": func() error {
			db, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:1/test?connect_timeout=2")
			if err != nil {
				return err
			}
			defer db.Close()
			_, err = db.ExecContext(ctx, "SELECT 1")
			return err
		},
		"backend terminated": func() error {
			return st.Tx(ctx, func(tx *ent.Tx) error {
				var pid int
				rows, err := tx.QueryContext(ctx, "SELECT pg_backend_pid()")
				if err != nil {
					return err
				}
				for rows.Next() {
					if err := rows.Scan(&pid); err != nil {
						return err
					}
				}
				rows.Close()
				if _, err := admin.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
					t.Fatal(err)
				}
				_, err = tx.ExecContext(ctx, "SELECT 1")
				return err
			})
		},
		"statement timeout": func() error {
			// Set the way docs/operations.md tells operators to: a parameter of the URL.
			timed, err := store.Open(ctx, url+"&statement_timeout=50")
			if err != nil {
				return err
			}
			defer timed.Close()
			return timed.Tx(ctx, func(tx *ent.Tx) error {
				_, err := tx.ExecContext(ctx, "SELECT pg_sleep(2)")
				return err
			})
		},
		"no connection left": func() error {
			role := "wenming_full_" + uuid.NewString()[:8]
			if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN CONNECTION LIMIT 0", role)); err != nil {
				t.Fatal(err)
			}
			defer admin.ExecContext(ctx, "DROP ROLE "+role)
			db, err := sql.Open("pgx", fmt.Sprintf("postgres://%s@127.0.0.1:5432/postgres?sslmode=disable", role))
			if err != nil {
				return err
			}
			defer db.Close()
			_, err = db.ExecContext(ctx, "SELECT 1")
			return err
		},
		"serialization failure": func() error {
			if _, err := admin.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS fault_counter (id int PRIMARY KEY, n int); INSERT INTO fault_counter VALUES (1, 0) ON CONFLICT DO NOTHING"); err != nil {
				t.Fatal(err)
			}
			a, err := st.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
			if err != nil {
				return err
			}
			defer a.Rollback()
			if _, err := a.ExecContext(ctx, "SELECT n FROM fault_counter WHERE id = 1"); err != nil {
				return err
			}
			if _, err := admin.ExecContext(ctx, "UPDATE fault_counter SET n = n + 1 WHERE id = 1"); err != nil {
				t.Fatal(err)
			}
			_, err = a.ExecContext(ctx, "UPDATE fault_counter SET n = n + 1 WHERE id = 1")
			return err
		},
		"disk full": func() error {
			// What the blob store meets writing a file on a full disk.
			return fmt.Errorf("blob: write: %w", &os.PathError{Op: "write", Path: "/data/blobs/tmp/x", Err: syscall.ENOSPC})
		},
	}
	want := map[string]struct {
		code   codes.Code
		reason string
	}{
		"connection refused":    {codes.Unavailable, "BACKEND_UNAVAILABLE"},
		"backend terminated":    {codes.Unavailable, "BACKEND_UNAVAILABLE"},
		"statement timeout":     {codes.Unavailable, "BACKEND_TIMEOUT"},
		"no connection left":    {codes.Unavailable, "BACKEND_UNAVAILABLE"},
		"serialization failure": {codes.Aborted, "TRANSACTION_CONFLICT"},
		"disk full":             {codes.Unavailable, "STORAGE_FULL"},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			err := fault()
			if err == nil {
				t.Fatal("the fault did not happen")
			}
			s := errs.Status(ctx, err)
			var reason string
			var retry *errdetails.RetryInfo
			for _, d := range s.Details() {
				switch d := d.(type) {
				case *errdetails.ErrorInfo:
					reason = d.GetReason()
				case *errdetails.RetryInfo:
					retry = d
				}
			}
			if s.Code() != want[name].code || reason != want[name].reason || retry.GetRetryDelay().GetSeconds() < 1 {
				t.Errorf("%v answers %v %s (retry %v), want %v %s with a retry delay", err, s.Code(), reason, retry, want[name].code, want[name].reason)
			}
		})
	}

	// The caller's own cancellation is not the database's fault.
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = st.DB.ExecContext(cctx, "SELECT pg_sleep(2)")
	if s := errs.Status(cctx, err); s.Code() != codes.DeadlineExceeded {
		t.Errorf("a query past the caller's deadline answers %v (%v)", s.Code(), err)
	}
}

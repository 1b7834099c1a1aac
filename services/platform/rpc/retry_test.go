package rpc

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/grpc"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// deadlock is a driver error as pgconn reports PostgreSQL's deadlock_detected.
type deadlock struct{}

func (deadlock) Error() string    { return "deadlock detected" }
func (deadlock) SQLState() string { return "40P01" }

// TestConflictsRetriedOnlyWhenNothingCommitted: a unary call whose transaction the
// database aborted for a conflict is run again, up to 3 runs in all, unless its run
// committed something, which a rerun would repeat; other errors are never retried.
func TestConflictsRetriedOnlyWhenNothingCommitted(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	commit := func(ctx context.Context) error {
		return st.Tx(ctx, func(tx *ent.Tx) error {
			_, err := tx.ExecContext(ctx, "SELECT 1")
			return err
		})
	}
	cases := []struct {
		name string
		// run is the handler's n-th run (from 1).
		run       func(ctx context.Context, n int) error
		wantRuns  int
		wantError bool
	}{
		{"a conflict, then success", func(ctx context.Context, n int) error {
			if n < 3 {
				return errors.Join(deadlock{}, errors.New("rolled back"))
			}
			return nil
		}, 3, false},
		{"conflicts every time", func(ctx context.Context, n int) error { return deadlock{} }, 3, true},
		{"a conflict after a commit", func(ctx context.Context, n int) error {
			if err := commit(ctx); err != nil {
				t.Fatal(err)
			}
			return deadlock{}
		}, 1, true},
		{"a conflict after a write outside a transaction", func(ctx context.Context, n int) error {
			if _, err := st.Client.IdempotencyRecord.Delete().Exec(store.System(ctx)); err != nil {
				t.Fatal(err)
			}
			return deadlock{}
		}, 1, true},
		{"another error", func(ctx context.Context, n int) error { return errors.New("broken") }, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			counter := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "retries"}, []string{"method"})
			runs := 0
			h := func(ctx context.Context, req any) (any, error) {
				runs++
				if err := c.run(ctx, runs); err != nil {
					return nil, err
				}
				return "ok", nil
			}
			resp, err := retryConflicts(counter)(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: "/m"}, h)
			if runs != c.wantRuns || (err != nil) != c.wantError || (err == nil && resp != "ok") {
				t.Errorf("%d runs, %v %v; want %d runs, error %v", runs, resp, err, c.wantRuns, c.wantError)
			}
			var m dto.Metric
			if err := counter.WithLabelValues("/m").Write(&m); err != nil {
				t.Fatal(err)
			}
			if got := m.GetCounter().GetValue(); int(got) != runs-1 {
				t.Errorf("counted %v retries for %d runs", got, runs)
			}
			if err != nil && errs.Conflict(err) != (c.name != "another error") {
				t.Errorf("the last run's error %v is not passed on", err)
			}
		})
	}
}

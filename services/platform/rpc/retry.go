package rpc

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// conflictAttempts is how many times in all a unary call whose transaction the database
// aborted for a conflict is run (docs/errors.md, "Retrying").
const conflictAttempts = 3

// retryConflicts runs a unary handler again when its run ended in a conflict the database
// resolved by aborting its transaction (errs.Conflict: a deadlock, a serialization failure,
// SQLite's write lock waited out) and committed nothing: the run changed nothing, so running
// it again is what the client's own resend would do, without the round trip. A run that
// committed anything (an earlier transaction of the handler, a write outside one) is never
// run again: that would repeat what it committed. Streams are not retried at all: their
// requests cannot be read twice.
func retryConflicts(retries *prometheus.CounterVec) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		for attempt := 1; ; attempt++ {
			actx, run := store.NewAttempt(ctx)
			resp, err := h(actx, req)
			if err == nil || attempt == conflictAttempts || run.Committed() || !errs.Conflict(err) {
				return resp, err
			}
			retries.WithLabelValues(info.FullMethod).Inc()
			// A short random pause lets the transaction this one collided with finish,
			// and keeps the two from colliding again in step.
			pause := time.Duration(attempt) * (5*time.Millisecond + rand.N(20*time.Millisecond))
			select {
			case <-ctx.Done():
				return resp, err
			case <-time.After(pause):
			}
		}
	}
}

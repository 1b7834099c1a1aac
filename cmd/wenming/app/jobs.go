package app

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// job is a background cleanup every process runs on a timer: its runs are logged and
// measured, so an alert sees one that has stopped succeeding (docs/operations.md).
type job struct {
	name    string
	last    prometheus.Gauge
	removed prometheus.Counter
}

func newJob(reg prometheus.Registerer, name, what string) *job {
	j := &job{
		name: name,
		last: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wenming_" + name + "_last_success_timestamp_seconds", Help: "When " + what + " last succeeded (Unix time).",
		}),
		removed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wenming_" + name + "_deleted_total", Help: "What " + what + " removed.",
		}),
	}
	reg.MustRegister(j.last, j.removed)
	j.last.SetToCurrentTime() // a process that just started is not overdue
	return j
}

// done records a run that removed n things, or failed with err.
func (j *job) done(ctx context.Context, n int, err error) {
	if err != nil {
		if ctx.Err() == nil {
			slog.Error(j.name, "err", err)
		}
		return
	}
	j.last.SetToCurrentTime()
	j.removed.Add(float64(n))
	if n > 0 {
		slog.Info(j.name, "removed", n)
	}
}

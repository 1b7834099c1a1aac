package notify

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/webhookdelivery"
	"github.com/wenming-platform/wenming/services/platform/store"
)

var (
	deliveriesDesc = prometheus.NewDesc("wenming_webhook_deliveries",
		"Webhook deliveries in the outbox, by state (pending: not yet delivered; failed: given up after 24 hours).", []string{"state"}, nil)
	oldestDesc = prometheus.NewDesc("wenming_webhook_oldest_pending_seconds",
		"How long the most overdue pending webhook delivery has been due (its next attempt's time passed); 0 when none is due. "+
			"A delivery waiting out its backoff is not due, so this grows only when the workers fall behind.", nil, nil)
)

// outboxCollector reads the outbox's backlog at each scrape: the figures are the
// database's, the same whichever replica is scraped, and cost three indexed queries.
type outboxCollector struct {
	st *store.Store
}

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- deliveriesDesc
	ch <- oldestDesc
}

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ctx = store.System(ctx)
	q := c.st.Client.WebhookDelivery.Query()
	for _, state := range []webhookdelivery.State{webhookdelivery.StatePENDING, webhookdelivery.StateFAILED} {
		n, err := q.Clone().Where(webhookdelivery.StateEQ(state)).Count(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(deliveriesDesc, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(n), map[webhookdelivery.State]string{
			webhookdelivery.StatePENDING: "pending", webhookdelivery.StateFAILED: "failed"}[state])
	}
	age := 0.0
	now := time.Now()
	oldest, err := q.Clone().Where(webhookdelivery.StateEQ(webhookdelivery.StatePENDING), webhookdelivery.NextAttemptTimeLTE(now)).
		Order(webhookdelivery.ByNextAttemptTime()).First(ctx)
	switch {
	case err == nil:
		age = now.Sub(oldest.NextAttemptTime).Seconds()
	case !ent.IsNotFound(err):
		// Not a zero: a slow database must not quiet the backlog's alert.
		ch <- prometheus.NewInvalidMetric(oldestDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, age)
}

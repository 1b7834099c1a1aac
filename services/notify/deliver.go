package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/webhookdelivery"
	"github.com/wenming-platform/wenming/services/platform/store"
)

const (
	// deliveryBatch is how many due deliveries one process leases at a time, and
	// deliveryWorkers how many of them it attempts at once.
	deliveryBatch   = 20
	deliveryWorkers = 8
	// perWebhook is how many deliveries of one webhook a batch takes at most.
	perWebhook = 4
	// deliveryLease is how long a leased delivery is this process's: longer than an attempt
	// takes, so a lease runs out only when its process died.
	deliveryLease = 2 * time.Minute
	// deliveryTimeout bounds one attempt.
	deliveryTimeout = 10 * time.Second
	// retryFor is how long a delivery is retried before it is FAILED.
	retryFor = 24 * time.Hour
	// maxBackoff caps the wait between attempts.
	maxBackoff = time.Hour
)

// SignatureHeader carries a delivery's signature (docs/notifications.md):
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook's secret>".
const SignatureHeader = "Wenming-Signature"

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

var errUnreachable = errors.New("the address is loopback, link-local or private, which webhooks may not reach")

// httpClient is the client deliveries go out with: no proxy, no redirects (a redirect
// could lead anywhere), and a dialer that refuses addresses webhooks may not reach,
// checked on the address actually dialled.
func (s *Server) httpClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !s.reachable(ip) {
			return errUnreachable
		}
		return nil
	}}
	return &http.Client{
		Timeout:       deliveryTimeout,
		Transport:     &http.Transport{Proxy: nil, DialContext: d.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// deliverDue leases the deliveries due now and attempts each. The lease is a conditional
// update: of two processes that pick the same row, the second's update finds the lease
// taken and changes nothing, so each attempt is made by one process.
func (s *Server) deliverDue(ctx context.Context) error {
	sys := store.System(ctx)
	now := time.Now()
	free := webhookdelivery.Or(webhookdelivery.LeaseUntilIsNil(), webhookdelivery.LeaseUntilLT(now))
	due, err := s.st.Client.WebhookDelivery.Query().Where(webhookdelivery.StateEQ(webhookdelivery.StatePENDING),
		webhookdelivery.NextAttemptTimeLTE(now), free).Order(ent.Asc(webhookdelivery.FieldNextAttemptTime)).
		Limit(10*deliveryBatch).Select(webhookdelivery.FieldID, webhookdelivery.FieldWebhookID).All(sys)
	if err != nil || len(due) == 0 {
		return err
	}
	// A batch takes at most a few deliveries of one webhook, so one office's slow or
	// failing receiver does not fill every batch ahead of the others.
	var ids []string
	per := map[string]int{}
	for _, d := range due {
		if per[d.WebhookID] < perWebhook && len(ids) < deliveryBatch {
			per[d.WebhookID]++
			ids = append(ids, d.ID)
		}
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	token := s.owner + ":" + hex.EncodeToString(b)
	if _, err := s.st.Client.WebhookDelivery.Update().Where(webhookdelivery.IDIn(ids...), webhookdelivery.StateEQ(webhookdelivery.StatePENDING), free).
		SetLeaseOwner(token).SetLeaseUntil(now.Add(deliveryLease)).Save(sys); err != nil {
		return err
	}
	leased, err := s.st.Client.WebhookDelivery.Query().Where(webhookdelivery.LeaseOwner(token), webhookdelivery.StateEQ(webhookdelivery.StatePENDING)).
		Order(ent.Asc(webhookdelivery.FieldNextAttemptTime)).All(sys)
	if err != nil {
		return err
	}
	// Attempts run side by side, so one slow receiver holds up the batch for one timeout,
	// not one per delivery.
	var wg sync.WaitGroup
	sem := make(chan struct{}, deliveryWorkers)
	for _, d := range leased {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.attempt(ctx, d, token); err != nil {
				s.log("notify: delivery %s: %v", d.ID, err)
			}
		}()
	}
	wg.Wait()
	return nil
}

// attempt makes one attempt at d and records it: DELIVERED on a 2xx answer; otherwise
// PENDING again after a backoff (the first delay doubled per attempt, at most an hour), or
// FAILED once the next attempt would come more than 24 hours after the event.
func (s *Server) attempt(ctx context.Context, d *ent.WebhookDelivery, token string) error {
	sys := store.System(ctx)
	// The lease is renewed for this attempt, and only while this process still holds it:
	// an attempt always starts a whole lease before the lease can run out, longer than an
	// attempt can take, so no other process attempts the same delivery meanwhile.
	n, err := s.st.Client.WebhookDelivery.Update().Where(webhookdelivery.ID(d.ID), webhookdelivery.LeaseOwner(token),
		webhookdelivery.StateEQ(webhookdelivery.StatePENDING), webhookdelivery.LeaseUntilGT(time.Now())).
		SetLeaseUntil(time.Now().Add(deliveryLease)).Save(sys)
	if err != nil || n == 0 {
		return err
	}
	h, err := s.st.Client.Webhook.Get(sys, d.WebhookID)
	if err != nil {
		return err
	}
	start := time.Now()
	rec := jsonvalue.DeliveryAttempt{Time: start.UTC()}
	if h.Disabled {
		rec.Error = "the webhook is disabled"
	} else if secret, err := s.openSecret(h); err != nil {
		rec.Error = "the webhook's secret cannot be read: " + err.Error()
	} else {
		rec.StatusCode, rec.Error = s.post(ctx, h.URL, secret, d)
	}
	rec.Millis = time.Since(start).Milliseconds()
	u := s.st.Client.WebhookDelivery.UpdateOneID(d.ID).Where(webhookdelivery.LeaseOwner(token)).
		AddAttempts(1).SetAttemptsLog(append(d.AttemptsLog, rec)).SetLastStatusCode(rec.StatusCode).SetLastError(rec.Error).
		SetLeaseOwner("").ClearLeaseUntil()
	switch next := time.Now().Add(s.delay(d.Attempts + 1)); {
	case rec.Error == "" && rec.StatusCode >= 200 && rec.StatusCode < 300:
		u.SetState(webhookdelivery.StateDELIVERED).SetDeliverTime(time.Now())
	case h.Disabled || next.After(d.CreateTime.Add(retryFor)):
		u.SetState(webhookdelivery.StateFAILED)
	default:
		u.SetNextAttemptTime(next)
	}
	return u.Exec(sys)
}

// delay is the wait after the n-th failed attempt.
func (s *Server) delay(n int) time.Duration {
	d := s.backoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// post sends d to url, signed, and returns the answer's status or what went wrong.
func (s *Server) post(ctx context.Context, url string, secret []byte, d *ent.WebhookDelivery) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Wenming-Webhooks/1")
	req.Header.Set("Wenming-Event", d.EventType)
	req.Header.Set("Wenming-Event-Id", d.EventID)
	req.Header.Set("Wenming-Delivery", d.ID)
	req.Header.Set(SignatureHeader, Sign(secret, time.Now(), d.Payload))
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, errUnreachable) {
			return 0, errUnreachable.Error()
		}
		return 0, err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Sprintf("the receiver answered %d", resp.StatusCode)
	}
	return resp.StatusCode, ""
}

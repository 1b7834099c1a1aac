package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	notifyv1 "github.com/wenming-platform/wenming/api/gen/wenming/notify/v1"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Deps are what the notify server is built from.
type Deps struct {
	Store  *store.Store
	Pages  *pagetoken.Codec
	Audit  *audit.Chain
	Master *secrets.Master
	// Clock is the time deadlines are judged by (a test's fixed day); nil: the wall clock.
	// Deliveries and leases always run on the wall clock.
	Clock func() time.Time
	// Interval is how often the workers look for due work; zero means 5 seconds.
	Interval time.Duration
	// Backoff is the first retry's delay, doubled for each further one up to an hour;
	// zero means 30 seconds.
	Backoff time.Duration
	// Allow lists the private networks webhooks may reach (--webhook-allow): none by default.
	Allow []*net.IPNet
	// Log reports the workers' errors.
	Log func(format string, args ...any)
	// Registry, when set, receives the outbox backlog and the count of reminders sent.
	Registry prometheus.Registerer
}

// Server implements the notify service and runs its workers.
type Server struct {
	notifyv1.UnimplementedNotifyServiceServer

	st       *store.Store
	pages    *pagetoken.Codec
	w        *mutate.Writer
	master   *secrets.Master
	clock    func() time.Time
	interval time.Duration
	backoff  time.Duration
	allow    []*net.IPNet
	log      func(string, ...any)
	// owner names this process in the leases it takes; leased is when its reminder lease
	// ends (only Run's goroutine touches it).
	owner  string
	leased time.Time
	// dues keeps campaigns' periodic due times between reminder scans (periodicDue); only
	// the scan's goroutine touches it.
	dues   map[string][]periodic
	client *http.Client
	// reminders counts the reminders this process sent.
	reminders prometheus.Counter
}

var _ notifyv1.NotifyServiceServer = (*Server)(nil)

// NewServer returns the notify server.
func NewServer(d Deps) *Server {
	s := &Server{st: d.Store, pages: d.Pages, w: mutate.NewWriter(d.Store, d.Audit), master: d.Master, clock: d.Clock,
		interval: d.Interval, backoff: d.Backoff, allow: d.Allow, log: d.Log}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.interval == 0 {
		s.interval = 5 * time.Second
	}
	if s.backoff == 0 {
		s.backoff = 30 * time.Second
	}
	if s.log == nil {
		s.log = func(string, ...any) {}
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	s.owner = hex.EncodeToString(b)
	s.dues = map[string][]periodic{}
	s.client = s.httpClient()
	s.reminders = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "wenming_reminders_sent_total", Help: "Reminders sent by this process (each reminder once across processes).",
	})
	if d.Registry != nil {
		d.Registry.MustRegister(s.reminders, outboxCollector{st: d.Store})
	}
	return s
}

// Run runs the workers until ctx ends: the delivery of due webhook events and the
// reminder scan, each every interval, on loops of their own so slow receivers never hold
// up reminders.
func (s *Server) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for name, work := range map[string]func(context.Context) error{"delivering webhooks": s.deliverDue, "reminders": s.remindDue} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(s.interval)
			defer t.Stop()
			for {
				if err := work(ctx); err != nil && ctx.Err() == nil {
					s.log("notify: %s: %v", name, err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
}

package notify_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	notifyv1 "github.com/wenming-platform/wenming/api/gen/wenming/notify/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/notify"
	"github.com/wenming-platform/wenming/services/platform/outbox"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/review/reviewtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

// receipt is one request a receiver got.
type receipt struct {
	delivery, event, typ string
	status               int
	payload              outbox.Payload
}

// receiver is a webhook endpoint on loopback that checks every signature, answers 503 to
// its first failFirst requests, and keeps what it got.
type receiver struct {
	*httptest.Server
	secret string

	// delay is how long each answer takes.
	delay time.Duration

	mu        sync.Mutex
	failFirst int
	got       []receipt
	badSig    []string
}

func newReceiver(t *testing.T, secret string, failFirst int) *receiver {
	r := &receiver{secret: secret, failFirst: failFirst}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		time.Sleep(r.delay)
		sig := req.Header.Get(notify.SignatureHeader)
		ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
		sec, _ := strconv.ParseInt(ts, 10, 64)
		r.mu.Lock()
		defer r.mu.Unlock()
		if want := notify.Sign([]byte(r.secret), time.Unix(sec, 0), body); sig != want || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
			r.badSig = append(r.badSig, sig)
		}
		var p outbox.Payload
		_ = json.Unmarshal(body, &p)
		status := 200
		if r.failFirst > 0 {
			r.failFirst--
			status = 503
		}
		r.got = append(r.got, receipt{delivery: req.Header.Get("Wenming-Delivery"), event: req.Header.Get("Wenming-Event-Id"),
			typ: req.Header.Get("Wenming-Event"), status: status, payload: p})
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) receipts() []receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// eventually polls cond for up to 15 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// fast makes a process's notify workers poll every 20 ms, retry after 50 ms, and reach
// webhooks on 127.0.0.1 (and nothing else private).
func fast(cfg *app.Config) {
	cfg.NotifyInterval, cfg.WebhookBackoff = 20*time.Millisecond, 50*time.Millisecond
	_, lo, _ := net.ParseCIDR("127.0.0.1/32")
	cfg.WebhookAllow = []*net.IPNet{lo}
}

// TestNotify runs webhooks and reminders through the REST gateway on every store: webhook
// validation (SSRF, events, secrets, who), the events of a whole campaign delivered,
// signed, retried after failures and redelivered by hand, and a late unit's reminders on
// a controlled clock.
func TestNotify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		clock := evidencetest.NewClock()
		e := apptest.Start(t, kind, clock.Configure, fast)
		tr := e.BuildTree(t)
		const secret = "s3cret-for-the-city-hook"
		recv := newReceiver(t, secret, 2)
		hooks := "/v1/offices/" + tr.City + "/webhooks"

		// Bad webhooks are refused, naming the field; only the office's own admins manage them.
		for _, c := range []struct {
			name, field string
			hook        *notifyv1.Webhook
		}{
			{"cloud metadata", "webhook.url", &notifyv1.Webhook{Url: "http://169.254.169.254/latest/meta-data", Events: outbox.Types}},
			{"a private address", "webhook.url", &notifyv1.Webhook{Url: "http://10.1.2.3/hook", Events: outbox.Types}},
			{"IPv6 loopback", "webhook.url", &notifyv1.Webhook{Url: "http://[::1]:8080/hook", Events: outbox.Types}},
			{"the unspecified address", "webhook.url", &notifyv1.Webhook{Url: "http://0.0.0.0/hook", Events: outbox.Types}},
			{"NAT64 of a private address", "webhook.url", &notifyv1.Webhook{Url: "http://[64:ff9b::a00:5]/hook", Events: outbox.Types}},
			{"another scheme", "webhook.url", &notifyv1.Webhook{Url: "ftp://example.org/x", Events: outbox.Types}},
			{"credentials", "webhook.url", &notifyv1.Webhook{Url: "http://u:p@127.0.0.1/x", Events: outbox.Types}},
			{"no events", "webhook.events", &notifyv1.Webhook{Url: recv.URL}},
			{"an unknown event", "webhook.events[1]", &notifyv1.Webhook{Url: recv.URL, Events: []string{"title.changed", "unit.deleted"}}},
			{"a short secret", "webhook.secret", &notifyv1.Webhook{Url: recv.URL, Events: outbox.Types, Secret: "short"}},
		} {
			if r := e.Do(t, "POST", hooks, tr.CityAdmin, c.hook); r.Code != 400 || r.Field(t) != c.field {
				t.Errorf("a webhook with %s: %d %s", c.name, r.Code, r.Raw)
			}
		}
		good := &notifyv1.Webhook{Url: recv.URL + "/wenming", Events: outbox.Types, Secret: secret, Description: "市局数据中心"}
		for who, c := range map[string]struct {
			token string
			code  int
		}{"a sibling district": {tr.D2Admin, 404}, "the province": {tr.ProvAdmin, 403}, "a unit": {tr.Unit1Admin, 403}, "another province": {tr.Prov2Admin, 404}} {
			if r := e.Do(t, "POST", hooks, c.token, good); r.Code != c.code {
				t.Errorf("%s creating the city's webhook: %d %s", who, r.Code, r.Raw)
			}
		}
		hook := apptest.Call[*notifyv1.Webhook](t, e, "POST", hooks, tr.CityAdmin, good)
		if hook.GetSecret() != "" || hook.GetId() == "" {
			t.Errorf("the created webhook: %v", hook)
		}
		generated := apptest.Call[*notifyv1.Webhook](t, e, "POST", hooks, tr.CityAdmin,
			&notifyv1.Webhook{Url: recv.URL + "/other", Events: []string{outbox.TitleChanged}, Disabled: true})
		if !strings.HasPrefix(generated.GetSecret(), "whsec_") {
			t.Errorf("a generated secret: %q", generated.GetSecret())
		}
		if list := apptest.Call[*notifyv1.ListWebhooksResponse](t, e, "GET", hooks, tr.CityAdmin, nil); len(list.GetWebhooks()) != 2 ||
			strings.Contains(protoJSON(t, list), secret) {
			t.Errorf("the city's webhooks: %v", list)
		}
		for who, tok := range map[string]string{"the province": tr.ProvAdmin, "a sibling district": tr.D2Admin, "a unit": tr.Unit1Admin,
			"another province": tr.Prov2Admin, "a district below": tr.D1Admin} {
			for _, path := range []string{"/v1/webhooks/" + hook.GetId(), "/v1/webhooks/" + hook.GetId() + "/deliveries", hooks} {
				if r := e.Do(t, "GET", path, tok, nil); r.Code != 403 && r.Code != 404 {
					t.Errorf("%s reading %s: %d %s", who, path, r.Code, r.Raw)
				}
			}
			if r := e.Do(t, "PATCH", "/v1/webhooks/"+hook.GetId()+"?updateMask=disabled", tok, &notifyv1.Webhook{Disabled: true, Etag: hook.GetEtag()}); r.Code != 403 && r.Code != 404 {
				t.Errorf("%s disabling the city's webhook: %d %s", who, r.Code, r.Raw)
			}
		}

		// A whole campaign under the city: its events reach the city's webhook, signed, the
		// first two attempts answered 503 and retried.
		fx := reviewtest.Setup(t, e, tr, clock, reviewtest.Year)
		reviewtest.Cycle(t, e, tr, fx, clock)
		reviewtest.Publicity(t, e, tr, fx, clock)
		want := []string{outbox.ApplicationSubmitted, outbox.ApplicationReturned, outbox.ApplicationScored,
			outbox.CampaignPhaseChanged, outbox.ObjectionReceived, outbox.TitleChanged}
		eventually(t, "every event type delivered", func() bool {
			ok := map[string]bool{}
			for _, r := range recv.receipts() {
				if r.status == 200 {
					ok[r.typ] = true
				}
			}
			for _, w := range want {
				if !ok[w] {
					return false
				}
			}
			return true
		})
		deliveries := func() []*notifyv1.WebhookDelivery {
			var out []*notifyv1.WebhookDelivery
			for token := ""; ; {
				page := apptest.Call[*notifyv1.ListWebhookDeliveriesResponse](t, e, "GET",
					"/v1/webhooks/"+hook.GetId()+"/deliveries?pageSize=500&pageToken="+token, tr.CityAdmin, nil)
				out = append(out, page.GetDeliveries()...)
				if token = page.GetNextPageToken(); token == "" {
					return out
				}
			}
		}
		eventually(t, "no delivery pending", func() bool {
			for _, d := range deliveries() {
				if d.GetState() != notifyv1.DeliveryState_DELIVERY_STATE_DELIVERED {
					return false
				}
			}
			return true
		})
		ds := deliveries()
		// The two 503s were retried after the backoff, and the log shows every attempt.
		failed := 0
		var retried *notifyv1.WebhookDelivery
		for _, d := range ds {
			as := d.GetAttempts()
			for i, a := range as {
				if a.GetStatusCode() != 503 {
					continue
				}
				failed++
				retried = d
				if i == len(as)-1 || as[i+1].GetTime().AsTime().Sub(a.GetTime().AsTime()) < 50*time.Millisecond {
					t.Errorf("a failed attempt not retried after the backoff: %v", as)
				}
			}
			if last := as[len(as)-1]; last.GetStatusCode() != 200 || d.GetDeliverTime() == nil {
				t.Errorf("a delivered delivery's last attempt: %v", d)
			}
		}
		if failed != 2 || retried == nil {
			t.Fatalf("%d failed attempts in the log, want the receiver's 2", failed)
		}
		if len(recv.badSig) > 0 {
			t.Errorf("deliveries with a bad signature: %v", recv.badSig)
		}
		perDelivery := map[string]int{}
		for _, r := range recv.receipts() {
			if r.status == 200 {
				perDelivery[r.delivery]++
			}
			if r.payload.Type != r.typ || r.payload.ID != r.event || r.payload.ResourceID == "" {
				t.Errorf("a delivery's body does not match its headers: %+v", r)
			}
		}
		if len(perDelivery) != len(ds) {
			t.Errorf("%d deliveries in the log, %d received", len(ds), len(perDelivery))
		}
		for id, n := range perDelivery {
			if n != 1 {
				t.Errorf("delivery %s accepted %d times", id, n)
			}
		}
		// The disabled webhook, though subscribed to title changes, got nothing.
		if d := apptest.Call[*notifyv1.ListWebhookDeliveriesResponse](t, e, "GET", "/v1/webhooks/"+generated.GetId()+"/deliveries", tr.CityAdmin, nil); len(d.GetDeliveries()) != 0 {
			t.Errorf("a disabled webhook has deliveries: %v", d.GetDeliveries())
		}

		// Redelivery by hand: the same event, a new delivery.
		again := apptest.Call[*notifyv1.WebhookDelivery](t, e, "POST", "/v1/webhooks/"+hook.GetId()+"/deliveries/"+retried.GetId()+":redeliver", tr.CityAdmin, "{}")
		if again.GetEventId() != retried.GetEventId() || again.GetRedeliveryOf() != retried.GetId() || again.GetId() == retried.GetId() {
			t.Errorf("the redelivery: %v", again)
		}
		eventually(t, "the redelivery", func() bool {
			for _, r := range recv.receipts() {
				if r.delivery == again.GetId() && r.event == retried.GetEventId() && r.status == 200 {
					return true
				}
			}
			return false
		})
		if r := e.Do(t, "POST", "/v1/webhooks/"+hook.GetId()+"/deliveries/"+retried.GetId()+":redeliver", tr.D2Admin, "{}"); r.Code != 404 {
			t.Errorf("a sibling district redelivering: %d %s", r.Code, r.Raw)
		}

		// Updating needs the mask and the etag; a URL that turns private is refused.
		if r := e.Do(t, "PATCH", "/v1/webhooks/"+hook.GetId()+"?updateMask=url", tr.CityAdmin,
			&notifyv1.Webhook{Url: "http://192.168.1.1/", Etag: hook.GetEtag()}); r.Code != 400 || r.Field(t) != "webhook.url" {
			t.Errorf("updating to a private URL: %d %s", r.Code, r.Raw)
		}
		if r := e.Do(t, "PATCH", "/v1/webhooks/"+hook.GetId()+"?updateMask=description", tr.CityAdmin,
			&notifyv1.Webhook{Description: "x", Etag: "99"}); r.Code != 409 {
			t.Errorf("a stale etag: %d %s", r.Code, r.Raw)
		}

		reminders(t, e, tr, fx, clock, recv)

		// An office holds at most 20 webhooks.
		for i := 2; i < 20; i++ {
			apptest.Call[*notifyv1.Webhook](t, e, "POST", hooks, tr.CityAdmin, &notifyv1.Webhook{Url: recv.URL, Events: []string{outbox.TitleChanged}, Disabled: true})
		}
		if r := e.Do(t, "POST", hooks, tr.CityAdmin, &notifyv1.Webhook{Url: recv.URL, Events: []string{outbox.TitleChanged}}); r.Code != 400 || r.Reason(t) != "TOO_MANY_WEBHOOKS" {
			t.Errorf("a 21st webhook: %d %s", r.Code, r.Raw)
		}
	})
}

// reminders: U3 applies to a new campaign of the district and never submits. A week before
// the deadline (on the process's clock) its users get a reminder, the day after an
// overdue one, each once; the webhook gets reminder.sent.
func reminders(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *reviewtest.Fixture, clock *evidencetest.Clock, recv *receiver) {
	settings := "/v1/offices/" + fx.Office + "/reminderSettings"
	if s := apptest.Call[*notifyv1.ReminderSettings](t, e, "GET", settings, fx.Viewer, nil); !slices.Equal(s.GetDaysBefore(), []int32{7, 1}) || !slices.Equal(s.GetDaysAfter(), []int32{1}) {
		t.Errorf("the default settings: %v", s)
	}
	for _, c := range []struct {
		name  string
		token string
		body  *notifyv1.ReminderSettings
		code  int
	}{
		{"a zero offset", fx.Admin, &notifyv1.ReminderSettings{DaysBefore: []int32{0}}, 400},
		{"a viewer", fx.Viewer, &notifyv1.ReminderSettings{DaysBefore: []int32{3}}, 403},
		{"a sibling district", tr.D2Admin, &notifyv1.ReminderSettings{DaysBefore: []int32{3}}, 404},
		{"a unit", fx.UnitTokens["U3"], &notifyv1.ReminderSettings{DaysBefore: []int32{3}}, 403},
	} {
		if r := e.Do(t, "PATCH", settings+"?updateMask=daysBefore", c.token, c.body); r.Code != c.code {
			t.Errorf("settings with %s: %d %s", c.name, r.Code, r.Raw)
		}
	}
	set := apptest.Call[*notifyv1.ReminderSettings](t, e, "PATCH", settings+"?updateMask=daysBefore", fx.Admin, &notifyv1.ReminderSettings{DaysBefore: []int32{1, 7}})
	if !slices.Equal(set.GetDaysBefore(), []int32{7, 1}) || set.GetEtag() != "1" {
		t.Errorf("the settings as set: %v", set)
	}

	src := apptest.Call[*standardsv1.Campaign](t, e, "GET", "/v1/campaigns/"+fx.Campaign, fx.Admin, nil)
	now := clock.Now()
	day := 24 * time.Hour
	w := func(from, to time.Duration) *standardsv1.Window {
		return &standardsv1.Window{StartTime: timestamppb.New(now.Add(from)), EndTime: timestamppb.New(now.Add(to))}
	}
	c := apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/offices/"+fx.Office+"/campaigns", fx.Admin, &standardsv1.Campaign{
		StandardId: src.GetStandardId(), Year: fx.Year, TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT, DisplayName: "2026 年度文明单位测评（补报）",
		ApplicationWindow: w(-time.Hour, 5*day), SubmissionWindow: w(0, 20*day), ReviewWindow: w(21*day, 30*day), PublicityWindow: w(31*day, 38*day),
		Quota: &standardsv1.Quota{Limit: &standardsv1.Quota_Count{Count: 1}}})
	apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+c.GetId()+":transition", fx.Admin,
		&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_OPEN, Force: true, Reason: "测试"})
	app := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+c.GetId()+"/applications", fx.UnitTokens["U3"],
		&evidencev1.Application{UnitId: fx.Units["U3"]})
	deadline := c.GetSubmissionWindow().GetEndTime().AsTime()

	inbox := func(token string) *notifyv1.ListMyNotificationsResponse {
		return apptest.Call[*notifyv1.ListMyNotificationsResponse](t, e, "GET", "/v1/me/notifications", token, nil)
	}
	kinds := func(token string) []string {
		var out []string
		for _, n := range inbox(token).GetNotifications() {
			if n.GetResourceId() == app.GetId() {
				out = append(out, n.GetKind())
			}
		}
		return out
	}
	// Six days before the deadline the week's reminder is due (09:00 seven days before).
	clock.Set(deadline.Add(-6 * day))
	eventually(t, "the week's reminder", func() bool { return len(kinds(fx.UnitTokens["U3"])) == 1 })
	time.Sleep(150 * time.Millisecond) // several more scans
	if k := kinds(fx.UnitTokens["U3"]); !slices.Equal(k, []string{"SUBMISSION_DUE"}) {
		t.Errorf("U3's reminders a week before: %v", k)
	}
	if k := kinds(fx.UnitTokens["U4"]); len(k) != 0 {
		t.Errorf("U4, which did not apply, got %v", k)
	}
	// The day after the deadline: overdue, once.
	clock.Set(deadline.Add(day + 2*time.Hour))
	eventually(t, "the overdue reminder", func() bool { return len(kinds(fx.UnitTokens["U3"])) == 2 })
	time.Sleep(150 * time.Millisecond)
	box := inbox(fx.UnitTokens["U3"])
	if k := kinds(fx.UnitTokens["U3"]); !slices.Equal(k, []string{"SUBMISSION_OVERDUE", "SUBMISSION_DUE"}) || box.GetUnread() < 2 {
		t.Errorf("U3's reminders after the deadline: %v (unread %d)", k, box.GetUnread())
	}
	n := box.GetNotifications()[0]
	if !strings.Contains(n.GetSubject(), "补报") || !n.GetDueTime().AsTime().Equal(deadline) {
		t.Errorf("the overdue reminder: %v", n)
	}
	if r := e.Do(t, "POST", "/v1/me/notifications/"+n.GetId()+":markRead", fx.UnitTokens["U4"], "{}"); r.Code != 404 {
		t.Errorf("marking another user's notification: %d %s", r.Code, r.Raw)
	}
	read := apptest.Call[*notifyv1.Notification](t, e, "POST", "/v1/me/notifications/"+n.GetId()+":markRead", fx.UnitTokens["U3"], "{}")
	if !read.GetRead() || inbox(fx.UnitTokens["U3"]).GetUnread() != box.GetUnread()-1 {
		t.Errorf("after marking read: %v", read)
	}
	eventually(t, "reminder.sent delivered", func() bool {
		count := 0
		for _, r := range recv.receipts() {
			if r.typ == outbox.ReminderSent && r.status == 200 && r.payload.ResourceID == c.GetId() {
				count++
			}
		}
		return count == 2
	})

	// A warned title's rectification deadline: the day before, its unit's admin is reminded.
	u1 := apptest.Call[*tenancyv1.ListTitlesResponse](t, e, "GET", "/v1/units/"+fx.Units["U1"]+"/titles", fx.Admin, nil).GetTitles()[0]
	due := time.Now().Add(40 * day).Truncate(time.Second)
	apptest.Call[*tenancyv1.TitleRecord](t, e, "POST", "/v1/titles/"+u1.GetId()+":transition", fx.Admin, &tenancyv1.TransitionTitleRequest{
		To: tenancyv1.TitleState_TITLE_STATE_WARNED, Reason: "复查发现问题", DocumentNumber: "拱文明委〔2026〕11号", RectificationDeadline: timestamppb.New(due)})
	clock.Set(due.Add(-12 * time.Hour))
	eventually(t, "the rectification reminder", func() bool {
		for _, n := range inbox(fx.UnitTokens["U1"]).GetNotifications() {
			if n.GetKind() == "RECTIFICATION_DUE" && n.GetResourceId() == u1.GetId() {
				return true
			}
		}
		return false
	})
}

func protoJSON(t *testing.T, m proto.Message) string {
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTwoProcessesOnce runs two processes on one PostgreSQL database, both polling every
// 20 ms: every webhook delivery reaches the receiver once, and each reminder goes out once,
// whichever process finds it first.
func TestTwoProcessesOnce(t *testing.T) {
	url := storetest.URL(t, storetest.Postgres)
	master, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	clock := evidencetest.NewClock()
	shared := func(cfg *app.Config) { cfg.DatabaseURL, cfg.MasterKey = url, master.Encode() }
	a := apptest.Start(t, storetest.Postgres, clock.Configure, fast, shared)
	b := apptest.Start(t, storetest.Postgres, clock.Configure, fast, shared, func(cfg *app.Config) { cfg.NoMigrate = true })
	tr := a.BuildTree(t)
	const secret = "s3cret-for-two-processes"
	recv := newReceiver(t, secret, 0)
	// A slow receiver keeps deliveries pending while the other process looks for due ones.
	recv.delay = 30 * time.Millisecond
	apptest.Call[*notifyv1.Webhook](t, b, "POST", "/v1/offices/"+tr.City+"/webhooks", tr.CityAdmin,
		&notifyv1.Webhook{Url: recv.URL, Events: outbox.Types, Secret: secret})

	fx := reviewtest.Setup(t, a, tr, clock, reviewtest.Year)
	src := apptest.Call[*standardsv1.Campaign](t, b, "GET", "/v1/campaigns/"+fx.Campaign, fx.Admin, nil)
	now, day := clock.Now(), 24*time.Hour
	w := func(from, to time.Duration) *standardsv1.Window {
		return &standardsv1.Window{StartTime: timestamppb.New(now.Add(from)), EndTime: timestamppb.New(now.Add(to))}
	}
	c := apptest.Call[*standardsv1.Campaign](t, b, "POST", "/v1/offices/"+fx.Office+"/campaigns", fx.Admin, &standardsv1.Campaign{
		StandardId: src.GetStandardId(), Year: fx.Year, TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT, DisplayName: "补报",
		ApplicationWindow: w(-time.Hour, 5*day), SubmissionWindow: w(0, 20*day), ReviewWindow: w(21*day, 30*day), PublicityWindow: w(31*day, 38*day),
		Quota: &standardsv1.Quota{Limit: &standardsv1.Quota_Count{Count: 1}}})
	apptest.Call[*standardsv1.Campaign](t, a, "POST", "/v1/campaigns/"+c.GetId()+":transition", fx.Admin,
		&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_OPEN, Force: true, Reason: "测试"})
	for _, u := range []string{"U1", "U3", "U4", "U5"} {
		apptest.Call[*evidencev1.Application](t, b, "POST", "/v1/campaigns/"+c.GetId()+"/applications", fx.UnitTokens[u], &evidencev1.Application{UnitId: fx.Units[u]})
	}
	clock.Set(c.GetSubmissionWindow().GetEndTime().AsTime().Add(-6 * day))
	count := func() int {
		n := 0
		for _, u := range []string{"U1", "U3", "U4", "U5"} {
			n += len(apptest.Call[*notifyv1.ListMyNotificationsResponse](t, a, "GET", "/v1/me/notifications", fx.UnitTokens[u], nil).GetNotifications())
		}
		return n
	}
	eventually(t, "the reminders", func() bool { return count() == 4 })
	time.Sleep(300 * time.Millisecond) // both processes scan many more times
	if n := count(); n != 4 {
		t.Errorf("%d notifications for four units' admins, want 4", n)
	}
	eventually(t, "the reminder's webhook event", func() bool {
		for _, r := range recv.receipts() {
			if r.typ == outbox.ReminderSent {
				return true
			}
		}
		return false
	})
	time.Sleep(300 * time.Millisecond)
	deliveries, events := map[string]int{}, map[string]int{}
	for _, r := range recv.receipts() {
		deliveries[r.delivery]++
		events[r.event]++
	}
	for id, n := range deliveries {
		if n != 1 {
			t.Errorf("delivery %s received %d times", id, n)
		}
	}
	for id, n := range events {
		if n != 1 {
			t.Errorf("event %s received %d times", id, n)
		}
	}
	if len(deliveries) < 10 {
		t.Errorf("only %d deliveries: the setup's events did not all arrive", len(deliveries))
	}
}

// TestEvidenceReminders: a unit that has not reported its March evidence (monthly, due by
// the 20th of April) is reminded a week before, in the office's zone, and the day after.
func TestEvidenceReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		clock := evidencetest.NewClock() // 2026-04-15 10:00 in Shanghai
		e := apptest.Start(t, kind, clock.Configure, fast)
		tr := e.BuildTree(t)
		fx := evidencetest.Setup(t, e, tr, 2026)
		app := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit1Admin,
			&evidencev1.Application{UnitId: tr.Unit1})
		mine := func(token string) []*notifyv1.Notification {
			return apptest.Call[*notifyv1.ListMyNotificationsResponse](t, e, "GET", "/v1/me/notifications", token, nil).GetNotifications()
		}
		eventually(t, "the evidence reminder", func() bool { return len(mine(tr.Unit1Submitter)) == 1 })
		n := mine(tr.Unit1Admin)
		due := time.Date(2026, 4, 21, 0, 0, 0, 0, evidencetest.Shanghai)
		if len(n) != 1 || n[0].GetKind() != "EVIDENCE_DUE" || !strings.Contains(n[0].GetSubject(), "2026-03") ||
			!n[0].GetDueTime().AsTime().Equal(due) || n[0].GetResourceId() != app.GetId() {
			t.Fatalf("Unit1's admin's inbox: %v", n)
		}
		clock.Set(due.Add(34 * time.Hour)) // 22 April, 10:00
		eventually(t, "the overdue evidence reminder", func() bool { return len(mine(tr.Unit1Admin)) == 2 })
		time.Sleep(100 * time.Millisecond)
		if n := mine(tr.Unit1Admin); len(n) != 2 || n[0].GetKind() != "EVIDENCE_OVERDUE" {
			t.Errorf("after the due day: %v", n)
		}
		if n := mine(tr.D1Admin); len(n) != 0 {
			t.Errorf("the office's admin got %v", n)
		}
	})
}

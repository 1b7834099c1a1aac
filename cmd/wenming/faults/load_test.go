//go:build faults || soak

package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/review/reviewtest"
)

// actor is a signed-in user of the load; it signs in again when its token expires or a
// restart revoked nothing but the process forgot nothing either (401 is always retried
// once with a fresh token).
type actor struct {
	login, password, addr string
	mu                    sync.Mutex
	token                 string
}

// actors counts the actors made, each given a client address of its own.
var actors atomic.Int64

// newActor is a user of the tree's password convention, who sends from an address of its
// own (X-Forwarded-For, which the gateway believes from loopback), as units do from their
// own networks: login limits count per address (docs/authorization.md).
func newActor(login string) *actor {
	n := actors.Add(1)
	return &actor{login: login, password: login + "-password", addr: fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)}
}

// fixture is what the load works on: units applying with evidence to submit and files to
// upload, and a campaign in review whose reviewers save scores.
type fixture struct {
	units []*unitLoad
	// sheets are each reviewer's assignments.
	reviewers                  []*actor
	sheets                     [][]string
	reviewAdmin, districtAdmin *actor
	campaign, district, period string
	// items are the evidence items (indicator/period) the submitters fill, one after another.
	items    []string
	env      *apptest.Env
	tree     *apptest.Tree
	evidence *evidencetest.Fixture
	review   *reviewtest.Fixture
}

// unitLoad is a unit's application and its admin, who uploads and submits.
type unitLoad struct {
	name, app string
	admin     *actor
	// sent counts the submissions sent for each of the fixture's items. Only the unit's
	// own submitter touches it.
	sent []int
}

// itemRevisions is as many revisions as the evidence service lets one item have
// (docs/evidence.md). The load never sends an item more submissions than that, however
// long a scenario runs, so REVISION_LIMIT stays an answer no retry explains.
const itemRevisions = 50

// setupFixture builds the tree, units applying to a district campaign (their
// deadlines extended, so any day of the year works) and reviewtest's campaign in REVIEW
// with its sheets assigned, through the cluster's first gateway.
func setupFixture(t testing.TB, c *cluster, units int) *fixture {
	t.Helper()
	e := apptest.Dial(c.bases[0])
	tr := e.BuildTree(t)
	fx := &fixture{env: e, tree: tr, period: strconv.Itoa(int(evidencetest.ThisYear())), district: tr.D1,
		districtAdmin: newActor("d1-admin")}
	// Two items whose windows are open on any day of the year: the annual 1.3 and the
	// first quarter of 2.1.
	fx.items = []string{"1.3/" + fx.period, "2.1/" + fx.period + "-Q1"}
	fx.evidence = evidencetest.Setup(t.(*testing.T), e, tr, evidencetest.ThisYear())
	for i := range units {
		login := fmt.Sprintf("load-u%d", i)
		admin := newActor(login)
		unit := apptest.Call[*tenancyv1.Unit](t, e, "POST", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, &tenancyv1.Unit{
			DisplayName: fmt.Sprintf("西湖区第%d中学", i+1), CreditCode: apptest.CreditCode(fmt.Sprintf("12330106MC%04d00X", i+1)),
			Category: tenancyv1.UnitCategory_UNIT_CATEGORY_SCHOOL,
		}).GetId()
		e.User(t, tr.D1Admin, "/v1/units/"+unit+"/users", login, authzv1.Role_ROLE_UNIT_ADMIN)
		from := apptest.Header{"X-Forwarded-For": admin.addr}
		token := apptest.Call[*tenancyv1.TokenResponse](t, e, "POST", "/v1/auth/login", "",
			&tenancyv1.LoginRequest{Login: login, Password: admin.password}, from).GetAccessToken()
		app := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+fx.evidence.Second+"/applications", token, &evidencev1.Application{}, from).GetId()
		apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+app+":extend", tr.D1Admin, &evidencev1.ExtendDeadlineRequest{
			DueTime: timestamppb.New(time.Now().Add(72 * time.Hour)), Reason: "故障测试：统一延期"})
		fx.units = append(fx.units, &unitLoad{name: login, app: app, admin: admin, sent: make([]int, len(fx.items))})
		// A first draft, so that the item the readers read exists from the start.
		apptest.Call[*evidencev1.Evidence](t, e, "PUT", "/v1/applications/"+app+"/evidence/1.3/"+fx.period, token,
			&evidencev1.EvidenceContent{Narrative: "初稿"}, from)
	}
	clock := evidencetest.NewClock()
	clock.Set(time.Now())
	fx.review = reviewtest.Setup(t.(*testing.T), e, tr, clock, evidencetest.ThisYear())
	fx.campaign, fx.reviewAdmin = fx.review.Campaign, newActor("review-admin")
	apptest.Call[*reviewv1.AssignReviewersResponse](t, e, "POST", "/v1/campaigns/"+fx.campaign+":assignReviewers", fx.review.Admin, "{}")
	for _, name := range []string{"r1", "r2", "r3"} {
		var sheets []string
		for _, a := range apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/reviewers/me/assignments?campaignId="+fx.campaign, fx.review.Reviewers[name], nil).GetAssignments() {
			sheets = append(sheets, a.GetId())
		}
		fx.reviewers = append(fx.reviewers, newActor("review-"+name))
		fx.sheets = append(fx.sheets, sheets)
	}
	return fx
}

// sample is one HTTP exchange of the load: what it was, when, and how it ended. code is
// 0 when no answer came (the connection was refused or broken).
type sample struct {
	op         string
	phase      string
	end        time.Time
	latency    time.Duration
	code       int
	reason     string
	retryAfter bool
}

// upload, submission and scoreSave are the ledger: what the load sent and what the
// platform acknowledged, checked against the stores afterwards.
type upload struct {
	key, app string
	content  []byte
	fileID   string // acknowledged (201)
	done     bool   // acknowledged as already done (IDEMPOTENT_REQUEST_DONE)
}

type submission struct {
	key, app, narrative string
	number              int32 // acknowledged revision
	done                bool
}

type scoreSave struct {
	sheet string
	marks []*reviewv1.Score
	acked bool
}

// load is the mixed load: an uploader and a submitter per unit, a scorer per reviewer,
// and readers, spread over the gateways, each retrying as docs/errors.md advises.
type load struct {
	t      testing.TB
	c      *cluster
	fx     *fixture
	client *http.Client
	// think is each worker's pause between operations, submitPause a submitter's (the soak
	// spaces submissions out, so that its units' items last it through); maxFile the
	// largest upload.
	think, submitPause time.Duration
	maxFile            int
	giveUp             time.Duration

	mu          sync.Mutex
	phase       string
	samples     []sample
	uploads     []*upload
	submissions []*submission
	saves       []*scoreSave
	// unexpected are answers no retry policy explains (4xx the load never provokes);
	// failed describes each 5xx answer.
	unexpected, failed []string

	stop chan struct{}
	wg   sync.WaitGroup
	seq  atomic.Int64
}

func newLoad(t testing.TB, c *cluster, fx *fixture) *load {
	return &load{t: t, c: c, fx: fx, think: 20 * time.Millisecond, maxFile: 64 << 10, giveUp: 2 * time.Minute,
		client: &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}},
		phase:  "before", stop: make(chan struct{})}
}

// setPhase labels the samples that end from now on.
func (l *load) setPhase(p string) {
	l.mu.Lock()
	l.phase = p
	l.mu.Unlock()
}

// retryable says whether the load sends a request again after this answer: no answer,
// the retryable codes of docs/errors.md ("Retrying"), and 401 after signing in again.
func retryable(code int, reason string) bool {
	switch code {
	case 0, 401, 429, 502, 503, 504:
		return true
	case 409:
		return reason == "TRANSACTION_CONFLICT" || reason == "IDEMPOTENCY_KEY_IN_USE"
	}
	return false
}

// errorReason reads the ErrorInfo reason of an error answer.
func errorReason(raw []byte) string {
	var body struct {
		Details []struct {
			Type   string `json:"@type"`
			Reason string `json:"reason"`
		} `json:"details"`
	}
	if json.Unmarshal(raw, &body) != nil {
		return ""
	}
	for _, d := range body.Details {
		if strings.HasSuffix(d.Type, "google.rpc.ErrorInfo") {
			return d.Reason
		}
	}
	return ""
}

// call sends a request as a, through a random gateway, until it gets an answer that is
// not retryable or gives up; it returns the last answer. Every attempt is a sample.
func (l *load) call(op string, a *actor, method, path string, body []byte, hdr map[string]string) (int, []byte, string) {
	deadline := time.Now().Add(l.giveUp)
	wait := 50 * time.Millisecond
	for {
		start := time.Now()
		base := l.c.bases[rand.IntN(len(l.c.bases))]
		code, raw, h := l.once(a, method, base+path, body, hdr)
		reason := ""
		if code >= 400 {
			reason = errorReason(raw)
		}
		l.mu.Lock()
		l.samples = append(l.samples, sample{op: op, phase: l.phase, end: time.Now(), latency: time.Since(start), code: code, reason: reason,
			retryAfter: h.Get("Retry-After") != ""})
		if code >= 500 {
			l.failed = append(l.failed, fmt.Sprintf("%s %s %s%s at %s: %d %.200s", op, method, base, path, time.Now().Format("15:04:05.000"), code, raw))
		}
		l.mu.Unlock()
		if !retryable(code, reason) || time.Now().After(deadline) {
			return code, raw, reason
		}
		if code == 401 {
			a.signOut()
			continue
		}
		// Retry-After is honoured up to a second (the suite's clock runs fast); then an
		// exponential backoff, as docs/errors.md tells clients.
		pause := wait
		if ra, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
			pause = max(pause, min(time.Duration(ra)*time.Second, time.Second))
		}
		wait = min(2*wait, time.Second)
		select {
		case <-l.stop:
			if time.Now().After(deadline) {
				return code, raw, reason
			}
		default:
		}
		time.Sleep(pause)
	}
}

// once sends one request; code is 0 when no answer came.
func (l *load) once(a *actor, method, url string, body []byte, hdr map[string]string) (int, []byte, http.Header) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		l.t.Fatal(err)
	}
	if a != nil {
		tok := a.signIn(l)
		if tok == "" {
			return 0, nil, http.Header{}
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("X-Forwarded-For", a.addr)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, nil, http.Header{}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, http.Header{}
	}
	return resp.StatusCode, raw, resp.Header
}

// signIn returns a's token, signing in when it has none.
func (a *actor) signIn(l *load) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" {
		return a.token
	}
	body, _ := json.Marshal(map[string]string{"login": a.login, "password": a.password})
	code, raw, _ := l.once(nil, "POST", l.c.bases[rand.IntN(len(l.c.bases))]+"/v1/auth/login", body, map[string]string{"X-Forwarded-For": a.addr})
	if code != 200 {
		return ""
	}
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	_ = json.Unmarshal(raw, &tok)
	a.token = tok.AccessToken
	return a.token
}

func (a *actor) signOut() {
	a.mu.Lock()
	a.token = ""
	a.mu.Unlock()
}

// start runs the workers until stopAndWait.
func (l *load) start() {
	// Three uploaders and three submitters, each going round its share of the units, so
	// that an item's revisions grow as a unit's would, not by thousands.
	for w := range 3 {
		var mine []*unitLoad
		for i := w; i < len(l.fx.units); i += 3 {
			mine = append(mine, l.fx.units[i])
		}
		l.worker(func(i int) { l.uploadOnce(mine[i%len(mine)], i) })
		l.worker(func(i int) {
			l.submitOnce(mine[i%len(mine)], i)
			time.Sleep(l.submitPause)
		})
	}
	for r, a := range l.fx.reviewers {
		rng := rand.New(rand.NewPCG(uint64(r), 7))
		l.worker(func(i int) { l.scoreOnce(a, l.fx.sheets[r][i%len(l.fx.sheets[r])], rng) })
	}
	for range 2 {
		l.worker(func(i int) { l.readOnce(i) })
	}
}

func (l *load) worker(op func(i int)) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for i := 0; ; i++ {
			select {
			case <-l.stop:
				return
			default:
			}
			op(i)
			time.Sleep(l.think)
		}
	}()
}

// stopAndWait stops the workers; each finishes (or gives up on) its operation first.
func (l *load) stopAndWait() {
	close(l.stop)
	l.wg.Wait()
}

func (l *load) uploadOnce(u *unitLoad, i int) {
	key := fmt.Sprintf("%s-up-%d-%d", u.name, i, l.seq.Add(1))
	pad := make([]byte, rand.IntN(l.maxFile))
	for j := range pad {
		pad[j] = byte(rand.IntN(256))
	}
	up := &upload{key: key, app: u.app, content: append(evidencetest.PDF(key), pad...)}
	l.mu.Lock()
	l.uploads = append(l.uploads, up)
	l.mu.Unlock()
	code, raw, reason := l.call("upload", u.admin, "PUT", "/v1/applications/"+u.app+"/files", up.content,
		map[string]string{"Idempotency-Key": key, "X-File-Name": key + ".pdf", "Content-Type": "application/pdf"})
	switch {
	case code == 201:
		var f evidencev1.File
		if err := protojson.Unmarshal(raw, &f); err == nil {
			l.mu.Lock()
			up.fileID = f.GetId()
			l.mu.Unlock()
		}
	case reason == "IDEMPOTENT_REQUEST_DONE":
		l.mu.Lock()
		up.done = true
		l.mu.Unlock()
	default:
		l.odd("upload", code, reason, raw)
	}
}

func (l *load) submitOnce(u *unitLoad, i int) {
	k := slices.IndexFunc(u.sent, func(n int) bool { return n < itemRevisions })
	if k < 0 {
		return // every item of the unit has had all its revisions
	}
	n := l.seq.Add(1)
	// 1.3 takes 10 characters at most: the sequence number keeps them unique, across items.
	s := &submission{key: fmt.Sprintf("%s-sub-%d-%d", u.name, i, n), app: u.app, narrative: fmt.Sprintf("台账%d", n)}
	item := "/v1/applications/" + u.app + "/evidence/" + l.fx.items[k]
	draft, _ := protojson.Marshal(&evidencev1.EvidenceContent{Narrative: s.narrative})
	if code, raw, reason := l.call("draft", u.admin, "PUT", item, draft, nil); code != 200 {
		l.odd("draft", code, reason, raw)
		return
	}
	l.mu.Lock()
	l.submissions = append(l.submissions, s)
	l.mu.Unlock()
	u.sent[k]++
	code, raw, reason := l.call("submit", u.admin, "POST", item+":submit", []byte("{}"), map[string]string{"Idempotency-Key": s.key})
	switch {
	case code == 200:
		var ev evidencev1.Evidence
		if err := protojson.Unmarshal(raw, &ev); err == nil && len(ev.GetRevisions()) > 0 {
			last := ev.GetRevisions()[len(ev.GetRevisions())-1]
			l.mu.Lock()
			s.number = last.GetNumber()
			if last.GetContent().GetNarrative() != s.narrative {
				l.unexpected = append(l.unexpected, fmt.Sprintf("submit %s froze %q, not the draft %q", s.key, last.GetContent().GetNarrative(), s.narrative))
			}
			l.mu.Unlock()
		}
	case reason == "IDEMPOTENT_REQUEST_DONE":
		l.mu.Lock()
		s.done = true
		l.mu.Unlock()
	default:
		l.odd("submit", code, reason, raw)
	}
}

func (l *load) scoreOnce(a *actor, sheet string, rng *rand.Rand) {
	s := &scoreSave{sheet: sheet, marks: reviewtest.RandomMarks(rng)}
	l.mu.Lock()
	l.saves = append(l.saves, s)
	l.mu.Unlock()
	body, _ := protojson.Marshal(&reviewv1.SaveScoresRequest{Scores: s.marks})
	code, raw, reason := l.call("score", a, "POST", "/v1/assignments/"+sheet+":saveScores", body, nil)
	if code == 200 {
		l.mu.Lock()
		s.acked = true
		l.mu.Unlock()
		return
	}
	l.odd("score", code, reason, raw)
}

func (l *load) readOnce(i int) {
	var code int
	var reason string
	var raw []byte
	switch i % 3 {
	case 0:
		code, raw, reason = l.call("read", l.fx.reviewAdmin, "GET", "/v1/campaigns/"+l.fx.campaign+"/ranking", nil, nil)
	case 1:
		code, raw, reason = l.call("read", l.fx.districtAdmin, "GET", "/v1/offices/"+l.fx.district+"/units?pageSize=50", nil, nil)
	default:
		u := l.fx.units[rand.IntN(len(l.fx.units))]
		code, raw, reason = l.call("read", u.admin, "GET", "/v1/applications/"+u.app+"/evidence/1.3/"+l.fx.period, nil, nil)
	}
	if code != 200 {
		l.odd("read", code, reason, raw)
	}
}

// odd records an operation that ended without success after its retries.
func (l *load) odd(op string, code int, reason string, raw []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.stop:
		if retryable(code, reason) {
			return // given up because the load was stopping
		}
	default:
	}
	l.unexpected = append(l.unexpected, fmt.Sprintf("%s ended %d %s: %.300s", op, code, reason, raw))
}

// report is what one run of the load saw.
type report struct {
	// byCode counts the answers per phase, as "503 BACKEND_UNAVAILABLE", "200", "no answer".
	byCode map[string]map[string]int
	// total, ok by phase; internal is every 500 seen; noRetryAfter every 503 without it.
	total, ok              map[string]int
	internal, noRetryAfter int
	// recovery is how long after the fault was healed every kind of operation succeeded again.
	recovery time.Duration
}

// summarize counts the samples; healed is when the fault ended (zero: none).
func (l *load) summarize(healed time.Time) report {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := report{byCode: map[string]map[string]int{}, total: map[string]int{}, ok: map[string]int{}}
	firstOK := map[string]time.Time{}
	for _, s := range l.samples {
		key := strconv.Itoa(s.code)
		if s.code == 0 {
			key = "no answer"
		}
		if s.reason != "" {
			key += " " + s.reason
		}
		if r.byCode[s.phase] == nil {
			r.byCode[s.phase] = map[string]int{}
		}
		r.byCode[s.phase][key]++
		r.total[s.phase]++
		if s.code >= 200 && s.code < 300 {
			r.ok[s.phase]++
			if !healed.IsZero() && !s.end.Before(healed) && firstOK[s.op].IsZero() {
				firstOK[s.op] = s.end
			}
		}
		if s.code == 500 {
			r.internal++
		}
		if s.code == 503 && !s.retryAfter {
			r.noRetryAfter++
		}
	}
	for _, op := range []string{"upload", "draft", "submit", "score", "read"} {
		if t, ok := firstOK[op]; ok && t.Sub(healed) > r.recovery {
			r.recovery = t.Sub(healed)
		} else if !ok && !healed.IsZero() {
			r.recovery = -1 // never recovered
			break
		}
	}
	return r
}

// String prints the answers by phase and code, for the log and docs/faults.md.
func (r report) String() string {
	var b strings.Builder
	for _, phase := range []string{"before", "fault", "after"} {
		if r.total[phase] == 0 {
			continue
		}
		var keys []string
		for k := range r.byCode[phase] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, r.byCode[phase][k]))
		}
		fmt.Fprintf(&b, "  %-6s %5d requests: %s\n", phase, r.total[phase], strings.Join(parts, ", "))
	}
	return b.String()
}

// verifyLedger checks the stores against what the load was told: every acknowledged file
// is there byte for byte, and no upload key made two files; every acknowledged revision
// is there as submitted, and no submission key froze two revisions; every sheet holds its
// last acknowledged save or a later attempt (one whose answer was lost).
func (l *load) verifyLedger(t testing.TB) {
	t.Helper()
	e, fx := l.fx.env, l.fx
	if len(l.unexpected) > 0 {
		t.Errorf("%d operations ended unexplained, e.g. %v", len(l.unexpected), l.unexpected[:min(5, len(l.unexpected))])
	}
	// Tokens the load holds may have expired while it wound down: sign every actor in anew.
	everyone := append([]*actor{fx.reviewAdmin, fx.districtAdmin}, fx.reviewers...)
	for _, u := range fx.units {
		everyone = append(everyone, u.admin)
	}
	for _, a := range everyone {
		a.signOut()
	}
	token := func(a *actor) string {
		tok := a.signIn(l)
		if tok == "" {
			t.Fatalf("%s cannot sign in after the scenario", a.login)
		}
		return tok
	}
	files := map[string][]*evidencev1.File{} // by name
	for _, u := range fx.units {
		for page := ""; ; {
			list := apptest.Call[*evidencev1.ListFilesResponse](t, e, "GET", "/v1/applications/"+u.app+"/files?pageSize=500&pageToken="+page, token(u.admin), nil)
			for _, f := range list.GetFiles() {
				files[f.GetName()] = append(files[f.GetName()], f)
			}
			if page = list.GetNextPageToken(); page == "" {
				break
			}
		}
	}
	acked := 0
	for _, up := range l.uploads {
		got := files[up.key+".pdf"]
		if len(got) > 1 {
			t.Errorf("upload %s made %d files", up.key, len(got))
		}
		if up.fileID == "" && !up.done {
			continue
		}
		acked++
		if len(got) == 0 || (up.fileID != "" && got[0].GetId() != up.fileID) {
			t.Errorf("acknowledged upload %s (file %q) is missing", up.key, up.fileID)
			continue
		}
		owner := fx.units[slices.IndexFunc(fx.units, func(u *unitLoad) bool { return u.app == up.app })].admin
		r := e.Do(t, "GET", "/v1/files/"+got[0].GetId()+"/content", token(owner), nil)
		if r.Code != 200 || !bytes.Equal(r.Raw, up.content) {
			t.Errorf("acknowledged upload %s reads back %d, %d bytes (sent %d)", up.key, r.Code, len(r.Raw), len(up.content))
		}
	}
	revisions := map[string]map[string][]int32{} // app → narrative → revision numbers
	for _, u := range fx.units {
		revisions[u.app] = map[string][]int32{}
		for k, item := range fx.items {
			if u.sent[k] == 0 {
				continue // no submission went to it, which may not even exist
			}
			ev := apptest.Call[*evidencev1.Evidence](t, e, "GET", "/v1/applications/"+u.app+"/evidence/"+item, token(u.admin), nil)
			for _, r := range ev.GetRevisions() {
				n := r.GetContent().GetNarrative()
				revisions[u.app][n] = append(revisions[u.app][n], r.GetNumber())
			}
		}
	}
	submitted := 0
	for _, s := range l.submissions {
		got := revisions[s.app][s.narrative]
		if len(got) > 1 {
			t.Errorf("submission %s froze %d revisions %v", s.key, len(got), got)
		}
		if s.number == 0 && !s.done {
			continue
		}
		submitted++
		if len(got) == 0 || (s.number != 0 && got[0] != s.number) {
			t.Errorf("acknowledged submission %s (revision %d) is missing: %v", s.key, s.number, got)
		}
	}
	bySheet := map[string][]*scoreSave{}
	for _, s := range l.saves {
		bySheet[s.sheet] = append(bySheet[s.sheet], s)
	}
	saved := 0
	for r, sheets := range fx.sheets {
		for _, sheet := range sheets {
			saves := bySheet[sheet]
			last := -1
			for i, s := range saves {
				if s.acked {
					last = i
					saved++
				}
			}
			if last < 0 {
				continue
			}
			a := apptest.Call[*reviewv1.Assignment](t, e, "GET", "/v1/assignments/"+sheet, token(fx.reviewers[r]), nil)
			ok := false
			for _, s := range saves[last:] {
				ok = ok || sameMarks(a.GetScores(), s.marks)
			}
			if !ok {
				t.Errorf("sheet %s holds %v, not its last acknowledged save %v or a later one", sheet, a.GetScores(), saves[last].marks)
			}
		}
	}
	t.Logf("ledger: %d uploads acknowledged of %d sent, %d submissions of %d, %d score saves of %d; all present",
		acked, len(l.uploads), submitted, len(l.submissions), saved, len(l.saves))
}

// sameMarks compares a sheet's stored scores with the marks sent, by their inputs.
func sameMarks(got, sent []*reviewv1.Score) bool {
	key := func(s *reviewv1.Score) string {
		return fmt.Sprintf("%s|%s|%s|%s|%d", s.GetIndicatorCode(), s.GetPoints(), s.GetGrade(), s.GetValue(), s.GetOccurrences())
	}
	var a, b []string
	for _, s := range got {
		a = append(a, key(s))
	}
	for _, s := range sent {
		b = append(b, key(s))
	}
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/ent/evidencefile"
	"github.com/wenming-platform/wenming/services/evidence"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// attempt is one upload or submission sent before the crash, and whether it was
// acknowledged.
type attempt struct {
	key     string
	content []byte
	fileID  string // set when the upload was acknowledged
	// narrative and number are a submission's; number is set when it was acknowledged.
	narrative string
	number    int32
}

// TestCrashDuringUploads SIGKILLs a server during concurrent uploads and evidence
// submissions, restarts it on the same database and data directory, and checks that every
// acknowledged file is there byte for byte and every acknowledged revision as submitted, that
// retries with the same Idempotency-Key create nothing twice, that no file row points at a
// missing blob, and that the sweep leaves no temporary (docs/evidence.md, crash safety).
func TestCrashDuringUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server")
	}
	bin := apptest.BuildWenming(t)
	dataDir := t.TempDir()
	dbURL := storetest.URL(t, storetest.Postgres)
	env := append(os.Environ(),
		"WENMING_DATABASE_URL="+dbURL,
		"WENMING_REDIS_URL="+storetest.RedisURL(t),
		"WENMING_REDIS_PREFIX=wenming-crash-test:"+uuid.NewString()+":",
		"WENMING_DATA_DIR="+dataDir,
		"WENMING_BOOTSTRAP_ADMIN_PASSWORD="+apptest.AdminPassword,
	)
	serve := func() (*apptest.Proc, *apptest.Env) {
		p := apptest.StartProc(t, bin, env, "wenming", "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0")
		return p, apptest.Dial("http://" + p.Listen)
	}
	p, e := serve()
	tr := e.BuildTree(t)
	fx := evidencetest.Setup(t, e, tr, evidencetest.ThisYear())
	app := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit1Admin, &evidencev1.Application{}).GetId()
	period := strconv.Itoa(int(evidencetest.ThisYear()))

	// Writers upload and submit until the server dies under them.
	var (
		mu       sync.Mutex
		attempts []*attempt
		wg       sync.WaitGroup
	)
	stop := make(chan struct{})
	base := e.Base
	// send is the writers' client: unlike apptest's, it only reports a request that got no
	// answer (the server is killed under it), never failing the test from a goroutine.
	send := func(method, url string, body []byte, headers map[string]string) (int, []byte) {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			return 0, nil
		}
		req.Header.Set("Authorization", "Bearer "+tr.Unit1Submitter)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, nil
		}
		return resp.StatusCode, raw
	}
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a := &attempt{key: fmt.Sprintf("crash-%d-%d", w, i)}
				if w%3 == 2 {
					a.narrative = fmt.Sprintf("第%d-%d次", w, i)
					mu.Lock()
					attempts = append(attempts, a)
					mu.Unlock()
					item := base + "/v1/applications/" + app + "/evidence/1.3/" + period
					draft, _ := protojson.Marshal(&evidencev1.EvidenceContent{Narrative: a.narrative})
					if code, _ := send("PUT", item, draft, nil); code != 200 {
						continue
					}
					if code, raw := send("POST", item+":submit", []byte("{}"), map[string]string{"Idempotency-Key": a.key}); code == 200 {
						// What was acknowledged is the revision the answer shows: another
						// writer's draft may have replaced this one's before the submit froze it.
						var ev evidencev1.Evidence
						if protojson.Unmarshal(raw, &ev) == nil {
							last := ev.GetRevisions()[len(ev.GetRevisions())-1]
							mu.Lock()
							a.number, a.narrative = last.GetNumber(), last.GetContent().GetNarrative()
							mu.Unlock()
						}
					}
					continue
				}
				a.content = append(evidencetest.PDF(a.key), bytes.Repeat([]byte(a.key), 8<<10)...)
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				code, raw := send("PUT", base+"/v1/applications/"+app+"/files", a.content,
					map[string]string{"Idempotency-Key": a.key, "X-File-Name": a.key + ".pdf", "Content-Type": "application/pdf"})
				if code == 201 {
					var f evidencev1.File
					if protojson.Unmarshal(raw, &f) == nil {
						mu.Lock()
						a.fileID = f.GetId()
						mu.Unlock()
					}
				}
			}
		}()
	}
	time.Sleep(2 * time.Second)
	_ = p.Kill(syscall.SIGKILL)
	close(stop)
	wg.Wait()

	_, e = serve()
	acked, submitted := 0, 0
	for _, a := range attempts {
		switch {
		case a.fileID != "":
			acked++
			r := apptest.Must(t, 200, e.Do(t, "GET", "/v1/files/"+a.fileID+"/content", tr.Unit1Submitter, nil))
			if !bytes.Equal(r.Raw, a.content) {
				t.Errorf("file %s: %d bytes read back, %d acknowledged", a.fileID, len(r.Raw), len(a.content))
			}
		case a.number > 0:
			submitted++
			ev := apptest.Call[*evidencev1.Evidence](t, e, "GET", "/v1/applications/"+app+"/evidence/1.3/"+period, tr.Unit1Submitter, nil)
			if n := int(a.number); n > len(ev.GetRevisions()) || ev.GetRevisions()[n-1].GetContent().GetNarrative() != a.narrative {
				t.Errorf("acknowledged revision %d (%s) is not as submitted", a.number, a.narrative)
			}
		}
	}
	if acked == 0 || submitted == 0 {
		t.Fatalf("the server died before acknowledging anything (%d files, %d submissions)", acked, submitted)
	}
	// Every upload sent again with its key: the acknowledged ones answer as before, the
	// others are stored now, or were before the crash and answer so; nothing is stored twice.
	keys := 0
	for _, a := range attempts {
		if a.content == nil {
			continue
		}
		keys++
		r := evidencetest.Upload(t, e, tr.Unit1Submitter, app, a.key+".pdf", a.content,
			apptest.Header{"Idempotency-Key": a.key, "Content-Type": "application/pdf"})
		switch {
		case r.Code == 201:
			if id := apptest.Decode[*evidencev1.File](t, r).GetId(); a.fileID != "" && id != a.fileID {
				t.Errorf("a retried upload of %s created %s, not %s", a.key, id, a.fileID)
			}
		case a.fileID == "" && (r.Reason(t) == "IDEMPOTENCY_KEY_IN_USE" || r.Reason(t) == "IDEMPOTENT_REQUEST_DONE"):
			// Committed just before the kill, its answer not yet kept: the retry is told
			// it happened (docs/errors.md), and creates nothing.
		default:
			t.Errorf("retrying %s: %d %s", a.key, r.Code, r.Raw)
		}
	}

	// The stores as they are: no row without its blob, no temporary after a sweep.
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.Open(ctx, "", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.Client.EvidenceFile.Query().Where(evidencefile.ApplicationID(app)).All(store.System(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != keys {
		t.Errorf("%d file rows for %d distinct upload keys", len(rows), keys)
	}
	swept, err := evidence.NewServer(evidence.Deps{Store: st, Blobs: blobs}).SweepBlobs(ctx, time.Now().Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d attempts, %d uploads and %d submissions acknowledged before the kill; the sweep removed %d temporaries and %d blobs",
		len(attempts), acked, submitted, swept.Temporaries, swept.Blobs)
	for _, f := range rows {
		if _, err := blobs.Stat(ctx, f.Sha256); err != nil {
			t.Errorf("file %s points at blob %s: %v", f.ID, f.Sha256, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dataDir, "blobs", "tmp", "*")); len(left) > 0 {
		t.Errorf("temporaries left after the sweep: %v", left)
	}
}

package evidencetest

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// ThisYear is the year in Shanghai now: the campaign year of a process on the wall clock.
func ThisYear() int32 { return int32(time.Now().In(Shanghai).Year()) }

// WallClock takes a unit from applying to a submitted application on a process that runs
// on the wall clock (another process: the split shape, a restarted server), whatever the
// day: the office extends every window, the unit uploads, submits every item the
// checklist says is due, and submits the application; the files read back byte for byte.
// fx must be set up for ThisYear. It returns the application.
func WallClock(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture) string {
	if r := e.Do(t, "POST", "/v1/campaigns/"+fx.City+"/applications", tr.Unit1Admin, &evidencev1.Application{}); r.Reason(t) != "TITLE_REQUIRED" {
		t.Errorf("applying to the city's campaign without a title: %d %s", r.Code, r.Raw)
	}
	app := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/campaigns/"+fx.District+"/applications", tr.Unit1Admin, &evidencev1.Application{}).GetId()
	photo := File(t, e, tr.Unit1Submitter, app, "照片.png", PNG(5))
	pdf := apptest.Decode[*evidencev1.File](t, apptest.Must(t, 201, UploadForm(t, e, tr.Unit1Submitter, app, "报告.pdf", "application/pdf", PDF("wall clock"))))
	for _, f := range []struct {
		file *evidencev1.File
		want []byte
	}{{photo, PNG(5)}, {pdf, PDF("wall clock")}} {
		if r := apptest.Must(t, 200, e.Do(t, "GET", "/v1/files/"+f.file.GetId()+"/content", tr.D1Admin, nil)); !bytes.Equal(r.Raw, f.want) {
			t.Errorf("%s read back as %d bytes, want %d", f.file.GetName(), len(r.Raw), len(f.want))
		}
	}
	apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+app+":extend", tr.D1Admin, &evidencev1.ExtendDeadlineRequest{
		DueTime: timestamppb.New(time.Now().Add(72 * time.Hour)), Reason: "统一补报"})
	ToSubmission(t, e, tr.D1Admin, fx.District)
	if r := e.Do(t, "POST", "/v1/applications/"+app+":submit", tr.Unit1Admin, "{}"); r.Reason(t) != "APPLICATION_INCOMPLETE" || preconditions(t, r)["1.2/"+strconv.Itoa(int(fx.Year))] == "" {
		t.Errorf("submitting with nothing submitted: %d %s", r.Code, r.Raw)
	}
	list := apptest.Call[*evidencev1.GetChecklistResponse](t, e, "GET", "/v1/applications/"+app+"/checklist", tr.Unit1Admin, nil)
	contents := map[string]*evidencev1.EvidenceContent{
		"1.1": {FileIds: []string{photo.GetId()}},
		"1.2": {Value: "90.00", FileIds: []string{pdf.GetId()}},
		"1.3": {Narrative: "宣传栏"},
		"2.1": {Narrative: "满意度调查"},
	}
	for _, r := range list.GetRequirements() {
		if c, ok := contents[r.GetIndicatorCode()]; ok && r.GetDue() {
			SaveAndSubmit(t, e, tr.Unit1Submitter, app, r.GetIndicatorCode(), r.GetPeriod(), c)
		}
	}
	a := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+app+":submit", tr.Unit1Admin, "{}")
	if a.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_SUBMITTED {
		t.Errorf("application = %v", a)
	}
	return app
}

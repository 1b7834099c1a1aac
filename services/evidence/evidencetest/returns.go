package evidencetest

import (
	"context"
	"strings"
	"testing"
	"time"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	entevidence "github.com/wenming-platform/wenming/ent/evidence"
	"github.com/wenming-platform/wenming/ent/evidencerevision"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// giveBack plays the review service: it returns one item of a submitted application with
// a reason and a due time, and the application with it.
func giveBack(t *testing.T, e *apptest.Env, app, code, period string, due time.Time) {
	t.Helper()
	ctx := store.System(context.Background())
	db := e.App.Store().Client
	if err := db.Evidence.Update().Where(entevidence.ApplicationID(app), entevidence.IndicatorCode(code), entevidence.Period(period)).
		SetState(entevidence.StateRETURNED).SetReturnReason("照片不清晰").SetReturnDueTime(due).AddVersion(1).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Application.UpdateOneID(app).SetState(application.StateRETURNED).AddVersion(1).Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// snapshot reads every revision row of an application as stored.
func snapshot(t *testing.T, e *apptest.Env, app string) []*ent.EvidenceRevision {
	t.Helper()
	rows, err := e.App.Store().Client.EvidenceRevision.Query().Where(evidencerevision.ApplicationID(app)).
		Order(ent.Asc(evidencerevision.FieldID)).All(store.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Returns resubmits a returned item within the campaign's one resubmission, and is refused
// past it; every revision submitted before stays as it was, byte for byte, through every
// later action, and the store refuses to change or delete one even as the system.
func Returns(t *testing.T, e *apptest.Env, tr *apptest.Tree, clock *Clock, app string) {
	before := snapshot(t, e, app)
	if len(before) == 0 {
		t.Fatal("no revisions to protect")
	}
	if r := Upload(t, e, tr.Unit1Admin, app, "late.png", PNG(9)); r.Reason(t) != "APPLICATION_WRONG_STATE" {
		t.Errorf("uploading to a submitted application: %d %s", r.Code, r.Raw)
	}
	giveBack(t, e, app, "1.3", "2026", clock.Now().Add(24*time.Hour))
	// Only the returned item may change.
	if r := Save(t, e, tr.Unit1Submitter, app, "1.2", "2026", &evidencev1.EvidenceContent{Value: "90.00"}); r.Reason(t) != "APPLICATION_WRONG_STATE" {
		t.Errorf("changing an item that was not returned: %d %s", r.Code, r.Raw)
	}
	// The application cannot be resubmitted while the item is outstanding.
	if r := e.Do(t, "POST", "/v1/applications/"+app+":submit", tr.Unit1Admin, "{}"); r.Reason(t) != "APPLICATION_INCOMPLETE" || preconditions(t, r)["1.3/2026"] == "" {
		t.Errorf("resubmitting with a returned item outstanding: %d %s", r.Code, r.Raw)
	}
	SaveAndSubmit(t, e, tr.Unit1Submitter, app, "1.3", "2026", &evidencev1.EvidenceContent{Narrative: "补充宣传栏照片"})
	ev := apptest.Call[*evidencev1.Evidence](t, e, "GET", itemPath(app, "1.3", "2026"), tr.D1Admin, nil)
	if n := len(ev.GetRevisions()); n != 2 || !ev.GetRevisions()[1].GetResubmission() || ev.GetResubmissions() != 1 {
		t.Errorf("resubmitted evidence = %v", ev)
	}
	// A list shows each item with its latest revision only.
	list := apptest.Call[*evidencev1.ListEvidenceResponse](t, e, "GET", "/v1/applications/"+app+"/evidence", tr.D1Admin, nil)
	if len(list.GetEvidence()) < 5 {
		t.Errorf("the list holds %d items", len(list.GetEvidence()))
	}
	for _, item := range list.GetEvidence() {
		if r := item.GetRevisions(); len(r) != 1 || r[0].GetNumber() != item.GetRevisionCount() {
			t.Errorf("%s %s listed with revisions %v of %d", item.GetIndicatorCode(), item.GetPeriod(), r, item.GetRevisionCount())
		}
		if item.GetIndicatorCode() == "1.3" && item.GetRevisions()[0].GetContent().GetNarrative() != "补充宣传栏照片" {
			t.Errorf("1.3 listed with %v", item.GetRevisions())
		}
	}
	re := apptest.Call[*evidencev1.Application](t, e, "POST", "/v1/applications/"+app+":submit", tr.Unit1Admin, "{}")
	if re.GetState() != evidencev1.ApplicationState_APPLICATION_STATE_RESUBMITTED {
		t.Errorf("resubmitted application = %v", re)
	}
	// Returned again, past the campaign's one resubmission: locked, scoring 0.
	giveBack(t, e, app, "1.3", "2026", clock.Now().Add(24*time.Hour))
	if r := Save(t, e, tr.Unit1Submitter, app, "1.3", "2026", &evidencev1.EvidenceContent{Narrative: "再次补充"}); r.Reason(t) != "EVIDENCE_LOCKED" {
		t.Errorf("past the resubmission limit: %d %s", r.Code, r.Raw)
	}
	if ev := apptest.Call[*evidencev1.Evidence](t, e, "GET", itemPath(app, "1.3", "2026"), tr.D1Admin, nil); !ev.GetLocked() {
		t.Errorf("evidence past the limit is not shown locked: %v", ev)
	}
	// Nothing submitted before changed, and nothing can change it.
	after := snapshot(t, e, app)
	if len(after) != len(before)+1 {
		t.Errorf("%d revisions, want %d", len(after), len(before)+1)
	}
	for i, b := range before {
		a := after[i]
		if a.ID != b.ID || a.Narrative != b.Narrative || a.Value != b.Value || strings.Join(a.FileIds, ",") != strings.Join(b.FileIds, ",") ||
			a.Number != b.Number || !a.SubmitTime.Equal(b.SubmitTime) || a.SubmittedBy != b.SubmittedBy {
			t.Errorf("revision %s changed: %+v → %+v", b.ID, b, a)
		}
	}
	ctx := store.System(context.Background())
	db := e.App.Store().Client
	if err := db.EvidenceRevision.UpdateOneID(before[0].ID).Exec(ctx); err == nil {
		t.Error("the store updated a revision")
	}
	if _, err := db.EvidenceRevision.Delete().Exec(ctx); err == nil {
		t.Error("the store deleted revisions")
	}
	if _, err := db.EvidenceFile.Delete().Exec(ctx); err == nil {
		t.Error("the store deleted files")
	}
}

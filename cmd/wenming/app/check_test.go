package app_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	"strings"
	"testing"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/review/reviewtest"
)

// TestCheck builds a little of everything through the REST gateway (files, one uploaded with
// an Idempotency-Key, applications in several states, finalized sheets and their results,
// campaign transitions), checks that every invariant holds with something to check, then
// breaks one thing per invariant directly in the database or the blob directory and checks
// that exactly that check reports it, putting it back before the next.
func TestCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		ctx := store.System(context.Background())
		clock := evidencetest.NewClock()
		var dataDir string
		e := apptest.Start(t, kind, clock.Configure, func(c *app.Config) { dataDir = c.DataDir })
		tr := e.BuildTree(t)
		fx := reviewtest.Setup(t, e, tr, clock, reviewtest.Year)
		efx := evidencetest.Setup(t, e, tr, reviewtest.Year)
		_, token, draft := evidencetest.NewUnit(t, e, tr, efx, "check-unit", "西湖区检查小学", "12330106MC000100X")
		plain := evidencetest.File(t, e, token, draft, "photo.png", evidencetest.PNG(1))
		keyed := apptest.Decode[*evidencev1.File](t, apptest.Must(t, 201,
			evidencetest.Upload(t, e, token, draft, "report.png", evidencetest.PNG(2), apptest.Header{"Idempotency-Key": "check-upload-1"})))

		apptest.Call[*reviewv1.AssignReviewersResponse](t, e, "POST", "/v1/campaigns/"+fx.Campaign+":assignReviewers", fx.Admin, "{}")
		for _, token := range fx.Reviewers {
			for _, a := range apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/reviewers/me/assignments", token, nil).GetAssignments() {
				apptest.Must(t, 200, e.Do(t, "POST", "/v1/assignments/"+a.GetId()+":saveScores", token, &reviewv1.SaveScoresRequest{Scores: []*reviewv1.Score{
					{IndicatorCode: "1.1", Points: "20.00"}, {IndicatorCode: "1.2", Grade: "B"}, {IndicatorCode: "2.1", Value: "88.00"},
					{IndicatorCode: "3", Points: "2.50"}, {IndicatorCode: "4", Occurrences: 1},
				}}))
				apptest.Must(t, 200, e.Do(t, "POST", "/v1/assignments/"+a.GetId()+":finalize", token, "{}"))
			}
		}
		now, day := time.Now().UTC().Truncate(time.Second), 24*time.Hour
		window := func(start, end time.Duration) *standardsv1.Window {
			return &standardsv1.Window{StartTime: timestamppb.New(now.Add(start)), EndTime: timestamppb.New(now.Add(end))}
		}
		// Last of all, so that its event is the head of D2's chain: a campaign opened.
		late := apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/offices/"+tr.D2+"/campaigns", tr.D2Admin, &standardsv1.Campaign{
			StandardId: efx.Standard, Year: reviewtest.Year, TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT, DisplayName: "检查用创建周期",
			ApplicationWindow: window(-time.Hour, 10*day), SubmissionWindow: window(day, 20*day),
			ReviewWindow: window(21*day, 30*day), PublicityWindow: window(31*day, 38*day),
			Quota: &standardsv1.Quota{Limit: &standardsv1.Quota_Count{Count: 1}},
		})
		apptest.Call[*standardsv1.Campaign](t, e, "POST", "/v1/campaigns/"+late.GetId()+":transition", tr.D2Admin,
			&standardsv1.TransitionCampaignRequest{To: standardsv1.CampaignState_CAMPAIGN_STATE_OPEN, Force: true, Reason: "检查"})

		st := e.App.Store()
		blobs, err := blob.Open(ctx, "", dataDir)
		if err != nil {
			t.Fatal(err)
		}
		defer blobs.Close()
		check := func() *app.CheckReport {
			t.Helper()
			rep, err := app.Check(ctx, st, blobs, e.App.Audit(), app.CheckOptions{Clock: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		exec := func(query string, args ...any) {
			t.Helper()
			if st.Dialect == "postgres" {
				for n := 1; strings.Contains(query, "?"); n++ {
					query = strings.Replace(query, "?", "$"+strconv.Itoa(n), 1)
				}
			}
			if _, err := st.DB.ExecContext(ctx, query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}

		rep := check()
		for _, c := range rep.Checks {
			total := int64(0)
			for _, n := range c.Counts {
				total += n
			}
			if !c.OK || total == 0 {
				t.Errorf("clean data: %s ok %t with counts %v, want ok with something checked", c.Name, c.OK, c.Counts)
			}
		}
		for _, want := range [][2]string{{app.CheckFiles, "files"}, {app.CheckIdempotency, "resources"}, {app.CheckTransitions, "applications"},
			{app.CheckTransitions, "campaigns"}, {app.CheckAuditChains, "events"}, {app.CheckResults, "results"}, {app.CheckTenancy, "evidences"}} {
			if rep.Result(want[0]).Counts[want[1]] == 0 {
				t.Errorf("clean data: %s counted no %s: %v", want[0], want[1], rep.Result(want[0]).Counts)
			}
		}
		if len(rep.Checks) != 6 || !rep.OK {
			var b bytes.Buffer
			rep.WriteText(&b)
			t.Fatalf("clean data:\n%s", b.String())
		}

		// only asserts that exactly the check named reports, naming subject.
		only := func(what, name, subject string) {
			t.Helper()
			rep := check()
			var b bytes.Buffer
			rep.WriteText(&b)
			for _, c := range rep.Checks {
				if (c.Name == name) == c.OK {
					t.Errorf("%s: %s ok %t\n%s", what, c.Name, c.OK, b.String())
				}
			}
			if r := rep.Result(name); r != nil && !strings.Contains(b.String(), subject) {
				t.Errorf("%s: %s does not name %s\n%s", what, name, subject, b.String())
			}
			if rep.OK {
				t.Errorf("%s: the report is ok", what)
			}
		}

		// files: a blob overwritten on disk.
		var path string
		_ = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Name() == plain.GetSha256() {
				path = p
			}
			return nil
		})
		saved, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the blob of %s: %v", plain.GetId(), err)
		}
		if err := os.WriteFile(path, append(saved[:len(saved)-1:len(saved)-1], 'x'), 0o600); err != nil {
			t.Fatal(err)
		}
		only("a blob overwritten", app.CheckFiles, "evidence_file/"+plain.GetId())
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		only("a blob deleted", app.CheckFiles, "evidence_file/"+plain.GetId())
		if err := os.WriteFile(path, saved, 0o600); err != nil {
			t.Fatal(err)
		}

		// idempotency: the row an upload with a key created is gone.
		exec("UPDATE evidence_files SET id = ? WHERE id = ?", "gone-"+keyed.GetId(), keyed.GetId())
		only("a keyed upload's row gone", app.CheckIdempotency, keyed.GetId())
		exec("UPDATE evidence_files SET id = ? WHERE id = ?", keyed.GetId(), "gone-"+keyed.GetId())

		// transitions: an illegal move recorded in a valid chain.
		da, err := st.Client.Application.Get(ctx, draft)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Tx(ctx, func(tx *ent.Tx) error {
			return e.App.Audit().Record(ctx, tx, audit.Event{OfficeID: da.OfficeID, ScopePath: da.ScopePath, Action: "application.rank",
				ResourceType: "application", ResourceID: draft,
				Before: &reviewv1.Result{ApplicationId: draft, State: "DRAFT"}, After: &reviewv1.Result{ApplicationId: draft, State: "NAMED"}})
		}); err != nil {
			t.Fatal(err)
		}
		only("an illegal move", app.CheckTransitions, "application/"+draft)
		exec("DELETE FROM audit_events WHERE resource_id = ? AND action = ?", draft, "application.rank")

		// transitions: the newest event of a chain, a campaign's move, deleted.
		ev, err := st.Client.AuditEvent.Query().Where(auditevent.ResourceID(late.GetId()), auditevent.Action("campaign.transition")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exec("DELETE FROM audit_events WHERE id = ?", ev.ID)
		only("a transition's event deleted", app.CheckTransitions, "campaign/"+late.GetId())
		if err := st.Client.AuditEvent.Create().SetID(ev.ID).SetOfficeID(ev.OfficeID).SetScopePath(ev.ScopePath).SetSequence(ev.Sequence).
			SetActor(ev.Actor).SetAction(ev.Action).SetResourceType(ev.ResourceType).SetResourceID(ev.ResourceID).SetBefore(ev.Before).
			SetAfter(ev.After).SetRequestID(ev.RequestID).SetCreateTime(ev.CreateTime).SetPrevHash(ev.PrevHash).SetHash(ev.Hash).Exec(ctx); err != nil {
			t.Fatal(err)
		}

		// audit_chains: an event rewritten without the key.
		first, err := st.Client.AuditEvent.Query().Where(auditevent.OfficeID(tr.City), auditevent.Sequence(2)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exec("UPDATE audit_events SET request_id = ? WHERE id = ?", "rewritten", first.ID)
		only("an event rewritten", app.CheckAuditChains, "office/"+tr.City)
		exec("UPDATE audit_events SET request_id = ? WHERE id = ?", first.RequestID, first.ID)

		// results: a total changed, then two ranks swapped.
		u1, u3 := fx.Apps["U1"], fx.Apps["U3"]
		exec("UPDATE results SET total = total + 100 WHERE id = ?", u1)
		only("a total changed", app.CheckResults, "result/"+u1)
		exec("UPDATE results SET total = total - 100 WHERE id = ?", u1)
		r1, err := st.Client.Result.Get(ctx, u1)
		if err != nil {
			t.Fatal(err)
		}
		r3, err := st.Client.Result.Get(ctx, u3)
		if err != nil {
			t.Fatal(err)
		}
		swap := func(a, b []byte) {
			exec("UPDATE results SET sort_key = ? WHERE id = ?", []byte{0}, u1)
			exec("UPDATE results SET sort_key = ? WHERE id = ?", b, u3)
			exec("UPDATE results SET sort_key = ? WHERE id = ?", a, u1)
		}
		swap(r3.SortKey, r1.SortKey)
		only("two ranks swapped", app.CheckResults, "result/"+u1)
		swap(r1.SortKey, r3.SortKey)

		// tenancy: a unit user moved under another unit's path.
		victim, err := st.Client.User.Query().Where(user.Login("check-unit")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exec("UPDATE users SET scope_path = ? WHERE id = ?", "/elsewhere/", victim.ID)
		only("a user's path changed", app.CheckTenancy, "user/"+victim.ID)
		exec("UPDATE users SET scope_path = ? WHERE id = ?", victim.ScopePath, victim.ID)

		if rep := check(); !rep.OK {
			var b bytes.Buffer
			rep.WriteText(&b)
			t.Errorf("after putting everything back:\n%s", b.String())
		}
	})
}

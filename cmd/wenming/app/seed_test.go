package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// TestSeed seeds a small synthetic province on every store and uses it as a user would: the
// reviewers' queues, the ranking and the province's summary answer through the gateway; a
// seeded result is exactly what the review service computes from the seeded sheets (a reopen
// and finalize recomputes it); the same seed gives the same data; the audit chains verify.
func TestSeed(t *testing.T) {
	var first []string // the first store's ranking, unit by unit: the second must equal it
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var progress bytes.Buffer
		rep, err := app.Seed(context.Background(), e.App.Store(), e.App.Audit(), app.SeedOptions{Units: 40, Cities: 2, Districts: 2, Seed: 7, Year: 2026, Progress: &progress})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(progress.String(), "100%") || rep.Rows != 40*(1+1+88+88+3+1) {
			t.Errorf("progress %q, %d rows", progress.String(), rep.Rows)
		}
		if _, err := app.Seed(context.Background(), e.App.Store(), e.App.Audit(), app.SeedOptions{Units: 1}); err == nil {
			t.Error("seeding a platform that holds offices succeeded")
		}
		login := func(i int) string {
			f := strings.Fields(rep.Accounts[i])
			tok, _ := e.Login(t, f[0], f[1])
			return tok
		}
		admin, reviewer := login(0), login(1)
		queue := apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/reviewers/me/assignments?pageSize=500", reviewer, nil)
		if len(queue.GetAssignments()) != 40 || queue.GetAssignments()[0].GetState() != reviewv1.AssignmentState_ASSIGNMENT_STATE_FINALIZED {
			t.Fatalf("reviewer 1's queue holds %d sheets", len(queue.GetAssignments()))
		}
		ranking := apptest.Call[*reviewv1.ListRankingResponse](t, e, "GET", "/v1/campaigns/"+rep.Campaign+"/ranking?pageSize=50", admin, nil)
		if ranking.GetRanked() != 40 || len(ranking.GetResults()) != 40 || ranking.GetResults()[39].GetRank() != 40 {
			t.Errorf("ranking of %d", ranking.GetRanked())
		}
		var order []string
		for _, r := range ranking.GetResults() {
			order = append(order, r.GetUnitDisplayName()+" "+r.GetTotal()+" "+r.GetUnitCategory())
		}
		if first == nil {
			first = order
		} else if strings.Join(order, "\n") != strings.Join(first, "\n") {
			t.Errorf("the same seed gave another ranking:\n%v\n%v", order[:5], first[:5])
		}
		fields := strings.Fields(rep.Accounts[len(rep.Accounts)-1])
		machine := apptest.Call[*tenancyv1.TokenResponse](t, e, "POST", "/v1/auth/token", "", &tenancyv1.TokenRequest{
			GrantType: "client_credentials", ClientId: fields[0], ClientSecret: fields[1]}).GetAccessToken()
		sum := apptest.Call[*reviewv1.OfficeSummary](t, e, "GET", "/v1/offices/"+rep.Province+"/summary?year=2026", machine, nil)
		if sum.GetTotal().GetScored() != 40 || len(sum.GetChildren()) != 2 || len(sum.GetTop()) != 20 {
			t.Errorf("summary = %v", sum.GetTotal())
		}

		// A seeded result is what the service computes from the same sheets.
		ctx := store.System(context.Background())
		app0 := ranking.GetResults()[7].GetApplicationId()
		before, err := e.App.Store().Client.Result.Query().Where(result.ID(app0)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var sheet *reviewv1.Assignment
		for _, a := range queue.GetAssignments() {
			if a.GetApplicationId() == app0 {
				sheet = a
			}
		}
		apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+sheet.GetId()+":reopen", admin, &reviewv1.ReopenAssignmentRequest{Reason: "复核"})
		apptest.Call[*reviewv1.Assignment](t, e, "POST", "/v1/assignments/"+sheet.GetId()+":finalize", reviewer, "{}")
		after, err := e.App.Store().Client.Result.Query().Where(result.ID(app0)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after.Total != before.Total || !bytes.Equal(after.SortKey, before.SortKey) || !bytes.Equal(after.Detail, before.Detail) {
			t.Errorf("recomputed %d (%x), seeded %d (%x)", after.Total, after.SortKey[:16], before.Total, before.SortKey[:16])
		}
	})
}

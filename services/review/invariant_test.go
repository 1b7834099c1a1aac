package review_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/review"
	"github.com/wenming-platform/wenming/services/review/reviewtest"
)

// TestResultsMatchARecompute lets four reviewers save, finalize and an admin reopen score
// sheets at random, concurrently, through the REST gateway; afterwards every stored result
// must equal a recompute from scratch by the engine (and exist exactly when every sheet is
// final), and the ranking must list every result once, ranked 1…n in the engine's order.
func TestResultsMatchARecompute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		clock := evidencetest.NewClock()
		e := apptest.Start(t, kind, clock.Configure)
		tr := e.BuildTree(t)
		fx := reviewtest.Setup(t, e, tr, clock, reviewtest.Year)
		fx.AddReviewer(t, e, tr, "r4")
		apptest.Call[*reviewv1.AssignReviewersResponse](t, e, "POST", "/v1/campaigns/"+fx.Campaign+":assignReviewers", fx.Admin, "{}")
		sheets := map[string][]string{}
		for name, token := range fx.Reviewers {
			for _, a := range apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/reviewers/me/assignments", token, nil).GetAssignments() {
				sheets[name] = append(sheets[name], a.GetId())
			}
		}
		check := func(stage string) {
			t.Helper()
			verify(t, e, fx, tr, clock, stage)
		}
		var wg sync.WaitGroup
		for i, name := range []string{"r1", "r2", "r3", "r4"} {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(i), 9))
				for range 25 {
					id := sheets[name][r.IntN(len(sheets[name]))]
					path := "/v1/assignments/" + id
					switch resp := e.Do(t, "POST", path+":saveScores", fx.Reviewers[name], &reviewv1.SaveScoresRequest{Scores: reviewtest.RandomMarks(r)}); resp.Code {
					case 200, 400, 409: // saved; finalized meanwhile (wrong state); a concurrent change
					default:
						t.Errorf("save %s: %d %s", id, resp.Code, resp.Raw)
					}
					if r.IntN(2) == 0 {
						if resp := e.Do(t, "POST", path+":finalize", fx.Reviewers[name], "{}"); resp.Code != 200 && resp.Code != 400 && resp.Code != 409 {
							t.Errorf("finalize %s: %d %s", id, resp.Code, resp.Raw)
						}
					}
				}
			})
		}
		wg.Go(func() {
			r := rand.New(rand.NewPCG(7, 7))
			var all []string
			for _, ids := range sheets {
				all = append(all, ids...)
			}
			slices.Sort(all)
			for range 20 {
				id := all[r.IntN(len(all))]
				if resp := e.Do(t, "POST", "/v1/assignments/"+id+":reopen", fx.Admin, &reviewv1.ReopenAssignmentRequest{Reason: "抽样复核"}); resp.Code != 200 && resp.Code != 400 && resp.Code != 409 {
					t.Errorf("reopen %s: %d %s", id, resp.Code, resp.Raw)
				}
			}
		})
		wg.Wait()
		check("after the random writes")
		// Everyone finalizes what is open: every application then has a result.
		for name, ids := range sheets {
			for _, id := range ids {
				a := apptest.Call[*reviewv1.Assignment](t, e, "GET", "/v1/assignments/"+id, fx.Reviewers[name], nil)
				if a.GetState() == reviewv1.AssignmentState_ASSIGNMENT_STATE_ASSIGNED {
					apptest.Must(t, 200, e.Do(t, "POST", "/v1/assignments/"+id+":saveScores", fx.Reviewers[name], &reviewv1.SaveScoresRequest{Scores: reviewtest.RandomMarks(rand.New(rand.NewPCG(1, 1)))}))
					apptest.Must(t, 200, e.Do(t, "POST", "/v1/assignments/"+id+":finalize", fx.Reviewers[name], "{}"))
				}
			}
		}
		check("after every sheet is final")

		// The race the lock exists for: the last sheets of one application finalized at the
		// same instant. Each must see the others', so exactly one settles the result.
		owner := map[string]string{}
		for name, ids := range sheets {
			for _, id := range ids {
				owner[id] = name
			}
		}
		for round := range 6 {
			for _, app := range fx.Apps {
				var open []*reviewv1.Assignment
				for _, a := range apptest.Call[*reviewv1.ListAssignmentsResponse](t, e, "GET", "/v1/applications/"+app+"/assignments", fx.Admin, nil).GetAssignments() {
					if a.GetState() == reviewv1.AssignmentState_ASSIGNMENT_STATE_FINALIZED {
						apptest.Must(t, 200, e.Do(t, "POST", "/v1/assignments/"+a.GetId()+":reopen", fx.Admin, &reviewv1.ReopenAssignmentRequest{Reason: "同时提交"}))
						open = append(open, a)
					}
				}
				start := make(chan struct{})
				var burst sync.WaitGroup
				for _, a := range open {
					burst.Go(func() {
						<-start
						if resp := e.Do(t, "POST", "/v1/assignments/"+a.GetId()+":finalize", fx.Reviewers[owner[a.GetId()]], "{}"); resp.Code != 200 {
							t.Errorf("round %d: finalize %s: %d %s", round, a.GetId(), resp.Code, resp.Raw)
						}
					})
				}
				close(start)
				burst.Wait()
			}
			check(fmt.Sprintf("after simultaneous finalizes, round %d", round))
		}
	})
}

// verify compares every stored result with a recompute and the ranking with the engine's order.
func verify(t *testing.T, e *apptest.Env, fx *reviewtest.Fixture, tr *apptest.Tree, clock *evidencetest.Clock, stage string) {
	t.Helper()
	ctx := store.System(context.Background())
	db := e.App.Store().Client
	s := review.NewServer(review.Deps{Store: e.App.Store(), Clock: clock.Now})
	var entries []*scoring.Entry
	for unit, app := range fx.Apps {
		want, key, entry, ok, err := s.Recompute(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		row, err := db.Result.Query().Where(result.ID(app)).Only(ctx)
		switch {
		case !ok && err == nil:
			t.Errorf("%s: %s has a result although a sheet is open", stage, unit)
		case ok && err != nil:
			t.Errorf("%s: %s has no result although every sheet is final: %v", stage, unit, err)
		case ok:
			got := &reviewv1.Result{}
			if err := proto.Unmarshal(row.Detail, got); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, want) || string(row.SortKey) != string(key) || strconv.FormatInt(row.Total, 10) != strconv.FormatInt(int64(entry.Total), 10) {
				t.Errorf("%s: %s's stored result (total %s) differs from a recompute (total %s)", stage, unit, got.GetTotal(), want.GetTotal())
			}
			entries = append(entries, entry)
		}
	}
	scoring.Rank(entries)
	page := apptest.Call[*reviewv1.ListRankingResponse](t, e, "GET", "/v1/campaigns/"+fx.Campaign+"/ranking", fx.Admin, nil)
	if len(page.GetResults()) != len(entries) || int(page.GetRanked()) != len(entries) {
		t.Fatalf("%s: the ranking lists %d of %d results", stage, len(page.GetResults()), len(entries))
	}
	for i, r := range page.GetResults() {
		if r.GetApplicationId() != entries[i].ApplicationID || r.GetRank() != int32(i+1) {
			t.Errorf("%s: rank %d is %s (rank %d), the engine ranks %s there", stage, i+1, r.GetApplicationId(), r.GetRank(), entries[i].ApplicationID)
		}
	}
	t.Logf("%s: %d results agree with a recompute", stage, len(entries))
}

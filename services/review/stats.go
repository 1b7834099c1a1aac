package review

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/assignment"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// GetReviewerStats measures how consistently a campaign's reviewers score (docs/review.md,
// Reviewer consistency). It reads the finalized sheets a page at a time, one application's
// together, so its memory does not grow with the campaign.
func (s *Server) GetReviewerStats(ctx context.Context, req *reviewv1.GetReviewerStatsRequest) (*reviewv1.ReviewerStats, error) {
	c, err := s.st.Client.Campaign.Get(ctx, req.GetCampaignId())
	if err != nil {
		return nil, resource.NotFound(err, "campaign")
	}
	// The statistics read every sheet of the campaign: only the campaign's office and the
	// offices above it may see them all. An office below reads the campaign (it is shared
	// down the tree) but not the other offices' reviews.
	if v := viewer.FromContext(ctx); !v.PlatformAdmin() && !strings.HasPrefix(c.ScopePath, v.ScopePath) {
		return nil, errs.NotFound("campaign")
	}
	rv, err := s.load(ctx, s.st.Client, c.ID)
	if err != nil {
		return nil, err
	}
	top := int(req.GetTop())
	if top <= 0 {
		top = 20
	}
	st := newStats(rv.plan, top)
	sys := store.System(ctx)
	var lastApp, lastID string
	var group []*ent.Assignment
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := s.st.Client.Assignment.Query().Where(assignment.CampaignID(c.ID), assignment.StateEQ(assignment.StateFINALIZED),
			assignment.Or(assignment.ApplicationIDGT(lastApp), assignment.And(assignment.ApplicationID(lastApp), assignment.IDGT(lastID)))).
			Order(ent.Asc(assignment.FieldApplicationID), ent.Asc(assignment.FieldID)).Limit(1000).All(sys)
		if err != nil {
			return nil, err
		}
		for _, sh := range page {
			if len(group) > 0 && group[0].ApplicationID != sh.ApplicationID {
				st.application(group)
				group = group[:0]
			}
			group = append(group, sh)
		}
		if len(page) < 1000 {
			break
		}
		lastApp, lastID = page[len(page)-1].ApplicationID, page[len(page)-1].ID
	}
	if len(group) > 0 {
		st.application(group)
	}
	names := map[string]string{}
	us, err := s.st.Client.User.Query().Where(user.OfficeID(c.OfficeID)).Select(user.FieldID, user.FieldDisplayName, user.FieldLogin).All(sys)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		names[u.ID] = cmp.Or(u.DisplayName, u.Login)
	}
	return st.result(names), nil
}

// stats accumulates reviewer consistency over a campaign's applications.
type stats struct {
	plan *plan
	top  int
	// per reviewer: sheets finalized, and deviations from the others' mean, in points.
	scored   map[string]int
	compared map[string]int
	devSum   map[string]float64
	// Krippendorff's alpha (interval metric) from running sums over every pairable value x
	// (points as a share of the indicator's max): n values, the observed disagreement's sum,
	// and Σx, Σx² for the expected one.
	n, units  int
	observed  float64
	sum, sum2 float64
	widest    []*reviewv1.Disagreement
	shares    map[*reviewv1.Disagreement]float64
}

func newStats(p *plan, top int) *stats {
	return &stats{plan: p, top: top, scored: map[string]int{}, compared: map[string]int{}, devSum: map[string]float64{},
		shares: map[*reviewv1.Disagreement]float64{}}
}

// application adds the finalized sheets of one application.
func (st *stats) application(sheets []*ent.Assignment) {
	type value struct {
		reviewer, entered string
		points            float64
	}
	byCode := map[string][]value{}
	for _, sh := range sheets {
		st.scored[sh.ReviewerID]++
		for _, sc := range sh.Scores {
			ind := st.plan.byCode[sc.IndicatorCode]
			if ind == nil || ind.Kind == scoring.KindVeto || ind.Kind == scoring.KindGroup || ind.Max <= 0 {
				continue
			}
			num, den, err := st.plan.std.InputValue(ind, engineInput(ind, sh.ReviewerID, sc))
			if err != nil {
				continue
			}
			byCode[sc.IndicatorCode] = append(byCode[sc.IndicatorCode], value{reviewer: sh.ReviewerID,
				entered: engineEntered(sc), points: float64(num) / float64(den) / 100})
		}
	}
	codes := make([]string, 0, len(byCode))
	for code := range byCode {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int { return st.plan.order[a] - st.plan.order[b] })
	for _, code := range codes {
		vs := byCode[code]
		m := len(vs)
		if m < 2 {
			continue
		}
		max := float64(st.plan.byCode[code].Max) / 100
		var total, sx, sx2 float64
		lo, hi := vs[0].points, vs[0].points
		for _, v := range vs {
			total += v.points
			x := v.points / max
			sx, sx2 = sx+x, sx2+x*x
			lo, hi = math.Min(lo, v.points), math.Max(hi, v.points)
		}
		for _, v := range vs {
			st.compared[v.reviewer]++
			st.devSum[v.reviewer] += v.points - (total-v.points)/float64(m-1)
		}
		// Within one unit, Σ over ordered pairs i≠j of (xᵢ − xⱼ)² is 2(m Σx² − (Σx)²).
		st.observed += 2 * (float64(m)*sx2 - sx*sx) / float64(m-1)
		st.n += m
		st.units++
		st.sum, st.sum2 = st.sum+sx, st.sum2+sx2
		if hi > lo {
			d := &reviewv1.Disagreement{ApplicationId: sheets[0].ApplicationID, UnitId: sheets[0].UnitID, IndicatorCode: code,
				Spread: strconv.FormatFloat(hi-lo, 'f', 2, 64), SpreadShare: strconv.FormatFloat((hi-lo)/max, 'f', 4, 64)}
			for _, v := range vs {
				d.Inputs = append(d.Inputs, &reviewv1.ReviewerInput{ReviewerId: v.reviewer, Entered: v.entered, Value: strconv.FormatFloat(v.points, 'f', 2, 64)})
			}
			st.shares[d] = (hi - lo) / max
			st.widest = append(st.widest, d)
			if len(st.widest) > 4*st.top+64 {
				st.trim()
			}
		}
	}
}

// trim keeps the top widest disagreements: the largest share of the max first, then by
// application and indicator, so the order is the same each time.
func (st *stats) trim() {
	slices.SortFunc(st.widest, func(a, b *reviewv1.Disagreement) int {
		return cmp.Or(cmp.Compare(st.shares[b], st.shares[a]), cmp.Compare(a.GetApplicationId(), b.GetApplicationId()),
			cmp.Compare(st.plan.order[a.GetIndicatorCode()], st.plan.order[b.GetIndicatorCode()]))
	})
	for _, d := range st.widest[min(len(st.widest), st.top):] {
		delete(st.shares, d)
	}
	st.widest = st.widest[:min(len(st.widest), st.top)]
}

func (st *stats) result(names map[string]string) *reviewv1.ReviewerStats {
	st.trim()
	out := &reviewv1.ReviewerStats{Values: int32(st.n), Units: int32(st.units), Disagreements: st.widest}
	// α = 1 − Dₒ/Dₑ, with Dₒ = observed / n and Dₑ = 2(n Σx² − (Σx)²) / (n(n − 1)).
	if n := float64(st.n); st.n > 1 {
		expected := 2 * (n*st.sum2 - st.sum*st.sum) / (n * (n - 1))
		if expected > 0 {
			out.Alpha = strconv.FormatFloat(1-(st.observed/n)/expected, 'f', 4, 64)
		}
	}
	for id, n := range st.scored {
		r := &reviewv1.ReviewerStat{ReviewerId: id, DisplayName: names[id], Scored: int32(n), Compared: int32(st.compared[id]), MeanDeviation: "0.00"}
		if c := st.compared[id]; c > 0 {
			r.MeanDeviation = strconv.FormatFloat(st.devSum[id]/float64(c), 'f', 2, 64)
		}
		out.Reviewers = append(out.Reviewers, r)
	}
	slices.SortFunc(out.Reviewers, func(a, b *reviewv1.ReviewerStat) int {
		return cmp.Or(cmp.Compare(a.GetDisplayName(), b.GetDisplayName()), cmp.Compare(a.GetReviewerId(), b.GetReviewerId()))
	})
	return out
}

// engineEntered is a stored score as a person reads it.
func engineEntered(sc scoreEntry) string {
	switch {
	case sc.Points != "":
		return sc.Points
	case sc.Grade != "":
		return sc.Grade
	case sc.Value != "":
		return sc.Value
	case len(sc.Ticked) > 0:
		return strconv.Itoa(len(sc.Ticked)) + " ticked"
	}
	return strconv.FormatInt(sc.Occurrences, 10)
}

package review

import (
	"bytes"
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/assignment"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// verifyPage is how many rows VerifyResults reads at once.
const verifyPage = 500

// Recompute scores an application from scratch, from what the database holds now, as
// stored results are compared with (VerifyResults, the invariant test): ok is false when
// it should have no result.
func (s *Server) Recompute(ctx context.Context, appID string) (detail *reviewv1.Result, key []byte, entry *scoring.Entry, ok bool, err error) {
	sys := store.System(ctx)
	db := s.st.Client
	a, err := db.Application.Get(sys, appID)
	if err != nil {
		return nil, nil, nil, false, err
	}
	rv, err := s.load(ctx, db, a.CampaignID)
	if err != nil {
		return nil, nil, nil, false, err
	}
	c, err := s.recompute(sys, db, a, rv)
	if c == nil || err != nil {
		return nil, nil, nil, false, err
	}
	return c.detail, c.key, c.entry(a), true, nil
}

// recompute is Recompute of application a of the campaign rv loads: nil when it should
// have no result, its campaign's number of sheets not all finalized.
func (s *Server) recompute(sys context.Context, db *ent.Client, a *ent.Application, rv *review) (*computed, error) {
	sheets, err := db.Assignment.Query().Where(assignment.ApplicationID(a.ID), assignment.StateNEQ(assignment.StateWITHDRAWN)).
		Order(ent.Asc(assignment.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	if len(sheets) < rv.campaign.ReviewersPerApplication {
		return nil, nil
	}
	for _, sh := range sheets {
		if sh.State != assignment.StateFINALIZED {
			return nil, nil
		}
	}
	return s.compute(sys, db, a, rv, sheets, nil)
}

// entry is c as the engine ranks it.
func (c *computed) entry(a *ent.Application) *scoring.Entry {
	return &scoring.Entry{ApplicationID: a.ID, UnitID: a.UnitID, Total: c.res.Total, Base: c.res.Base,
		Categories: c.res.Categories, FinalSubmit: c.submit, Vetoed: c.res.Vetoed}
}

// VerifyResults checks every campaign's results for `wenming check` (docs/operations.md,
// Checking the data): a result exists exactly when its application's sheets are all
// final, it equals a recompute by the engine from the database's current inputs (every
// figure, the explanation and the ranking sort key), no result lacks its application, and
// the campaign's ranks (the results in sort-key order, as the ranking reads them) are the
// engine's order. It reads as the system, applications a page at a time; the engine's
// order of one campaign is held in memory, one entry per result. It calls report for each
// violation.
func (s *Server) VerifyResults(ctx context.Context, report func(subject, problem string)) (map[string]int64, error) {
	sys := store.System(ctx)
	db := s.st.Client
	counts := map[string]int64{"campaigns": 0, "applications": 0, "results": 0}
	last := ""
	for {
		cs, err := db.Campaign.Query().Where(campaign.IDGT(last)).Order(ent.Asc(campaign.FieldID)).Limit(verifyPage).
			Select(campaign.FieldID).All(sys)
		if err != nil || len(cs) == 0 {
			return counts, err
		}
		for _, c := range cs {
			counts["campaigns"]++
			if err := s.verifyCampaign(ctx, c.ID, counts, report); err != nil {
				return counts, fmt.Errorf("campaign %s: %w", c.ID, err)
			}
		}
		last = cs[len(cs)-1].ID
	}
}

// verifyCampaign is VerifyResults for one campaign.
func (s *Server) verifyCampaign(ctx context.Context, campaignID string, counts map[string]int64, report func(subject, problem string)) error {
	sys := store.System(ctx)
	db := s.st.Client
	exists, err := db.Application.Query().Where(application.CampaignID(campaignID)).Exist(sys)
	if err != nil || !exists {
		return err
	}
	rv, err := s.load(ctx, db, campaignID)
	if err != nil {
		return err
	}
	var entries []*scoring.Entry
	last := ""
	for {
		apps, err := db.Application.Query().Where(application.CampaignID(campaignID), application.IDGT(last)).
			Order(ent.Asc(application.FieldID)).Limit(verifyPage).All(sys)
		if err != nil {
			return err
		}
		if len(apps) == 0 {
			break
		}
		ids := make([]string, len(apps))
		for i, a := range apps {
			ids[i] = a.ID
		}
		rows, err := db.Result.Query().Where(result.IDIn(ids...)).All(sys)
		if err != nil {
			return err
		}
		stored := map[string]*ent.Result{}
		for _, r := range rows {
			stored[r.ID] = r
		}
		for _, a := range apps {
			counts["applications"]++
			want, err := s.recompute(sys, db, a, rv)
			if err != nil {
				return fmt.Errorf("application %s: %w", a.ID, err)
			}
			if want != nil {
				entries = append(entries, want.entry(a))
			}
			if problem := compareResult(stored[a.ID], want); problem != "" {
				report("result/"+a.ID, problem)
			}
		}
		last = apps[len(apps)-1].ID
	}
	// The ranks: the stored results in sort-key order, against the engine's order of the
	// recomputed ones.
	scoring.Rank(entries)
	after := []byte{}
	rank := 0
	for {
		page, err := db.Result.Query().Where(result.CampaignID(campaignID), result.SortKeyGT(after)).
			Order(ent.Asc(result.FieldSortKey)).Limit(verifyPage).Select(result.FieldID, result.FieldSortKey).All(sys)
		if err != nil {
			return err
		}
		for _, r := range page {
			rank++
			counts["results"]++
			switch {
			case rank > len(entries):
				report("result/"+r.ID, fmt.Sprintf("ranked %d, but the engine ranks only %d results", rank, len(entries)))
			case entries[rank-1].ApplicationID != r.ID:
				report("result/"+r.ID, fmt.Sprintf("ranked %d, where the engine ranks %s", rank, entries[rank-1].ApplicationID))
			}
		}
		if len(page) < verifyPage {
			break
		}
		after = page[len(page)-1].SortKey
	}
	if rank < len(entries) {
		report("campaign/"+campaignID, fmt.Sprintf("the ranking holds %d results, the engine %d", rank, len(entries)))
	}
	return nil
}

// compareResult says how stored result r differs from want, a recompute ("" when it does
// not); either may be nil.
func compareResult(r *ent.Result, want *computed) string {
	switch {
	case r == nil && want == nil:
		return ""
	case r == nil:
		return "missing, although every sheet is final"
	case want == nil:
		return "stored, although a sheet is open or missing"
	}
	got := &reviewv1.Result{}
	if err := proto.Unmarshal(r.Detail, got); err != nil {
		return "its detail does not decode: " + err.Error()
	}
	res := want.res
	switch {
	case r.Total != int64(res.Total) || r.Base != int64(res.Base) || r.Bonus != int64(res.Bonus) ||
		r.Deductions != int64(res.Deductions) || r.Vetoed != res.Vetoed:
		return fmt.Sprintf("total %s (base %s, bonus %s, deductions %s, vetoed %t) differs from a recompute: %s (%s, %s, %s, %t)",
			scoring.Points(r.Total), scoring.Points(r.Base), scoring.Points(r.Bonus), scoring.Points(r.Deductions), r.Vetoed,
			res.Total, res.Base, res.Bonus, res.Deductions, res.Vetoed)
	case !proto.Equal(got, want.detail):
		return "its explanation differs from a recompute (total " + want.detail.GetTotal() + ")"
	case !bytes.Equal(r.SortKey, want.key):
		return "its ranking sort key differs from a recompute"
	}
	return ""
}

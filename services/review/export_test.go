package review

import (
	"context"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/assignment"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Recompute scores an application from scratch, from what the database holds now, as the
// invariant test compares stored results with: ok is false when it should have no result.
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
	sheets, err := db.Assignment.Query().Where(assignment.ApplicationID(a.ID), assignment.StateNEQ(assignment.StateWITHDRAWN)).
		Order(ent.Asc(assignment.FieldID)).All(sys)
	if err != nil {
		return nil, nil, nil, false, err
	}
	if len(sheets) < rv.campaign.ReviewersPerApplication {
		return nil, nil, nil, false, nil
	}
	for _, sh := range sheets {
		if sh.State != assignment.StateFINALIZED {
			return nil, nil, nil, false, nil
		}
	}
	c, err := s.compute(sys, db, a, rv, sheets, nil)
	if err != nil {
		return nil, nil, nil, false, err
	}
	return c.detail, c.key, &scoring.Entry{ApplicationID: a.ID, UnitID: a.UnitID, Total: c.res.Total, Base: c.res.Base,
		Categories: c.res.Categories, FinalSubmit: c.submit, Vetoed: c.res.Vetoed}, true, nil
}

package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// recommend is what moving a campaign to RANKED does (docs/review.md, Recommendation): the
// best results within the quota and pass line become RECOMMENDED, vetoed ones never, the
// rest NOT_RECOMMENDED; with a parent campaign, each recommended application enters it,
// stamped now.
func recommend(ctx context.Context, w *mutate.Writer, tx *ent.Tx, c *ent.Campaign, force bool, now time.Time) error {
	sys := store.System(ctx)
	if err := w.Lock(ctx, tx, c.OfficeID); err != nil {
		return err
	}
	open, err := tx.Application.Query().Where(application.CampaignID(c.ID),
		application.StateIn(append([]application.State{application.StateSUBMITTED}, reviewing...)...)).
		Order(ent.Asc(application.FieldID)).All(sys)
	if err != nil {
		return err
	}
	if len(open) > 0 && !force {
		ids := make([]string, 0, 20)
		for _, a := range open[:min(len(open), 20)] {
			ids = append(ids, a.ID)
		}
		return errs.New(codes.FailedPrecondition, "REVIEW_INCOMPLETE",
			fmt.Sprintf("%d applications have no result yet (%s): finish their review, or force the move with a reason to leave them not recommended", len(open), strings.Join(ids, ", ")),
			fmt.Sprintf("还有 %d 份申报没有测评结果（%s）：请完成评审，或填写理由强制推进（这些申报将不予推荐）", len(open), strings.Join(ids, "、")))
	}
	if c.Kind == campaign.KindREINSPECTION {
		return rankReinspection(ctx, w, tx, c)
	}
	var parent *ent.Campaign
	if c.ParentCampaignID != "" {
		if parent, err = tx.Campaign.Get(sys, c.ParentCampaignID); err != nil {
			return err
		}
		switch parent.State {
		case campaign.StateOPEN, campaign.StateSUBMISSION, campaign.StateREVIEW:
		default:
			return errs.New(codes.FailedPrecondition, "PARENT_CAMPAIGN_CLOSED",
				"the parent campaign is "+string(parent.State)+": it takes recommended applications only while OPEN, in SUBMISSION or in REVIEW",
				"上级创建周期处于 "+string(parent.State)+" 阶段：仅在开放申报、材料报送或评审阶段接收推荐")
		}
	}
	rows, err := tx.Result.Query().Where(result.CampaignID(c.ID)).Order(ent.Asc(result.FieldSortKey)).
		Select(result.FieldID, result.FieldTotal, result.FieldVetoed, result.FieldState, result.FieldScopePath, result.FieldUnitID).All(sys)
	if err != nil {
		return err
	}
	entries := make([]*scoring.Entry, len(rows))
	for i, r := range rows {
		entries[i] = &scoring.Entry{ApplicationID: r.ID, Total: scoring.Points(r.Total), Vetoed: r.Vetoed}
	}
	q := scoring.Quota{}
	if c.QuotaCount != nil {
		q.Count = *c.QuotaCount
	}
	if c.QuotaPercent != nil {
		q.Percent = *c.QuotaPercent
	}
	var pass *scoring.Points
	if c.PassLine != nil {
		p := scoring.Points(*c.PassLine)
		pass = &p
	}
	// The quota counts every application the campaign ranks, with a result or not: forcing
	// the move does not shrink it.
	slots, err := q.Slots(len(rows) + len(open))
	if err != nil {
		return err
	}
	picked, err := scoring.Recommend(entries, scoring.Quota{Count: slots}, pass)
	if err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, id := range picked {
		chosen[id] = true
	}
	type move struct {
		id, scope string
		from, to  string
		total     int64
		rank      int
	}
	var moves []move
	for i, r := range rows {
		to := string(application.StateNOT_RECOMMENDED)
		switch {
		case r.Vetoed:
			to = string(application.StateVETOED)
		case chosen[r.ID]:
			to = string(application.StateRECOMMENDED)
		}
		moves = append(moves, move{id: r.ID, scope: r.ScopePath, from: r.State, to: to, total: r.Total, rank: i + 1})
	}
	for _, a := range open {
		moves = append(moves, move{id: a.ID, scope: a.ScopePath, from: string(a.State), to: string(application.StateNOT_RECOMMENDED)})
	}
	for _, to := range []string{string(application.StateRECOMMENDED), string(application.StateNOT_RECOMMENDED), string(application.StateVETOED)} {
		var ids []string
		for _, m := range moves {
			if m.to == to {
				ids = append(ids, m.id)
			}
		}
		for chunk := range slices.Chunk(ids, 500) {
			if err := tx.Application.Update().Where(application.IDIn(chunk...)).AddVersion(1).SetState(application.State(to)).Exec(sys); err != nil {
				return err
			}
			if err := tx.Result.Update().Where(result.IDIn(chunk...)).AddVersion(1).SetState(to).Exec(sys); err != nil {
				return err
			}
		}
	}
	for _, m := range moves {
		e := audit.Event{OfficeID: c.OfficeID, ScopePath: m.scope, Action: "application.rank", ResourceType: "application", ResourceID: m.id,
			Before: &reviewv1.Result{ApplicationId: m.id, State: m.from},
			After:  &reviewv1.Result{ApplicationId: m.id, State: m.to, Total: scoring.Points(m.total).String(), Rank: int32(m.rank)}}
		if err := w.Record(ctx, tx, e); err != nil {
			return err
		}
	}
	if parent == nil {
		return nil
	}
	for _, m := range moves {
		if m.to != string(application.StateRECOMMENDED) {
			continue
		}
		src, err := tx.Application.Get(sys, m.id)
		if err != nil {
			return err
		}
		// A unit that applied to the parent campaign itself keeps that application.
		taken, err := tx.Application.Query().Where(application.CampaignID(parent.ID), application.UnitID(src.UnitID)).Exist(sys)
		if err != nil {
			return err
		}
		if taken {
			continue
		}
		a, err := tx.Application.Create().SetID(resource.NewID()).SetOfficeID(parent.OfficeID).SetScopePath(src.ScopePath).
			SetCampaignID(parent.ID).SetUnitID(src.UnitID).SetUnitOfficeID(src.UnitOfficeID).SetState(application.StateSUBMITTED).
			SetSubmitTime(now).SetSourceApplicationID(src.ID).Save(sys)
		if err != nil {
			return err
		}
		if err := w.Record(ctx, tx, audit.Event{OfficeID: parent.OfficeID, ScopePath: a.ScopePath, Action: "application.recommend_into",
			ResourceType: "application", ResourceID: a.ID,
			After: &reviewv1.Result{ApplicationId: a.ID, CampaignId: parent.ID, UnitId: a.UnitID, State: string(a.State)}}); err != nil {
			return err
		}
	}
	return nil
}

// Rescorer returns what a change to a unit's negative list does to its results, for the
// tenancy service to run in the transaction of that change: every result of the unit in a
// campaign from REVIEW to PUBLICITY is settled again, so an entry recorded or annulled after
// scoring counts at once (docs/review.md).
func Rescorer(st *store.Store, trail *audit.Chain, now func() time.Time) func(ctx context.Context, tx *ent.Tx, unitID string) error {
	s := NewServer(Deps{Store: st, Audit: trail, Clock: now})
	return func(ctx context.Context, tx *ent.Tx, unitID string) error {
		sys := store.System(ctx)
		// The chains of the offices whose campaigns hold the unit's applications are locked
		// before its results are read, in one order: a score write settling one of them
		// either committed already (its result is read here) or waits and then reads the
		// entry this transaction writes.
		campaigns, err := tx.Application.Query().Where(application.UnitID(unitID)).Select(application.FieldCampaignID).Strings(sys)
		if err != nil {
			return err
		}
		offices, err := tx.Campaign.Query().Where(campaign.IDIn(campaigns...)).Select(campaign.FieldOfficeID).Strings(sys)
		if err != nil {
			return err
		}
		slices.Sort(offices)
		for _, o := range slices.Compact(offices) {
			if err := s.w.Lock(ctx, tx, o); err != nil {
				return err
			}
		}
		rows, err := tx.Result.Query().Where(result.UnitID(unitID)).Select(result.FieldID, result.FieldCampaignID, result.FieldOfficeID, result.FieldScopePath).
			Order(ent.Asc(result.FieldID)).All(sys)
		if err != nil {
			return err
		}
		for _, r := range rows {
			rv, err := s.load(ctx, tx.Client(), r.CampaignID)
			if err != nil {
				return err
			}
			switch rv.campaign.State {
			case campaign.StateREVIEW, campaign.StateRANKED, campaign.StatePUBLICITY:
			default:
				continue
			}
			next, err := s.settle(ctx, tx, r.ID, nil, rv, nil)
			if err != nil {
				return err
			}
			// Recorded in the campaign office's chain as well as the entry's: every change of
			// a campaign's results moves that chain's head.
			after := &reviewv1.Result{ApplicationId: r.ID, UnitId: unitID}
			if next != nil {
				after.Total, after.State = scoring.Points(next.Total).String(), next.State
			}
			if err := s.w.Record(ctx, tx, audit.Event{OfficeID: r.OfficeID, ScopePath: r.ScopePath, Action: "result.rescore",
				ResourceType: "result", ResourceID: r.ID, After: after}); err != nil {
				return err
			}
		}
		return nil
	}
}

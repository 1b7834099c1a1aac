package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/reinspectiondecision"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/ent/titlerecord"
	"github.com/wenming-platform/wenming/ent/unit"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/titles"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// heldTitles are the titles a reinspection of campaign c covers, by unit: each unit's
// current title when the campaign's office named or recorded it at the campaign's level
// and it is in force at now.
func heldTitles(ctx context.Context, db *ent.Client, c *ent.Campaign, now time.Time, units ...string) (map[string]*ent.TitleRecord, error) {
	sys := store.System(ctx)
	q := db.TitleRecord.Query().Where(titlerecord.OfficeID(c.OfficeID), titlerecord.LevelEQ(titlerecord.Level(c.TargetLevel)))
	if len(units) > 0 {
		q = q.Where(titlerecord.UnitIDIn(units...))
	}
	recs, err := q.All(sys)
	if err != nil {
		return nil, err
	}
	held := map[string]*ent.TitleRecord{}
	for _, r := range recs {
		if _, seen := held[r.UnitID]; seen {
			continue
		}
		cur, err := titles.NewestFirst(db.TitleRecord.Query().Where(titlerecord.UnitID(r.UnitID))).First(sys)
		if err != nil {
			return nil, err
		}
		if cur.OfficeID == c.OfficeID && cur.Level == titlerecord.Level(c.TargetLevel) &&
			(titles.InForce(string(cur.State), &cur.TermStart, cur.TermEnd, now) || cur.State == titlerecord.StateRECTIFYING) {
			held[r.UnitID] = cur
		}
	}
	return held, nil
}

// enterHolders is what opening a reinspection does: every holder of the office's titles
// (heldTitles) gets an application in DRAFT, as if it had applied, and answers with
// evidence like any applicant (docs/publicity.md, Reinspection).
func enterHolders(ctx context.Context, w *mutate.Writer, tx *ent.Tx, c *ent.Campaign, now time.Time) error {
	sys := store.System(ctx)
	if err := w.Lock(ctx, tx, c.OfficeID); err != nil {
		return err
	}
	held, err := heldTitles(ctx, tx.Client(), c, now)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(held))
	for id := range held {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	us, err := tx.Unit.Query().Where(unit.IDIn(ids...)).All(sys)
	if err != nil {
		return err
	}
	for _, u := range us {
		a, err := tx.Application.Create().SetID(resource.NewID()).SetOfficeID(c.OfficeID).SetScopePath(u.ScopePath).
			SetCampaignID(c.ID).SetUnitID(u.ID).SetUnitOfficeID(u.OfficeID).SetReinspectedTitleID(held[u.ID].ID).Save(sys)
		if err != nil {
			return err
		}
		if err := w.Record(ctx, tx, audit.Event{OfficeID: c.OfficeID, ScopePath: u.ScopePath, Action: "application.enter",
			ResourceType: "application", ResourceID: a.ID,
			After: &reviewv1.ReinspectionOutcome{ApplicationId: a.ID, UnitId: u.ID, UnitDisplayName: u.DisplayName, TitleId: held[u.ID].ID}}); err != nil {
			return err
		}
	}
	return nil
}

// rankReinspection is what RANKED does to a reinspection: vetoed holders become VETOED,
// the others stay SCORED for their decisions; nobody is recommended.
func rankReinspection(ctx context.Context, w *mutate.Writer, tx *ent.Tx, c *ent.Campaign) error {
	sys := store.System(ctx)
	rows, err := tx.Result.Query().Where(result.CampaignID(c.ID), result.Vetoed(true)).All(sys)
	if err != nil {
		return err
	}
	for _, r := range rows {
		to := string(application.StateVETOED)
		if err := tx.Application.UpdateOneID(r.ID).AddVersion(1).SetState(application.StateVETOED).Exec(sys); err != nil {
			return err
		}
		if err := tx.Result.UpdateOneID(r.ID).AddVersion(1).SetState(to).Exec(sys); err != nil {
			return err
		}
		if err := w.Record(ctx, tx, audit.Event{OfficeID: c.OfficeID, ScopePath: r.ScopePath, Action: "application.rank",
			ResourceType: "application", ResourceID: r.ID,
			Before: &reviewv1.Result{ApplicationId: r.ID, State: r.State}, After: &reviewv1.Result{ApplicationId: r.ID, State: to}}); err != nil {
			return err
		}
	}
	return nil
}

// closeReinspection refuses to close a reinspection before every holder is decided.
func closeReinspection(ctx context.Context, w *mutate.Writer, tx *ent.Tx, c *ent.Campaign) error {
	sys := store.System(ctx)
	if err := w.Lock(ctx, tx, c.OfficeID); err != nil {
		return err
	}
	ids, err := tx.Application.Query().Where(application.CampaignID(c.ID), application.StateNEQ(application.StateWITHDRAWN)).IDs(sys)
	if err != nil {
		return err
	}
	apps := len(ids)
	decided, err := tx.ReinspectionDecision.Query().Where(reinspectiondecision.CampaignID(c.ID), reinspectiondecision.ApplicationIDIn(ids...)).Count(sys)
	if err != nil {
		return err
	}
	if decided < apps {
		return errs.New(codes.FailedPrecondition, "REINSPECTION_UNDECIDED",
			fmt.Sprintf("%d of %d holders have no decision yet: decide each before closing", apps-decided, apps),
			fmt.Sprintf("%d 家单位（共 %d 家）尚未作出复查处理决定：请逐一处理后再结束", apps-decided, apps))
	}
	return nil
}

var verdicts = map[reviewv1.ReinspectionVerdict]reinspectiondecision.Outcome{
	reviewv1.ReinspectionVerdict_REINSPECTION_VERDICT_KEEP:   reinspectiondecision.OutcomeKEEP,
	reviewv1.ReinspectionVerdict_REINSPECTION_VERDICT_WARN:   reinspectiondecision.OutcomeWARN,
	reviewv1.ReinspectionVerdict_REINSPECTION_VERDICT_REVOKE: reinspectiondecision.OutcomeREVOKE,
}

func verdictToProto(o string) reviewv1.ReinspectionVerdict {
	return reviewv1.ReinspectionVerdict(reviewv1.ReinspectionVerdict_value["REINSPECTION_VERDICT_"+o])
}

// propose is what a holder's result proposes: no result (nothing submitted) or a veto
// revokes; otherwise the campaign's lines decide.
func propose(c *ent.Campaign, r *ent.Result) reinspectiondecision.Outcome {
	switch {
	case r == nil || r.Vetoed:
		return reinspectiondecision.OutcomeREVOKE
	case c.KeepLine != nil && r.Total >= *c.KeepLine:
		return reinspectiondecision.OutcomeKEEP
	case c.WarnLine != nil && r.Total >= *c.WarnLine:
		return reinspectiondecision.OutcomeWARN
	}
	return reinspectiondecision.OutcomeREVOKE
}

// reinspectionCampaign checks that c is a reinspection with results to decide on.
func reinspectionCampaign(c *ent.Campaign) error {
	if c.Kind != campaign.KindREINSPECTION {
		return errs.Invalid("campaign_id", "not a reinspection campaign", "不是复查类创建周期")
	}
	switch c.State {
	case campaign.StateRANKED, campaign.StatePUBLICITY, campaign.StateCLOSED:
		return nil
	}
	return errs.New(codes.FailedPrecondition, "CAMPAIGN_WRONG_PHASE",
		"the campaign is "+string(c.State)+": reinspection outcomes exist once it is RANKED",
		"该创建周期处于 "+string(c.State)+" 阶段：排名后才有复查结果")
}

func outcomeToProto(a *ent.Application, unitName string, t *ent.TitleRecord, r *ent.Result, c *ent.Campaign, d *ent.ReinspectionDecision) *reviewv1.ReinspectionOutcome {
	o := &reviewv1.ReinspectionOutcome{ApplicationId: a.ID, UnitId: a.UnitID, UnitDisplayName: unitName, Scored: r != nil,
		Proposed: verdictToProto(string(propose(c, r)))}
	if t != nil {
		o.TitleId = t.ID
	}
	if r != nil {
		o.Total, o.Vetoed = scoring.Points(r.Total).String(), r.Vetoed
	}
	if d != nil {
		o.Decision = &reviewv1.ReinspectionDecision{Verdict: verdictToProto(string(d.Outcome)), Reason: d.Reason,
			DocumentNumber: d.DocumentNumber, DecidedBy: d.DecidedBy, DecideTime: timestamppb.New(d.CreateTime)}
	}
	return o
}

// ListReinspection lists a reinspection's holders with what their scores propose.
func (s *Server) ListReinspection(ctx context.Context, req *reviewv1.ListReinspectionRequest) (*reviewv1.ListReinspectionResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	c, err := db.Campaign.Get(ctx, req.GetCampaignId())
	if err != nil || !v.CanRead(c.ScopePath) {
		return nil, resource.NotFound(err, "campaign")
	}
	if err := reinspectionCampaign(c); err != nil {
		return nil, err
	}
	sys := store.System(ctx)
	apps, err := db.Application.Query().Where(application.CampaignID(c.ID), application.StateNEQ(application.StateWITHDRAWN)).
		Order(ent.Asc(application.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	results, err := db.Result.Query().Where(result.CampaignID(c.ID)).Order(ent.Asc(result.FieldSortKey)).All(sys)
	if err != nil {
		return nil, err
	}
	decisions, err := db.ReinspectionDecision.Query().Where(reinspectiondecision.CampaignID(c.ID)).All(sys)
	if err != nil {
		return nil, err
	}
	unitIDs := make([]string, len(apps))
	for i, a := range apps {
		unitIDs[i] = a.UnitID
	}
	us, err := db.Unit.Query().Where(unit.IDIn(unitIDs...)).Select(unit.FieldID, unit.FieldDisplayName).All(sys)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range us {
		names[u.ID] = u.DisplayName
	}
	// The title each holder was entered with, moved or not since.
	titleIDs := make([]string, len(apps))
	for i, a := range apps {
		titleIDs[i] = a.ReinspectedTitleID
	}
	recs, err := db.TitleRecord.Query().Where(titlerecord.IDIn(titleIDs...)).All(sys)
	if err != nil {
		return nil, err
	}
	title := map[string]*ent.TitleRecord{}
	for _, r := range recs {
		title[r.UnitID] = r
	}
	byApp := map[string]*ent.Result{}
	for _, r := range results {
		byApp[r.ID] = r
	}
	decided := map[string]*ent.ReinspectionDecision{}
	for _, d := range decisions {
		decided[d.ApplicationID] = d
	}
	// Ranking order, then the holders without a result.
	order := map[string]int{}
	for i, r := range results {
		order[r.ID] = i
	}
	slices.SortStableFunc(apps, func(a, b *ent.Application) int {
		ia, oka := order[a.ID]
		ib, okb := order[b.ID]
		switch {
		case oka && okb:
			return ia - ib
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	resp := &reviewv1.ListReinspectionResponse{}
	for _, a := range apps {
		resp.Outcomes = append(resp.Outcomes, outcomeToProto(a, names[a.UnitID], title[a.UnitID], byApp[a.ID], c, decided[a.ID]))
	}
	return resp, nil
}

// DecideReinspection takes the decision on one holder and moves its title accordingly, in
// one transaction: KEEP records it in the title's history, WARN warns the title with a
// rectification deadline, REVOKE revokes it.
func (s *Server) DecideReinspection(ctx context.Context, req *reviewv1.DecideReinspectionRequest) (*reviewv1.ReinspectionOutcome, error) {
	v := viewer.FromContext(ctx)
	outcome, ok := verdicts[req.GetVerdict()]
	reason, doc := strings.TrimSpace(req.GetReason()), strings.TrimSpace(req.GetDocumentNumber())
	switch {
	case !ok:
		return nil, errs.Invalid("verdict", "REINSPECTION_VERDICT_KEEP, _WARN or _REVOKE", "请填写处理决定：保留（KEEP）、黄牌警示（WARN）或撤销（REVOKE）")
	case reason == "":
		return nil, errs.Invalid("reason", "is required", "必填")
	case doc == "":
		return nil, errs.Invalid("document_number", "is required: the document the decision rests on", "必填：处理决定所依据的文件文号")
	case outcome == reinspectiondecision.OutcomeWARN && !req.GetRectificationDeadline().IsValid():
		return nil, errs.Invalid("rectification_deadline", "a warning needs a rectification deadline", "黄牌警示须规定整改期限")
	case outcome == reinspectiondecision.OutcomeWARN && !req.GetRectificationDeadline().AsTime().After(time.Now()):
		return nil, errs.Invalid("rectification_deadline", "must be in the future", "须晚于当前时间")
	case outcome != reinspectiondecision.OutcomeWARN && req.GetRectificationDeadline() != nil:
		return nil, errs.Invalid("rectification_deadline", "only a warning sets a rectification deadline", "仅黄牌警示可规定整改期限")
	}
	var out *reviewv1.ReinspectionOutcome
	_, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Application, *ent.ReinspectionDecision]{
		Parent: "application",
		GetParent: func(ctx context.Context, tx *ent.Tx) (*ent.Application, error) {
			return tx.Application.Get(ctx, req.GetApplicationId())
		},
		Allow: func(a *ent.Application) error {
			if !v.OfficeAdmin(a.OfficeID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Save: func(tx *ent.Tx, a *ent.Application) (*ent.ReinspectionDecision, error) {
			sys := store.System(ctx)
			c, err := tx.Campaign.Get(sys, a.CampaignID)
			if err != nil {
				return nil, err
			}
			if err := reinspectionCampaign(c); err != nil {
				return nil, err
			}
			if a.State == application.StateWITHDRAWN {
				return nil, errs.New(codes.FailedPrecondition, "APPLICATION_WRONG_STATE",
					"the application is WITHDRAWN: there is nothing to decide", "该申报已撤回，无需作出复查决定")
			}
			if c.State == campaign.StateCLOSED {
				return nil, errs.New(codes.FailedPrecondition, "CAMPAIGN_WRONG_PHASE",
					"the campaign is CLOSED: its decisions are taken", "该复查已结束，处理决定已作出")
			}
			if err := s.w.Lock(ctx, tx, c.OfficeID); err != nil {
				return nil, err
			}
			if done, err := tx.ReinspectionDecision.Query().Where(reinspectiondecision.ApplicationID(a.ID)).Exist(sys); err != nil || done {
				if err == nil {
					err = errs.New(codes.FailedPrecondition, "REINSPECTION_DECIDED",
						"this holder's reinspection was decided already", "该单位的复查已作出处理决定")
				}
				return nil, err
			}
			r, err := tx.Result.Query().Where(result.ID(a.ID)).Only(sys)
			if err != nil && !ent.IsNotFound(err) {
				return nil, err
			}
			if err := titles.Lock(ctx, tx, s.st.Dialect, a.UnitID); err != nil {
				return nil, err
			}
			// The decision moves the title the holder was entered for, whatever the office
			// recorded since.
			held, err := tx.TitleRecord.Get(sys, a.ReinspectedTitleID)
			if err != nil {
				return nil, resource.NotFound(err, "title")
			}
			if held.TermEnd != nil && !time.Now().Before(*held.TermEnd) {
				return nil, errs.New(codes.FailedPrecondition, "TITLE_TERM_ENDED",
					"the title's term has ended: an expired title is no longer kept, warned or revoked", "该称号任期已届满，不再作出复查决定")
			}
			to := map[reinspectiondecision.Outcome]titlerecord.State{reinspectiondecision.OutcomeKEEP: held.State,
				reinspectiondecision.OutcomeWARN: titlerecord.StateWARNED, reinspectiondecision.OutcomeREVOKE: titlerecord.StateREVOKED}[outcome]
			if held.State == titlerecord.StateREVOKED || outcome != reinspectiondecision.OutcomeKEEP && !titles.CanMove(held.State, to) {
				return nil, errs.New(codes.FailedPrecondition, "TITLE_WRONG_STATE",
					"the title is "+string(held.State)+": a reinspection cannot "+strings.ToLower(string(outcome))+" it",
					"该称号处于 "+string(held.State)+" 状态，不能作出此复查决定")
			}
			var deadline *time.Time
			if outcome == reinspectiondecision.OutcomeWARN {
				t := req.GetRectificationDeadline().AsTime()
				deadline = &t
			}
			now := s.now()
			moved, current, err := titles.Apply(ctx, tx, held, titles.Move{To: to, Reason: "reinspection " + c.DisplayName + ": " + reason,
				Document: doc, Actor: audit.Actor(ctx), Time: now, Deadline: deadline})
			if err != nil {
				return nil, err
			}
			if err := s.w.Record(ctx, tx, audit.Event{OfficeID: held.OfficeID, ScopePath: held.ScopePath, Action: "title.transition",
				ResourceType: "title", ResourceID: held.ID,
				Before: titles.ToProto(held, current, now), After: titles.ToProto(moved, current, now)}); err != nil {
				return nil, err
			}
			d, err := tx.ReinspectionDecision.Create().SetID(resource.NewID()).SetOfficeID(c.OfficeID).SetScopePath(a.ScopePath).
				SetCampaignID(c.ID).SetApplicationID(a.ID).SetTitleID(held.ID).SetProposed(reinspectiondecision.Proposed(propose(c, r))).
				SetOutcome(outcome).SetReason(reason).SetDocumentNumber(doc).SetDecidedBy(audit.Actor(ctx)).SetCreateTime(now).Save(ctx)
			if err != nil {
				return nil, err
			}
			u, err := tx.Unit.Get(sys, a.UnitID)
			if err != nil {
				return nil, err
			}
			out = outcomeToProto(a, u.DisplayName, moved, r, c, d)
			return d, nil
		},
		Audit: func(a *ent.Application, _ *ent.ReinspectionDecision) (audit.Event, error) {
			return audit.Event{OfficeID: a.OfficeID, ScopePath: a.ScopePath, Action: "reinspection.decide", ResourceType: "application",
				ResourceID: a.ID, After: out}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

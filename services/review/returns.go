package review

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/assignment"
	"github.com/wenming-platform/wenming/ent/campaign"
	entevidence "github.com/wenming-platform/wenming/ent/evidence"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

func getApplication(id string) func(context.Context, *ent.Tx) (*ent.Application, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.Application, error) { return tx.Application.Get(ctx, id) }
}

func appVersion(a *ent.Application) int64 { return a.Version }

// appEvent records a review action on application a in its campaign office's chain.
func appEvent(action string, a *ent.Application) audit.Event {
	return audit.Event{OfficeID: a.OfficeID, ScopePath: a.ScopePath, Action: action, ResourceType: "application", ResourceID: a.ID}
}

// ReturnEvidence sends evidence of an application back for rectification.
func (s *Server) ReturnEvidence(ctx context.Context, req *reviewv1.ReturnEvidenceRequest) (*reviewv1.ReturnEvidenceResponse, error) {
	v := viewer.FromContext(ctx)
	now := s.now()
	due := req.GetDueTime().AsTime()
	if !due.After(now) {
		return nil, errs.Invalid("due_time", "must be in the future", "须晚于当前时间")
	}
	reason := strings.TrimSpace(req.GetReason())
	resp := &reviewv1.ReturnEvidenceResponse{}
	var sheet *ent.Assignment
	_, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Application]{
		Resource: "assignment",
		Get: func(ctx context.Context, tx *ent.Tx) (*ent.Application, error) {
			sh, err := tx.Assignment.Get(ctx, req.GetAssignmentId())
			if err != nil {
				return nil, err
			}
			sheet = sh
			return tx.Application.Get(ctx, sh.ApplicationID)
		},
		Version: appVersion,
		Allow:   func(*ent.Application) error { return ownOpen(v, sheet) },
		Apply: func(tx *ent.Tx, cur *ent.Application) (*ent.Application, error) {
			rv, _, err := s.sheetContext(ctx, tx, sheet)
			if err != nil {
				return nil, err
			}
			// The sheet was read before the lock: it must still be the caller's open sheet.
			now, err := tx.Assignment.Get(store.System(ctx), sheet.ID)
			if err != nil {
				return nil, err
			}
			if err := ownOpen(v, now); err != nil {
				return nil, err
			}
			if cur.State != application.StateIN_REVIEW && cur.State != application.StateRESUBMITTED && cur.State != application.StateRETURNED {
				return nil, errs.New(codes.FailedPrecondition, "APPLICATION_WRONG_STATE",
					"the application is "+string(cur.State)+": evidence is returned only while it is under review",
					"申报处于 "+string(cur.State)+" 状态：仅在评审中可以退回材料")
			}
			open := false
			for i, it := range req.GetItems() {
				at := fmt.Sprintf("items[%d].", i)
				ind := rv.plan.byCode[it.GetIndicatorCode()]
				if ind == nil || ind.Kind == scoring.KindGroup {
					return nil, errs.Invalid(at+"indicator_code", "is not a leaf indicator of the campaign's standard", "不是本创建周期测评细则的末级指标")
				}
				q := tx.Evidence.Query().Where(entevidence.ApplicationID(cur.ID), entevidence.IndicatorCode(ind.Code))
				if p := it.GetPeriod(); p != "" {
					q = q.Where(entevidence.Period(p))
				}
				items, err := q.Order(ent.Asc(entevidence.FieldPeriod)).All(ctx)
				if err != nil {
					return nil, err
				}
				var taken []*ent.Evidence
				for _, ev := range items {
					if ev.RevisionCount > 0 && (ev.State == entevidence.StateSUBMITTED || ev.State == entevidence.StateACCEPTED) {
						taken = append(taken, ev)
					}
				}
				if len(taken) == 0 {
					return nil, errs.Invalid(at+"indicator_code", "the unit submitted no evidence for "+ind.Code+" "+it.GetPeriod()+" that could be returned",
						"单位未报送可退回的指标 "+ind.Code+" "+it.GetPeriod()+" 材料")
				}
				for _, ev := range taken {
					// Past the campaign's resubmissions the item is locked rather than
					// returned: it scores 0 and the unit may not send it again.
					locked := ev.Resubmissions >= rv.campaign.MaxResubmissions
					if err := tx.Evidence.UpdateOneID(ev.ID).Where(entevidence.Version(ev.Version)).AddVersion(1).
						SetState(entevidence.StateRETURNED).SetReturnReason(reason).SetReturnDueTime(due).SetLocked(locked).Exec(ctx); err != nil {
						return nil, err
					}
					open = open || !locked
					resp.Items = append(resp.Items, &reviewv1.ReturnedItem{IndicatorCode: ev.IndicatorCode, Period: ev.Period, Locked: locked})
				}
			}
			u := tx.Application.UpdateOneID(cur.ID).Where(application.Version(cur.Version)).AddVersion(1)
			if open {
				u.SetState(application.StateRETURNED)
			}
			next, err := u.Save(ctx)
			if err != nil {
				return nil, err
			}
			resp.ApplicationState = string(next.State)
			return next, nil
		},
		Audit: func(cur, _ *ent.Application) (audit.Event, error) {
			e := appEvent("application.return_evidence", cur)
			e.After = req
			return e, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// DecideVeto confirms or rejects a proposed veto.
func (s *Server) DecideVeto(ctx context.Context, req *reviewv1.DecideVetoRequest) (*reviewv1.Veto, error) {
	v := viewer.FromContext(ctx)
	var out *reviewv1.Veto
	_, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Application]{
		Resource: "application",
		Get:      getApplication(req.GetApplicationId()), Version: appVersion,
		Allow: func(cur *ent.Application) error {
			if !v.OfficeAdmin(cur.OfficeID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.Application) (*ent.Application, error) {
			if err := s.w.Lock(ctx, tx, cur.OfficeID); err != nil {
				return nil, err
			}
			rv, err := s.load(ctx, tx.Client(), cur.CampaignID)
			if err != nil {
				return nil, err
			}
			if err := inReview(rv.campaign); err != nil {
				return nil, err
			}
			code := req.GetIndicatorCode()
			if ind := rv.plan.byCode[code]; ind == nil || ind.Kind != scoring.KindVeto {
				return nil, errs.Invalid("indicator_code", "is not a VETO indicator of the campaign's standard", "不是本创建周期测评细则的否决项")
			}
			sheets, err := tx.Assignment.Query().Where(assignment.ApplicationID(cur.ID), assignment.StateNEQ(assignment.StateWITHDRAWN)).All(store.System(ctx))
			if err != nil {
				return nil, err
			}
			out = &reviewv1.Veto{Code: code, Confirmed: req.GetConfirm(), Decided: true, DecisionReason: strings.TrimSpace(req.GetReason())}
			for _, sh := range sheets {
				for _, sc := range sh.Scores {
					if sc.IndicatorCode == code && sc.Veto {
						out.ProposerIds = append(out.ProposerIds, sh.ReviewerID)
						out.Reasons = append(out.Reasons, sc.VetoReason)
					}
				}
			}
			if len(out.ProposerIds) == 0 {
				return nil, errs.New(codes.FailedPrecondition, "NO_VETO_PROPOSED",
					"no reviewer proposed a veto on "+code+": there is nothing to decide", "没有评审员对 "+code+" 提议否决，无需决定")
			}
			if err := tx.VetoDecision.Create().SetID(resource.NewID()).SetOfficeID(cur.OfficeID).SetScopePath(cur.ScopePath).
				SetApplicationID(cur.ID).SetIndicatorCode(code).SetConfirmed(req.GetConfirm()).SetReason(out.DecisionReason).
				SetDecidedBy(v.Subject).SetCreateTime(s.now()).Exec(ctx); err != nil {
				return nil, err
			}
			next, err := tx.Application.UpdateOneID(cur.ID).Where(application.Version(cur.Version)).AddVersion(1).Save(ctx)
			if err != nil {
				return nil, err
			}
			if _, err := s.settle(ctx, tx, cur.ID, next, rv, nil); err != nil {
				return nil, err
			}
			return next, nil
		},
		Audit: func(cur, _ *ent.Application) (audit.Event, error) {
			e := appEvent("application.decide_veto", cur)
			e.After = out
			return e, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func spotCheckToProto(c *ent.SpotCheck) *reviewv1.SpotCheck {
	return &reviewv1.SpotCheck{Id: c.ID, ApplicationId: c.ApplicationID, OfficeId: c.OfficeID, IndicatorCode: c.IndicatorCode,
		Period: c.Period, Finding: c.Finding, Veto: c.Veto, CheckedBy: c.CheckedBy, CreateTime: timestamppb.New(c.CreateTime)}
}

// CreateSpotCheck records an office's spot check of a scored application.
func (s *Server) CreateSpotCheck(ctx context.Context, req *reviewv1.CreateSpotCheckRequest) (*reviewv1.SpotCheck, error) {
	v := viewer.FromContext(ctx)
	in := req.GetSpotCheck()
	c, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Application, *ent.SpotCheck]{
		Parent:    "application",
		GetParent: getApplication(req.GetApplicationId()),
		Allow: func(a *ent.Application) error {
			// The campaign's office or an office above it: an ancestor's one write into a
			// descendant's review (docs/authorization.md).
			if v.UnitID != "" || !v.Has(authzv1.Role_ROLE_OFFICE_ADMIN) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Save: func(tx *ent.Tx, a *ent.Application) (*ent.SpotCheck, error) {
			if err := s.w.Lock(ctx, tx, a.OfficeID); err != nil {
				return nil, err
			}
			rv, err := s.load(ctx, tx.Client(), a.CampaignID)
			if err != nil {
				return nil, err
			}
			if !strings.HasPrefix(rv.campaign.ScopePath, v.ScopePath) {
				return nil, errs.ErrPermissionDenied
			}
			switch rv.campaign.State {
			case campaign.StateREVIEW, campaign.StateRANKED, campaign.StatePUBLICITY:
			default:
				return nil, errs.New(codes.FailedPrecondition, "CAMPAIGN_WRONG_STATE",
					"the campaign is "+string(rv.campaign.State)+": spot checks are made from REVIEW to PUBLICITY",
					"创建周期处于 "+string(rv.campaign.State)+" 阶段：抽查须在评审至公示阶段进行")
			}
			scoredYet, err := tx.Result.Query().Where(result.ID(a.ID)).Exist(store.System(ctx))
			if err != nil {
				return nil, err
			}
			if !scoredYet {
				return nil, errs.New(codes.FailedPrecondition, "NOT_SCORED",
					"the application has no result yet: spot checks follow scoring", "该申报尚无测评结果：抽查须在评分完成后进行")
			}
			ind := rv.plan.byCode[in.GetIndicatorCode()]
			if ind == nil || ind.Kind == scoring.KindGroup {
				return nil, errs.Invalid("spot_check.indicator_code", "is not a leaf indicator of the campaign's standard", "不是本创建周期测评细则的末级指标")
			}
			q := tx.Evidence.Query().Where(entevidence.ApplicationID(a.ID), entevidence.IndicatorCode(ind.Code), entevidence.RevisionCountGT(0))
			if p := in.GetPeriod(); p != "" {
				q = q.Where(entevidence.Period(p))
			}
			if ok, err := q.Exist(store.System(ctx)); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				return nil, errs.Invalid("spot_check.period", "the unit submitted no evidence for "+ind.Code+" "+in.GetPeriod(),
					"单位未报送指标 "+ind.Code+" "+in.GetPeriod()+" 的材料")
			}
			sc, err := tx.SpotCheck.Create().SetID(resource.NewID()).SetOfficeID(v.OfficeID).SetScopePath(a.ScopePath).
				SetApplicationID(a.ID).SetIndicatorCode(ind.Code).SetPeriod(in.GetPeriod()).SetFinding(strings.TrimSpace(in.GetFinding())).
				SetVeto(in.GetVeto()).SetCheckedBy(v.Subject).SetCreateTime(s.now()).Save(ctx)
			if err != nil {
				return nil, err
			}
			if _, err := s.settle(ctx, tx, a.ID, nil, rv, nil); err != nil {
				return nil, err
			}
			// An office above records its check in its own chain; the campaign office's chain
			// records what it did to the result too, so every change of the campaign's results
			// moves that chain's head (the ranking and summary caches rest on it).
			if sc.OfficeID != a.OfficeID {
				if err := s.w.Record(ctx, tx, audit.Event{OfficeID: a.OfficeID, ScopePath: a.ScopePath, Action: "result.spot_check",
					ResourceType: "result", ResourceID: a.ID, After: spotCheckToProto(sc)}); err != nil {
					return nil, err
				}
			}
			return sc, nil
		},
		Audit: func(a *ent.Application, sc *ent.SpotCheck) (audit.Event, error) {
			// Recorded in the chain of the office that checked, and so in the line above it.
			return audit.Event{OfficeID: sc.OfficeID, ScopePath: a.ScopePath, Action: "application.spot_check",
				ResourceType: "application", ResourceID: a.ID, After: spotCheckToProto(sc)}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return spotCheckToProto(c), nil
}

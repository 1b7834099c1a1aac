package evidence

import (
	"context"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/deadlineextension"
	entevidence "github.com/wenming-platform/wenming/ent/evidence"
	"github.com/wenming-platform/wenming/ent/evidencefile"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/periods"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// checklist lists every item an application owes evidence for, with its window, state and
// what is missing, and the precondition violations that keep it from being submitted:
// for a draft, every item of a period that has ended (and every annual item) that lacks
// what its spec wants; for a returned application, every returned item not resubmitted.
func (s *Server) checklist(ctx context.Context, db *ent.Client, as *assessment, a *ent.Application, now time.Time) ([]*evidencev1.Requirement, []errs.Precondition, error) {
	exts, err := extensions(ctx, db, a.ID)
	if err != nil {
		return nil, nil, err
	}
	items, err := db.Evidence.Query().Where(entevidence.ApplicationID(a.ID)).All(ctx)
	if err != nil {
		return nil, nil, err
	}
	byKey := map[string]*ent.Evidence{}
	for _, ev := range items {
		byKey[ev.IndicatorCode+"/"+ev.Period] = ev
	}
	revs, err := revisions(ctx, db, items, false)
	if err != nil {
		return nil, nil, err
	}
	latest := map[string]*ent.EvidenceRevision{}
	var fileIDs []string
	for _, r := range revs {
		latest[r.EvidenceID] = r
		fileIDs = append(fileIDs, r.FileIds...)
	}
	files, err := db.EvidenceFile.Query().Where(evidencefile.IDIn(fileIDs...)).All(ctx)
	if err != nil {
		return nil, nil, err
	}
	fileByID := map[string]*ent.EvidenceFile{}
	for _, f := range files {
		fileByID[f.ID] = f
	}
	var list []*evidencev1.Requirement
	var blocking []errs.Precondition
	for _, ind := range as.order {
		if !takesEvidence(ind) {
			continue
		}
		for _, p := range periods.All(periods.CadenceOf(ind.GetEvidenceSpec()), as.campaign.Year) {
			it := item{ind: ind, period: p}
			start, due := as.window(it, exts)
			r := &evidencev1.Requirement{
				IndicatorCode: ind.GetCode(), IndicatorTitle: ind.GetTitle(), Period: p.String(),
				StartTime: timestamppb.New(start), DueTime: timestamppb.New(due),
				Due: p.Cadence == standardsv1.Cadence_CADENCE_ANNUAL || !now.Before(p.End(as.loc)),
			}
			ev := byKey[it.ind.GetCode()+"/"+p.String()]
			var c *content
			if ev != nil {
				r.State = evidencev1.EvidenceState(evidencev1.EvidenceState_value["EVIDENCE_STATE_"+string(ev.State)])
				if rev, ok := latest[ev.ID]; ok {
					c = &content{narrative: rev.Narrative, value: rev.Value, note: rev.Note}
					for _, id := range rev.FileIds {
						if f, ok := fileByID[id]; ok {
							c.files = append(c.files, f)
						}
					}
				}
			}
			if requiresEvidence(ind) {
				r.Missing, r.MissingZh = unmet(ind, c)
			}
			returned := ev != nil && ev.State == entevidence.StateRETURNED &&
				!ev.Locked && ev.Resubmissions < as.campaign.MaxResubmissions
			if returned {
				r.Missing = append(r.Missing, "returned: resubmit it ("+ev.ReturnReason+")")
				r.MissingZh = append(r.MissingZh, "已退回，请重新报送（"+ev.ReturnReason+"）")
			}
			list = append(list, r)
			switch {
			case a.State == application.StateDRAFT && r.Due && len(r.Missing) > 0,
				a.State == application.StateRETURNED && returned:
				blocking = append(blocking, missing(it, r.Missing, r.MissingZh)...)
			}
		}
	}
	return list, blocking, nil
}

// GetChecklist lists what an application owes.
func (s *Server) GetChecklist(ctx context.Context, req *evidencev1.GetChecklistRequest) (*evidencev1.GetChecklistResponse, error) {
	a, err := s.st.Client.Application.Get(ctx, req.GetApplicationId())
	if err != nil {
		return nil, resource.NotFound(err, "application")
	}
	as, err := s.assess(ctx, s.st.Client, a.CampaignID)
	if err != nil {
		return nil, err
	}
	list, _, err := s.checklist(ctx, s.st.Client, as, a, s.now())
	if err != nil {
		return nil, err
	}
	return &evidencev1.GetChecklistResponse{Requirements: list, TimeZone: as.loc.String()}, nil
}

// SubmitApplication submits a draft in the campaign's SUBMISSION phase, or a returned
// application once its returned items are resubmitted; anything missing refuses it with
// the complete list.
func (s *Server) SubmitApplication(ctx context.Context, req *evidencev1.SubmitApplicationRequest) (*evidencev1.Application, error) {
	v := viewer.FromContext(ctx)
	now := s.now()
	var to application.State
	a, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Application]{
		Resource: "application", Etag: req.GetEtag(),
		Get: getApplication(req.GetApplicationId()), Version: appVersion,
		Allow: func(cur *ent.Application) error { return unitAdmin(v, cur) },
		Apply: func(tx *ent.Tx, cur *ent.Application) (*ent.Application, error) {
			as, err := s.assess(ctx, tx.Client(), cur.CampaignID)
			if err != nil {
				return nil, err
			}
			switch cur.State {
			case application.StateDRAFT:
				c := as.campaign
				if c.State != campaign.StateSUBMISSION || (c.SubmissionEnd != nil && !now.Before(*c.SubmissionEnd)) {
					return nil, errs.New(codes.FailedPrecondition, "CAMPAIGN_NOT_IN_SUBMISSION",
						"applications are submitted while the campaign is in SUBMISSION, before its deadline; it is "+string(c.State),
						"申报须在创建周期的材料报送阶段、截止时间前提交；当前为 "+string(c.State)+" 阶段")
				}
				to = application.StateSUBMITTED
			case application.StateRETURNED:
				to = application.StateRESUBMITTED
			default:
				return nil, wrongState(cur, "submit it", "提交")
			}
			_, blocking, err := s.checklist(ctx, tx.Client(), as, cur, now)
			if err != nil {
				return nil, err
			}
			if len(blocking) > 0 {
				return nil, incomplete(blocking)
			}
			u := tx.Application.UpdateOneID(cur.ID).Where(application.Version(cur.Version)).AddVersion(1).SetState(to)
			if to == application.StateSUBMITTED {
				u.SetSubmitTime(now)
			}
			return u.Save(ctx)
		},
		Audit: func(cur, next *ent.Application) (audit.Event, error) {
			return appEvent("application."+strings.ToLower(string(to)), cur, s.toProto(cur, nil, nil), s.toProto(next, nil, nil)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s.GetApplication(ctx, &evidencev1.GetApplicationRequest{ApplicationId: a.ID})
}

// incomplete refuses a submission, listing every item still missing something.
func incomplete(blocking []errs.Precondition) error {
	subjects := make([]string, len(blocking))
	for i, b := range blocking {
		subjects[i] = b.Subject
	}
	n := strconv.Itoa(len(blocking))
	shown := strings.Join(subjects[:min(len(subjects), 20)], ", ")
	if len(subjects) > 20 {
		shown += ", …"
	}
	e := errs.New(codes.FailedPrecondition, "APPLICATION_INCOMPLETE",
		n+" items still lack what their evidence spec asks for: "+shown+" (see the details for each)",
		"还有 "+n+" 项材料未达到报送要求："+shown+"（详见各项说明）")
	e.Preconditions = blocking
	return e
}

// ExtendDeadline grants an application more time for its evidence.
func (s *Server) ExtendDeadline(ctx context.Context, req *evidencev1.ExtendDeadlineRequest) (*evidencev1.Application, error) {
	v := viewer.FromContext(ctx)
	now := s.now()
	reason := strings.TrimSpace(req.GetReason())
	if reason == "" {
		return nil, errs.Invalid("reason", "say why the deadline is extended", "请说明延期理由")
	}
	if req.GetDueTime() == nil || !req.GetDueTime().AsTime().After(now) {
		return nil, errs.Invalid("due_time", "a time in the future", "须为将来的时间")
	}
	x, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Application, *ent.DeadlineExtension]{
		Parent:    "application",
		GetParent: getApplication(req.GetApplicationId()),
		Allow: func(a *ent.Application) error {
			if !v.OfficeAdmin(a.OfficeID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Save: func(tx *ent.Tx, a *ent.Application) (*ent.DeadlineExtension, error) {
			as, err := s.assess(ctx, tx.Client(), a.CampaignID)
			if err != nil {
				return nil, err
			}
			if err := as.covers(req.GetIndicatorCode(), req.GetPeriod()); err != nil {
				return nil, err
			}
			// Every read of the application's evidence reads its extensions: they are bounded.
			if n, err := tx.DeadlineExtension.Query().Where(deadlineextension.ApplicationID(a.ID)).Count(ctx); err != nil {
				return nil, err
			} else if n >= maxExtensions {
				return nil, errs.New(codes.FailedPrecondition, "EXTENSION_LIMIT",
					"the application has "+strconv.Itoa(maxExtensions)+" extensions, as many as one may: extend everything at once instead",
					"本申报已有 "+strconv.Itoa(maxExtensions)+" 次延期，达到上限：请改为对全部材料统一延期")
			}
			return tx.DeadlineExtension.Create().SetID(resource.NewID()).SetOfficeID(a.OfficeID).SetScopePath(a.ScopePath).
				SetApplicationID(a.ID).SetIndicatorCode(req.GetIndicatorCode()).SetPeriod(req.GetPeriod()).
				SetDueTime(req.GetDueTime().AsTime()).SetReason(reason).SetGrantedBy(v.Subject).SetCreateTime(now).Save(ctx)
		},
		Audit: func(a *ent.Application, x *ent.DeadlineExtension) (audit.Event, error) {
			return audit.Event{OfficeID: a.OfficeID, ScopePath: a.ScopePath, Action: "application.extend",
				ResourceType: "application", ResourceID: a.ID, After: req}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s.GetApplication(ctx, &evidencev1.GetApplicationRequest{ApplicationId: x.ApplicationID})
}

// maxExtensions bounds the extensions of one application.
const maxExtensions = 100

// covers checks what an extension names: an indicator that takes evidence (or none, for
// all of them) and a period of its cadence (or of any cadence, for every indicator).
func (as *assessment) covers(code, period string) error {
	if code != "" {
		if period == "" {
			if ind, ok := as.leaves[code]; ok && takesEvidence(ind) {
				return nil
			}
			_, err := as.item(code, "")
			return err
		}
		_, err := as.item(code, period)
		return err
	}
	if period == "" {
		return nil
	}
	for _, c := range []standardsv1.Cadence{standardsv1.Cadence_CADENCE_ANNUAL, standardsv1.Cadence_CADENCE_QUARTERLY, standardsv1.Cadence_CADENCE_MONTHLY} {
		if _, err := periods.Parse(period, c, as.campaign.Year); err == nil {
			return nil
		}
	}
	return errs.Invalid("period", "not a reporting period of the campaign's year "+strconv.Itoa(as.campaign.Year),
		"不是本创建周期年度（"+strconv.Itoa(as.campaign.Year)+"）的报送周期")
}

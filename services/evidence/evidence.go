package evidence

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	"github.com/wenming-platform/wenming/ent/evidencerevision"
	"github.com/wenming-platform/wenming/ent/predicate"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/filetype"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/periods"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// item is one indicator and period of an application, resolved against its standard.
type item struct {
	ind    *standardsv1.Indicator
	period periods.Period
}

// item resolves an indicator code and period of the request; a code that names no
// indicator the unit reports on, or a period outside its cadence, is INVALID_ARGUMENT.
func (as *assessment) item(code, period string) (item, error) {
	ind, ok := as.leaves[code]
	if !ok || !takesEvidence(ind) {
		return item{}, errs.Invalid("indicator_code", "the campaign's standard has no indicator "+code+" that takes evidence",
			"本创建周期的测评体系中没有需要报送材料的指标 "+code)
	}
	p, err := periods.Parse(period, periods.CadenceOf(ind.GetEvidenceSpec()), as.campaign.Year)
	if err != nil {
		pp := periods.Period{Cadence: periods.CadenceOf(ind.GetEvidenceSpec()), Year: as.campaign.Year}
		return item{}, errs.Invalid("period", "not a reporting period of indicator "+code+": expected "+pp.Form(),
			"不是指标 "+code+" 的报送周期：应为 "+pp.Form())
	}
	return item{ind: ind, period: p}, nil
}

// window is when an item's evidence is accepted: from the period's start until its due
// time, moved by the latest-ending extension that covers it.
func (as *assessment) window(it item, exts []*ent.DeadlineExtension) (start, due time.Time) {
	start = it.period.Start(as.loc)
	due = it.period.Due(as.loc, int(it.ind.GetEvidenceSpec().GetDueDay()), as.campaign.SubmissionEnd)
	for _, x := range exts {
		if (x.IndicatorCode == "" || x.IndicatorCode == it.ind.GetCode()) && (x.Period == "" || x.Period == it.period.String()) && x.DueTime.After(due) {
			due = x.DueTime
		}
	}
	return start, due
}

// open checks that now is inside the item's window; a refusal gives the window in the
// office's time zone.
func (as *assessment) open(it item, exts []*ent.DeadlineExtension, now time.Time) error {
	start, due := as.window(it, exts)
	if !now.Before(start) && now.Before(due) {
		return nil
	}
	f := "2006-01-02 15:04:05"
	span := start.In(as.loc).Format(f) + " – " + due.In(as.loc).Format(f) + " (" + as.loc.String() + ")"
	e := errs.New(codes.FailedPrecondition, "EVIDENCE_WINDOW_CLOSED",
		"evidence for "+it.ind.GetCode()+" "+it.period.String()+" is accepted only from "+span+"; ask the office for an extension",
		"指标 "+it.ind.GetCode()+" "+it.period.String()+" 的材料仅在 "+span+" 内接受报送；如需延期请联系文明办")
	if now.Before(start) {
		e = errs.New(codes.FailedPrecondition, "EVIDENCE_WINDOW_CLOSED",
			"evidence for "+it.ind.GetCode()+" "+it.period.String()+" is not accepted before its period starts: "+span,
			"指标 "+it.ind.GetCode()+" "+it.period.String()+" 的报送周期尚未开始："+span)
	}
	e.Preconditions = []errs.Precondition{{Type: "WINDOW", Subject: it.ind.GetCode() + "/" + it.period.String(),
		EN: "accepted " + span, ZH: "报送时间 " + span}}
	return e
}

// extensions are the deadline extensions of an application.
func extensions(ctx context.Context, db *ent.Client, appID string) ([]*ent.DeadlineExtension, error) {
	return db.DeadlineExtension.Query().Where(deadlineextension.ApplicationID(appID)).All(ctx)
}

// content is what a draft or revision holds, with its files resolved.
type content struct {
	narrative, value, note string
	files                  []*ent.EvidenceFile
}

// checkContent checks a draft against the indicator: narrative length in characters, a
// measured value only where the indicator scores one, files of this application and of the
// types the evidence spec accepts. Each problem names its field.
func checkContent(ctx context.Context, tx *ent.Tx, a *ent.Application, ind *standardsv1.Indicator, in *evidencev1.EvidenceContent) (content, error) {
	c := content{narrative: in.GetNarrative(), value: in.GetValue(), note: in.GetNote()}
	if n, limit := utf8.RuneCountInString(c.narrative), narrativeMax(ind); n > limit {
		return c, errs.Invalid("draft.narrative", strconv.Itoa(n)+" characters; indicator "+ind.GetCode()+" allows "+strconv.Itoa(limit),
			strconv.Itoa(n)+" 个字；指标 "+ind.GetCode()+" 最多 "+strconv.Itoa(limit)+" 个字")
	}
	if c.value != "" {
		if !measured(ind) {
			return c, errs.Invalid("draft.value", "indicator "+ind.GetCode()+" takes no measured value", "指标 "+ind.GetCode()+" 不填写测量值")
		}
		v, err := scoring.ParsePoints(c.value)
		if err != nil {
			return c, errs.Invalid("draft.value", "a number with at most two decimal places, e.g. 87.50", "须为不超过两位小数的数，例如 87.50")
		}
		c.value = v.String()
	}
	ids := in.GetFileIds()
	if len(ids) == 0 {
		return c, nil
	}
	rows, err := tx.EvidenceFile.Query().Where(evidencefile.ApplicationID(a.ID), evidencefile.IDIn(ids...)).All(ctx)
	if err != nil {
		return c, err
	}
	byID := map[string]*ent.EvidenceFile{}
	for _, f := range rows {
		byID[f.ID] = f
	}
	accepted := ind.GetEvidenceSpec().GetFileTypes()
	for i, id := range ids {
		field := "draft.file_ids[" + strconv.Itoa(i) + "]"
		f, ok := byID[id]
		if !ok {
			return c, errs.Invalid(field, "no file "+id+" was uploaded for this application", "本申报未上传文件 "+id)
		}
		if k, ok := filetype.ByMIME(f.ContentType); !ok || !k.Matches(accepted) {
			return c, errs.Invalid(field, f.Name+" ("+f.ContentType+") is not among the types indicator "+ind.GetCode()+" accepts: "+strings.Join(accepted, ", "),
				f.Name+"（"+f.ContentType+"）不是指标 "+ind.GetCode()+" 接受的文件类型："+strings.Join(accepted, "、"))
		}
		c.files = append(c.files, f)
	}
	return c, nil
}

// unmet lists what the evidence spec of ind still wants of c, in English and Chinese.
func unmet(ind *standardsv1.Indicator, c *content) (en, zh []string) {
	spec := ind.GetEvidenceSpec()
	if c == nil {
		en, zh = append(en, "nothing submitted"), append(zh, "未报送")
		c = &content{}
	}
	photos := 0
	for _, f := range c.files {
		if k, ok := filetype.ByMIME(f.ContentType); ok && k.IsImage() {
			photos++
		}
	}
	if n := int(spec.GetMinFiles()); len(c.files) < n {
		en = append(en, "at least "+strconv.Itoa(n)+" files ("+strconv.Itoa(len(c.files))+" attached)")
		zh = append(zh, "至少 "+strconv.Itoa(n)+" 个文件（已附 "+strconv.Itoa(len(c.files))+" 个）")
	}
	if n := int(spec.GetMinPhotos()); photos < n {
		en = append(en, "at least "+strconv.Itoa(n)+" photos ("+strconv.Itoa(photos)+" attached)")
		zh = append(zh, "至少 "+strconv.Itoa(n)+" 张照片（已附 "+strconv.Itoa(photos)+" 张）")
	}
	if measured(ind) && c.value == "" {
		en, zh = append(en, "the measured value"), append(zh, "测量值")
	}
	// An indicator that asks for no file still asks for something: a narrative.
	if spec.GetMinFiles() == 0 && spec.GetMinPhotos() == 0 && strings.TrimSpace(c.narrative) == "" && len(c.files) == 0 {
		en, zh = append(en, "a narrative"), append(zh, "文字说明")
	}
	return en, zh
}

// getEvidence reads one evidence item the caller can see, within tx.
func getEvidence(appID, code, period string) func(context.Context, *ent.Tx) (*ent.Evidence, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.Evidence, error) {
		return tx.Evidence.Query().Where(entevidence.ApplicationID(appID), entevidence.IndicatorCode(code), entevidence.Period(period)).Only(ctx)
	}
}

func evidenceVersion(e *ent.Evidence) int64 { return e.Version }

// writable checks that the unit may write an item's evidence now: a draft application in
// a campaign that takes evidence, inside the item's window; or a returned item before its
// return due time, within the campaign's resubmissions.
func (as *assessment) writable(a *ent.Application, ev *ent.Evidence, it item, exts []*ent.DeadlineExtension, now time.Time) error {
	if ev != nil && ev.State == entevidence.StateRETURNED {
		switch {
		case ev.Locked || ev.Resubmissions >= as.campaign.MaxResubmissions:
			return errs.New(codes.FailedPrecondition, "EVIDENCE_LOCKED",
				"this evidence was returned more often than the campaign allows ("+strconv.Itoa(as.campaign.MaxResubmissions)+" resubmissions): it is locked and scores 0",
				"该材料退回次数已超过本创建周期允许的重新报送次数（"+strconv.Itoa(as.campaign.MaxResubmissions)+" 次）：已锁定，该指标计 0 分")
		case ev.ReturnDueTime != nil && !now.Before(*ev.ReturnDueTime):
			return errs.New(codes.FailedPrecondition, "EVIDENCE_WINDOW_CLOSED",
				"the returned evidence was due back by "+ev.ReturnDueTime.In(as.loc).Format(time.RFC3339),
				"退回的材料应于 "+ev.ReturnDueTime.In(as.loc).Format(time.RFC3339)+" 前重新报送")
		}
		return nil
	}
	if a.State != application.StateDRAFT {
		return wrongState(a, "change its evidence (only returned items may be resubmitted)", "修改材料（仅被退回的材料可重新报送）")
	}
	if as.campaign.State != campaign.StateOPEN && as.campaign.State != campaign.StateSUBMISSION {
		return errs.New(codes.FailedPrecondition, "CAMPAIGN_NOT_TAKING_EVIDENCE",
			"the campaign is "+string(as.campaign.State)+": evidence is taken while it is OPEN or in SUBMISSION",
			"该创建周期处于 "+string(as.campaign.State)+" 阶段：仅在开放申报和材料报送阶段接受材料")
	}
	return as.open(it, exts, now)
}

// SaveEvidenceDraft writes an item's draft, creating the item on its first save.
func (s *Server) SaveEvidenceDraft(ctx context.Context, req *evidencev1.SaveEvidenceDraftRequest) (*evidencev1.Evidence, error) {
	v := viewer.FromContext(ctx)
	now := s.now()
	var as *assessment
	var it item
	var c content
	// prepare checks everything but the item's own state, shared by both paths below.
	prepare := func(tx *ent.Tx, a *ent.Application, ev *ent.Evidence) error {
		if err := unitMember(v, a); err != nil {
			return err
		}
		var err error
		if as, err = s.assess(ctx, tx.Client(), a.CampaignID); err != nil {
			return err
		}
		if it, err = as.item(req.GetIndicatorCode(), req.GetPeriod()); err != nil {
			return err
		}
		exts, err := extensions(ctx, tx.Client(), a.ID)
		if err != nil {
			return err
		}
		if err := as.writable(a, ev, it, exts, now); err != nil {
			return err
		}
		c, err = checkContent(ctx, tx, a, it.ind, req.GetDraft())
		return err
	}
	ids := req.GetDraft().GetFileIds()
	exists, err := s.st.Client.Evidence.Query().Where(entevidence.ApplicationID(req.GetApplicationId()),
		entevidence.IndicatorCode(req.GetIndicatorCode()), entevidence.Period(req.GetPeriod())).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !exists {
		ev, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Application, *ent.Evidence]{
			Parent:    "application",
			GetParent: getApplication(req.GetApplicationId()),
			Allow:     func(*ent.Application) error { return nil }, // prepare, in Save, checks
			Save: func(tx *ent.Tx, a *ent.Application) (*ent.Evidence, error) {
				if err := prepare(tx, a, nil); err != nil {
					return nil, err
				}
				ev, err := tx.Evidence.Create().SetID(resource.NewID()).SetOfficeID(a.OfficeID).SetScopePath(a.ScopePath).
					SetApplicationID(a.ID).SetIndicatorCode(it.ind.GetCode()).SetPeriod(it.period.String()).
					SetHasDraft(true).SetDraftNarrative(c.narrative).SetDraftValue(c.value).SetDraftFileIds(ids).SetDraftNote(c.note).Save(ctx)
				if ent.IsConstraintError(err) {
					// Another first save of the same item won the race: this one is stale.
					return nil, errs.ErrStaleEtag
				}
				return ev, err
			},
			Audit: func(a *ent.Application, ev *ent.Evidence) (audit.Event, error) {
				return evidenceEvent("evidence.draft", ev, nil, draftProto(ev)), nil
			},
		})
		if err != nil {
			return nil, err
		}
		return s.getEvidence(ctx, ev, false)
	}
	ev, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Evidence]{
		Resource: "evidence", Etag: req.GetEtag(),
		Get: getEvidence(req.GetApplicationId(), req.GetIndicatorCode(), req.GetPeriod()), Version: evidenceVersion,
		Allow: func(*ent.Evidence) error { return nil }, // prepare, in Apply, checks
		Apply: func(tx *ent.Tx, cur *ent.Evidence) (*ent.Evidence, error) {
			a, err := tx.Application.Get(ctx, cur.ApplicationID)
			if err != nil {
				return nil, err
			}
			if err := prepare(tx, a, cur); err != nil {
				return nil, err
			}
			return tx.Evidence.UpdateOneID(cur.ID).Where(entevidence.Version(cur.Version)).AddVersion(1).
				SetHasDraft(true).SetDraftNarrative(c.narrative).SetDraftValue(c.value).SetDraftFileIds(ids).SetDraftNote(c.note).Save(ctx)
		},
		Audit: func(cur, next *ent.Evidence) (audit.Event, error) {
			return evidenceEvent("evidence.draft", cur, draftProto(cur), draftProto(next)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s.getEvidence(ctx, ev, false)
}

// evidenceEvent records a change of an evidence item in its campaign office's chain.
func evidenceEvent(action string, ev *ent.Evidence, before, after *evidencev1.Evidence) audit.Event {
	e := audit.Event{OfficeID: ev.OfficeID, ScopePath: ev.ScopePath, Action: action, ResourceType: "evidence", ResourceID: ev.ID}
	if before != nil {
		e.Before = before
	}
	if after != nil {
		e.After = after
	}
	return e
}

// draftProto is an item without its revisions, as the audit trail keeps it.
func draftProto(ev *ent.Evidence) *evidencev1.Evidence {
	out := &evidencev1.Evidence{
		Id: ev.ID, ApplicationId: ev.ApplicationID, IndicatorCode: ev.IndicatorCode, Period: ev.Period,
		State:         evidencev1.EvidenceState(evidencev1.EvidenceState_value["EVIDENCE_STATE_"+string(ev.State)]),
		RevisionCount: int32(ev.RevisionCount),
		ReturnReason:  ev.ReturnReason,
		Resubmissions: int32(ev.Resubmissions),
		Locked:        ev.Locked,
		Etag:          resource.Etag(ev.Version),
		CreateTime:    timestamppb.New(ev.CreateTime),
		UpdateTime:    timestamppb.New(ev.UpdateTime),
	}
	if ev.HasDraft {
		out.Draft = &evidencev1.EvidenceContent{Narrative: ev.DraftNarrative, Value: ev.DraftValue, FileIds: ev.DraftFileIds, Note: ev.DraftNote}
	}
	if ev.ReturnDueTime != nil {
		out.ReturnDueTime = timestamppb.New(*ev.ReturnDueTime)
	}
	return out
}

// SubmitEvidence freezes an item's draft as its next revision.
func (s *Server) SubmitEvidence(ctx context.Context, req *evidencev1.SubmitEvidenceRequest) (*evidencev1.Evidence, error) {
	v := viewer.FromContext(ctx)
	now := s.now()
	ev, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Evidence]{
		Resource: "evidence", Etag: req.GetEtag(),
		Get: getEvidence(req.GetApplicationId(), req.GetIndicatorCode(), req.GetPeriod()), Version: evidenceVersion,
		Allow: func(*ent.Evidence) error { return nil }, // checked in Apply, with the application
		Apply: func(tx *ent.Tx, cur *ent.Evidence) (*ent.Evidence, error) {
			a, err := tx.Application.Get(ctx, cur.ApplicationID)
			if err != nil {
				return nil, err
			}
			if err := unitMember(v, a); err != nil {
				return nil, err
			}
			as, err := s.assess(ctx, tx.Client(), a.CampaignID)
			if err != nil {
				return nil, err
			}
			it, err := as.item(cur.IndicatorCode, cur.Period)
			if err != nil {
				return nil, err
			}
			exts, err := extensions(ctx, tx.Client(), a.ID)
			if err != nil {
				return nil, err
			}
			if err := as.writable(a, cur, it, exts, now); err != nil {
				return nil, err
			}
			if !cur.HasDraft {
				return nil, errs.New(codes.FailedPrecondition, "NOTHING_TO_SUBMIT",
					"nothing changed since the last submission: save a draft first", "自上次报送以来没有修改：请先保存草稿")
			}
			draft := &evidencev1.EvidenceContent{Narrative: cur.DraftNarrative, Value: cur.DraftValue, FileIds: cur.DraftFileIds, Note: cur.DraftNote}
			c, err := checkContent(ctx, tx, a, it.ind, draft)
			if err != nil {
				return nil, err
			}
			if en, zh := unmet(it.ind, &c); len(en) > 0 {
				e := errs.New(codes.FailedPrecondition, "EVIDENCE_INCOMPLETE",
					"indicator "+it.ind.GetCode()+" "+it.period.String()+" still needs: "+strings.Join(en, "; "),
					"指标 "+it.ind.GetCode()+" "+it.period.String()+" 还缺少："+strings.Join(zh, "；"))
				e.Preconditions = missing(it, en, zh)
				return nil, e
			}
			if cur.RevisionCount >= maxRevisions {
				return nil, errs.New(codes.FailedPrecondition, "REVISION_LIMIT",
					"this item has "+strconv.Itoa(maxRevisions)+" revisions, as many as one item may have: ask the office if more are really needed",
					"该项材料已报送 "+strconv.Itoa(maxRevisions)+" 次，达到单项上限；确需再次报送请联系文明办")
			}
			resubmit := cur.State == entevidence.StateRETURNED
			_, err = tx.EvidenceRevision.Create().SetID(resource.NewID()).SetOfficeID(cur.OfficeID).SetScopePath(cur.ScopePath).
				SetEvidenceID(cur.ID).SetApplicationID(cur.ApplicationID).SetNumber(cur.RevisionCount + 1).
				SetNarrative(c.narrative).SetValue(c.value).SetFileIds(draft.GetFileIds()).SetNote(c.note).
				SetResubmission(resubmit).SetSubmittedBy(v.Subject).SetSubmitTime(now).Save(ctx)
			if err != nil {
				return nil, err
			}
			u := tx.Evidence.UpdateOneID(cur.ID).Where(entevidence.Version(cur.Version)).AddVersion(1).
				SetState(entevidence.StateSUBMITTED).SetHasDraft(false).AddRevisionCount(1)
			if resubmit {
				u.AddResubmissions(1)
			}
			return u.Save(ctx)
		},
		Audit: func(cur, next *ent.Evidence) (audit.Event, error) {
			return evidenceEvent("evidence.submit", cur, draftProto(cur), draftProto(next)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s.getEvidence(ctx, ev, false)
}

// maxRevisions bounds the revisions of one item: far more than a year of honest corrections,
// and a bound on what reading an item's history costs (docs/evidence.md).
const maxRevisions = 50

// missing turns what an item still needs into precondition violations.
func missing(it item, en, zh []string) []errs.Precondition {
	return []errs.Precondition{{Type: "EVIDENCE_MISSING", Subject: it.ind.GetCode() + "/" + it.period.String(),
		EN: strings.Join(en, "; "), ZH: strings.Join(zh, "；")}}
}

// GetEvidence returns one item with every revision.
func (s *Server) GetEvidence(ctx context.Context, req *evidencev1.GetEvidenceRequest) (*evidencev1.Evidence, error) {
	ev, err := s.st.Client.Evidence.Query().Where(entevidence.ApplicationID(req.GetApplicationId()),
		entevidence.IndicatorCode(req.GetIndicatorCode()), entevidence.Period(req.GetPeriod())).Only(ctx)
	if err != nil {
		return nil, resource.NotFound(err, "evidence")
	}
	return s.getEvidence(ctx, ev, true)
}

// getEvidence is the API form of one item read apart (not in a list).
func (s *Server) getEvidence(ctx context.Context, ev *ent.Evidence, all bool) (*evidencev1.Evidence, error) {
	_, as, exts, err := s.judged(ctx, ev.ApplicationID)
	if err != nil {
		return nil, err
	}
	out, err := s.evidenceProtos(ctx, as, exts, []*ent.Evidence{ev}, all)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// judged reads an application the caller can see (NOT_FOUND otherwise) with what its
// evidence is judged against: its assessment and its deadline extensions.
func (s *Server) judged(ctx context.Context, appID string) (*ent.Application, *assessment, []*ent.DeadlineExtension, error) {
	a, err := s.st.Client.Application.Get(ctx, appID)
	if err != nil {
		return nil, nil, nil, resource.NotFound(err, "application")
	}
	as, err := s.assess(ctx, s.st.Client, a.CampaignID)
	if err != nil {
		return nil, nil, nil, err
	}
	exts, err := extensions(ctx, s.st.Client, a.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return a, as, exts, nil
}

// revisions reads the revisions of items in one query, oldest first: all of them, or each
// item's latest only.
func revisions(ctx context.Context, db *ent.Client, items []*ent.Evidence, all bool) ([]*ent.EvidenceRevision, error) {
	var which []predicate.EvidenceRevision
	for _, ev := range items {
		if all {
			which = append(which, evidencerevision.EvidenceID(ev.ID))
		} else if ev.RevisionCount > 0 {
			// The latest revision's number is the item's count of them.
			which = append(which, evidencerevision.And(evidencerevision.EvidenceID(ev.ID), evidencerevision.Number(ev.RevisionCount)))
		}
	}
	if len(which) == 0 {
		return nil, nil
	}
	return db.EvidenceRevision.Query().Where(evidencerevision.Or(which...)).Order(ent.Asc(evidencerevision.FieldNumber)).All(ctx)
}

// evidenceProtos is the API form of items: each with its draft, its window, and its
// revisions (all of them, or the latest only), each with its files. The revisions and files
// of all items are read in one query each, so a page of a list costs three queries, not
// three an item.
func (s *Server) evidenceProtos(ctx context.Context, as *assessment, exts []*ent.DeadlineExtension, items []*ent.Evidence, all bool) ([]*evidencev1.Evidence, error) {
	if len(items) == 0 {
		return nil, nil
	}
	revs, err := revisions(ctx, s.st.Client, items, all)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, ev := range items {
		ids = append(ids, ev.DraftFileIds...)
	}
	for _, r := range revs {
		ids = append(ids, r.FileIds...)
	}
	slices.Sort(ids)
	files, err := s.files(ctx, slices.Compact(ids))
	if err != nil {
		return nil, err
	}
	byItem := map[string][]*ent.EvidenceRevision{}
	for _, r := range revs {
		byItem[r.EvidenceID] = append(byItem[r.EvidenceID], r)
	}
	out := make([]*evidencev1.Evidence, len(items))
	for i, ev := range items {
		e := draftProto(ev)
		if ev.HasDraft {
			e.DraftFiles = pick(files, ev.DraftFileIds)
		}
		for _, r := range byItem[ev.ID] {
			e.Revisions = append(e.Revisions, &evidencev1.EvidenceRevision{
				Number:       int32(r.Number),
				Content:      &evidencev1.EvidenceContent{Narrative: r.Narrative, Value: r.Value, FileIds: r.FileIds, Note: r.Note},
				Files:        pick(files, r.FileIds),
				SubmittedBy:  r.SubmittedBy,
				SubmitTime:   timestamppb.New(r.SubmitTime),
				Resubmission: r.Resubmission,
			})
		}
		if it, err := as.item(ev.IndicatorCode, ev.Period); err == nil {
			start, due := as.window(it, exts)
			e.StartTime, e.DueTime = timestamppb.New(start), timestamppb.New(due)
			e.Locked = ev.Locked || (ev.State == entevidence.StateRETURNED && ev.Resubmissions >= as.campaign.MaxResubmissions)
		}
		out[i] = e
	}
	return out, nil
}

// pick returns the files of ids, in that order.
func pick(files map[string]*evidencev1.File, ids []string) []*evidencev1.File {
	out := make([]*evidencev1.File, 0, len(ids))
	for _, id := range ids {
		if f, ok := files[id]; ok {
			out = append(out, f)
		}
	}
	return out
}

// ListEvidence lists an application's items, each with its latest revision.
func (s *Server) ListEvidence(ctx context.Context, req *evidencev1.ListEvidenceRequest) (*evidencev1.ListEvidenceResponse, error) {
	db := s.st.Reader(ctx)
	filters := strings.Join([]string{"evidence", req.GetApplicationId(), req.GetIndicatorCode(), req.GetState().String()}, "|")
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	a, as, exts, err := s.judged(ctx, req.GetApplicationId())
	if err != nil {
		return nil, err
	}
	q := db.Evidence.Query().Where(entevidence.ApplicationID(a.ID), entevidence.IDGT(after))
	if c := req.GetIndicatorCode(); c != "" {
		q = q.Where(entevidence.IndicatorCode(c))
	}
	if st := req.GetState(); st != evidencev1.EvidenceState_EVIDENCE_STATE_UNSPECIFIED {
		q = q.Where(entevidence.StateEQ(entevidence.State(strings.TrimPrefix(st.String(), "EVIDENCE_STATE_"))))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Asc(entevidence.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(e *ent.Evidence) string { return e.ID })
	list, err := s.evidenceProtos(ctx, as, exts, rows, false)
	if err != nil {
		return nil, err
	}
	return &evidencev1.ListEvidenceResponse{Evidence: list, NextPageToken: next}, nil
}

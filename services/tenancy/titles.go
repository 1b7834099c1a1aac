package tenancy

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/negativelistentry"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/titlerecord"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/titles"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// unitRecorder is the Allow of the records offices keep on a unit, its titles and its
// negative list: an office admin of the unit's office or of any office above it, since a
// city names titles and finds misconduct in the units below it as much as their district
// does. Unit users do not record on themselves, and the platform admin, which reviews
// nothing (docs/authorization.md), records on nobody.
func unitRecorder(v *viewer.Viewer) func(*ent.Unit) error {
	return func(u *ent.Unit) error {
		if v.PlatformAdmin() || !v.OfficeAdmin(v.OfficeID) || !v.CanRead(u.ScopePath) {
			return errs.ErrPermissionDenied
		}
		return nil
	}
}

// getUnit is the GetParent of a record made on the unit id names, which the caller must see.
func getUnit(id string) func(context.Context, *ent.Tx) (*ent.Unit, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.Unit, error) { return tx.Unit.Get(ctx, id) }
}

// ListTitles lists a unit's title history, the current title first, then the rest newest
// first. Whoever reads the unit reads its titles.
func (s *Server) ListTitles(ctx context.Context, req *tenancyv1.ListTitlesRequest) (*tenancyv1.ListTitlesResponse, error) {
	db := s.st.Reader(ctx)
	u, err := db.Unit.Get(ctx, req.GetUnitId())
	if err != nil {
		return nil, resource.NotFound(err, "unit")
	}
	rows, err := titles.NewestFirst(db.TitleRecord.Query().Where(titlerecord.UnitID(u.ID))).All(ctx)
	if err != nil {
		return nil, err
	}
	resp := &tenancyv1.ListTitlesResponse{}
	now := time.Now()
	for i, r := range rows {
		resp.Titles = append(resp.Titles, titles.ToProto(r, i == 0, now))
	}
	return resp, nil
}

// CreateTitle records a title a unit was granted before Wenming held its records. The
// recording office names titles at its own level or below, so a district does not record
// a provincial title. The record becomes the unit's current title when it is the latest.
func (s *Server) CreateTitle(ctx context.Context, req *tenancyv1.CreateTitleRequest) (*tenancyv1.TitleRecord, error) {
	v := viewer.FromContext(ctx)
	in := req.GetTitle()
	doc := strings.TrimSpace(in.GetDocumentNumber())
	switch {
	case in.GetLevel() == tenancyv1.Level_LEVEL_UNSPECIFIED:
		return nil, errs.Invalid("title.level", "is required", "必填")
	case !in.GetTermStart().IsValid():
		return nil, errs.Invalid("title.term_start", "is required", "必填")
	case dayIn(in.GetTermStart().AsTime()).After(dayIn(time.Now())):
		// A recorded title was granted already; one dated ahead would become the unit's
		// current title before it is held, displacing the one in force.
		return nil, errs.Invalid("title.term_start", "a recorded title's term has begun: not in the future", "所登记称号的任期须已开始，不能晚于今天")
	case in.GetTermEnd() != nil && (!in.GetTermEnd().IsValid() || !in.GetTermEnd().AsTime().After(in.GetTermStart().AsTime())):
		return nil, errs.Invalid("title.term_end", "must be after term_start", "须晚于任期开始时间（term_start）")
	case doc == "":
		return nil, errs.Invalid("title.document_number", "is required", "必填")
	}
	level := levelFromProto(in.GetLevel())
	var end *time.Time
	if in.GetTermEnd() != nil {
		t := in.GetTermEnd().AsTime()
		end = &t
	}
	current := false
	r, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Unit, *ent.TitleRecord]{
		Parent: "unit", GetParent: getUnit(req.GetUnitId()), Allow: unitRecorder(v),
		Save: func(tx *ent.Tx, u *ent.Unit) (*ent.TitleRecord, error) {
			own, err := tx.Office.Get(ctx, v.OfficeID)
			if err != nil {
				return nil, err
			}
			if levelRank[level] > levelRank[own.Level] {
				return nil, errs.Invalid("title.level", "an office records titles of its own level ("+string(own.Level)+") or below",
					"文明办只能登记本级（"+string(own.Level)+"）或以下级别的称号")
			}
			if err := titles.Lock(ctx, tx, s.st.Dialect, u.ID); err != nil {
				return nil, err
			}
			r, err := tx.TitleRecord.Create().SetID(resource.NewID()).SetOfficeID(own.ID).SetScopePath(u.ScopePath).
				SetUnitID(u.ID).SetLevel(titlerecord.Level(level)).SetModel(in.GetModel()).
				SetTermStart(in.GetTermStart().AsTime()).SetNillableTermEnd(end).SetState(titlerecord.StateNAMED).
				SetDocumentNumber(doc).SetSource(titlerecord.SourceRECORDED).
				SetMoves([]jsonvalue.TitleMove{{State: string(titlerecord.StateNAMED), Reason: "recorded", Actor: audit.Actor(ctx), Time: time.Now().UTC()}}).
				Save(ctx)
			if err != nil {
				return nil, err
			}
			current, err = titles.Mirror(ctx, tx, r)
			return r, err
		},
		Audit: func(_ *ent.Unit, r *ent.TitleRecord) (audit.Event, error) {
			return audit.Event{
				OfficeID: r.OfficeID, ScopePath: r.ScopePath, Action: "title.record", ResourceType: "title", ResourceID: r.ID,
				After: titles.ToProto(r, current, time.Now()),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return titles.ToProto(r, current, time.Now()), nil
}

// dayIn is t's calendar day in Asia/Shanghai, the day a title's documents give: a term
// starting today is not "in the future" at 07:00 in Shanghai, when UTC is still yesterday.
func dayIn(t time.Time) time.Time {
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// titleKeeper is the Allow of a change to a title: an office admin of the office that
// named or recorded it, or of an office above that one. The naming office lies in the
// unit's line, so its path is found among the title's (the unit's) ancestors.
func (s *Server) titleKeeper(ctx context.Context, v *viewer.Viewer, r *ent.TitleRecord) error {
	if v.PlatformAdmin() || !v.OfficeAdmin(v.OfficeID) {
		return errs.ErrPermissionDenied
	}
	o, err := s.st.Client.Office.Get(store.System(ctx), r.OfficeID)
	if err != nil {
		return err
	}
	if !v.CanRead(o.ScopePath) {
		// The caller reads the unit (an office below the naming one) but may not move a
		// title it did not name.
		return errs.ErrPermissionDenied
	}
	return nil
}

var errTitleTermEnded = errs.New(codes.FailedPrecondition, "TITLE_TERM_ENDED",
	"the title's term has ended: an expired title is no longer warned, restored or revoked", "该称号任期已届满，不再进行警示、恢复或撤销")

// TransitionTitle moves a title through its life: a warning with a rectification deadline,
// rectification, restoration, revocation.
func (s *Server) TransitionTitle(ctx context.Context, req *tenancyv1.TransitionTitleRequest) (*tenancyv1.TitleRecord, error) {
	v := viewer.FromContext(ctx)
	to := titlerecord.State(strings.TrimPrefix(req.GetTo().String(), "TITLE_STATE_"))
	reason, doc := strings.TrimSpace(req.GetReason()), strings.TrimSpace(req.GetDocumentNumber())
	now := time.Now()
	var deadline *time.Time
	switch {
	case req.GetTo() == tenancyv1.TitleState_TITLE_STATE_UNSPECIFIED || to == titlerecord.StateNAMED:
		return nil, errs.Invalid("to", "name the state to move to: WARNED, RECTIFYING, RESTORED or REVOKED", "请指定目标状态：WARNED、RECTIFYING、RESTORED 或 REVOKED")
	case reason == "":
		return nil, errs.Invalid("reason", "is required", "必填")
	case doc == "":
		return nil, errs.Invalid("document_number", "is required: the notice or decision the move rests on", "必填：所依据的通知或决定文号")
	case to == titlerecord.StateWARNED && !req.GetRectificationDeadline().IsValid():
		return nil, errs.Invalid("rectification_deadline", "a warning needs a rectification deadline", "黄牌警示须规定整改期限")
	case to == titlerecord.StateWARNED && !req.GetRectificationDeadline().AsTime().After(now):
		return nil, errs.Invalid("rectification_deadline", "must be in the future", "须晚于当前时间")
	case to != titlerecord.StateWARNED && req.GetRectificationDeadline() != nil:
		return nil, errs.Invalid("rectification_deadline", "only a warning sets a rectification deadline", "仅黄牌警示可规定整改期限")
	}
	if to == titlerecord.StateWARNED {
		t := req.GetRectificationDeadline().AsTime()
		deadline = &t
	}
	var wasCurrent bool
	r, err := mutate.Update(ctx, s.w, mutate.Change[*ent.TitleRecord]{
		Resource: "title", Etag: req.GetEtag(),
		Get: func(ctx context.Context, tx *ent.Tx) (*ent.TitleRecord, error) {
			return tx.TitleRecord.Get(ctx, req.GetTitleId())
		},
		Version: func(r *ent.TitleRecord) int64 { return r.Version },
		Allow:   func(cur *ent.TitleRecord) error { return s.titleKeeper(ctx, v, cur) },
		Apply: func(tx *ent.Tx, cur *ent.TitleRecord) (*ent.TitleRecord, error) {
			if !titles.CanMove(cur.State, to) {
				return nil, errs.New(codes.FailedPrecondition, "TITLE_WRONG_STATE",
					"the title is "+string(cur.State)+": it cannot move to "+string(to),
					"该称号处于 "+string(cur.State)+" 状态，不能变更为 "+string(to))
			}
			if cur.TermEnd != nil && !now.Before(*cur.TermEnd) {
				return nil, errTitleTermEnded
			}
			entry := strings.TrimSpace(req.GetNegativeListEntryId())
			direct := to == titlerecord.StateREVOKED && (cur.State == titlerecord.StateNAMED || cur.State == titlerecord.StateRESTORED)
			switch {
			case direct && entry == "":
				return nil, errs.Invalid("negative_list_entry_id", "revoking a title that was not warned rests on a disqualifying negative-list entry: name it",
					"未经黄牌警示直接撤销称号，须依据一票否决的负面清单记录：请填写其编号")
			case entry != "":
				n, err := tx.NegativeListEntry.Get(store.System(ctx), entry)
				if err != nil || n.UnitID != cur.UnitID || n.Effect != negativelistentry.EffectDISQUALIFY || n.AnnulTime != nil {
					return nil, errs.Invalid("negative_list_entry_id", "must be a disqualifying entry of the title's unit that is not annulled",
						"须为该单位未撤销的一票否决负面清单记录")
				}
			}
			if err := titles.Lock(ctx, tx, s.st.Dialect, cur.UnitID); err != nil {
				return nil, err
			}
			if cur.RectificationDeadline != nil && to == titlerecord.StateRECTIFYING {
				deadline = cur.RectificationDeadline
			}
			next, current, err := titles.Apply(ctx, tx, cur, titles.Move{To: to, Reason: reason, Document: doc, Actor: audit.Actor(ctx),
				Time: now, Deadline: deadline, Entry: entry})
			wasCurrent = current
			return next, err
		},
		Audit: func(cur, next *ent.TitleRecord) (audit.Event, error) {
			return titleEvent("title.transition", cur, next, wasCurrent, now), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return titles.ToProto(r, wasCurrent, now), nil
}

// DismissTitleRevocation dismisses the revocation a disqualifying negative-list entry
// proposed: the title stays as it is, and the dismissal is in its history.
func (s *Server) DismissTitleRevocation(ctx context.Context, req *tenancyv1.DismissTitleRevocationRequest) (*tenancyv1.TitleRecord, error) {
	v := viewer.FromContext(ctx)
	reason := strings.TrimSpace(req.GetReason())
	if err := resource.Required("reason", reason); err != nil {
		return nil, err
	}
	now := time.Now()
	var current bool
	r, err := mutate.Update(ctx, s.w, mutate.Change[*ent.TitleRecord]{
		Resource: "title", Etag: req.GetEtag(),
		Get: func(ctx context.Context, tx *ent.Tx) (*ent.TitleRecord, error) {
			return tx.TitleRecord.Get(ctx, req.GetTitleId())
		},
		Version: func(r *ent.TitleRecord) int64 { return r.Version },
		Allow:   func(cur *ent.TitleRecord) error { return s.titleKeeper(ctx, v, cur) },
		Apply: func(tx *ent.Tx, cur *ent.TitleRecord) (*ent.TitleRecord, error) {
			if cur.ProposedRevocation == "" {
				return nil, errs.New(codes.FailedPrecondition, "NO_REVOCATION_PROPOSED",
					"no revocation of this title is proposed", "该称号没有待处理的撤销建议")
			}
			moves := append(append([]jsonvalue.TitleMove(nil), cur.Moves...), jsonvalue.TitleMove{
				State: string(cur.State), Reason: "revocation dismissed: " + reason, Actor: audit.Actor(ctx), Time: now.UTC(), Entry: cur.ProposedRevocation,
			})
			next, err := tx.TitleRecord.UpdateOneID(cur.ID).Where(titlerecord.Version(cur.Version)).AddVersion(1).
				SetProposedRevocation("").SetMoves(moves).Save(store.System(ctx))
			if err != nil {
				return nil, err
			}
			id, err := titles.NewestFirst(tx.TitleRecord.Query().Where(titlerecord.UnitID(cur.UnitID))).FirstID(store.System(ctx))
			current = id == cur.ID
			return next, err
		},
		Audit: func(cur, next *ent.TitleRecord) (audit.Event, error) {
			return titleEvent("title.dismiss_revocation", cur, next, current, now), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return titles.ToProto(r, current, now), nil
}

// proposeRevocation is what a disqualifying negative-list entry does to the unit's current
// title, in the entry's transaction: a title in force gets the entry as a proposed
// revocation (recorded in the title's history and the naming office's trail), for an admin
// to confirm or dismiss. An annulment withdraws the proposal it made.
func (s *Server) proposeRevocation(ctx context.Context, tx *ent.Tx, n *ent.NegativeListEntry, annulled bool) error {
	sys := store.System(ctx)
	if n.Effect != negativelistentry.EffectDISQUALIFY {
		return nil
	}
	if err := titles.Lock(ctx, tx, s.st.Dialect, n.UnitID); err != nil {
		return err
	}
	cur, err := titles.NewestFirst(tx.TitleRecord.Query().Where(titlerecord.UnitID(n.UnitID))).First(sys)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	now := time.Now()
	var reason string
	switch {
	case annulled && cur.ProposedRevocation == n.ID:
		reason = "revocation proposal withdrawn: the negative-list entry was annulled"
	case !annulled && cur.ProposedRevocation == "" && titles.InForce(string(cur.State), &cur.TermStart, cur.TermEnd, now):
		reason = "revocation proposed: disqualifying negative-list entry"
	default:
		return nil
	}
	proposal := n.ID
	if annulled {
		proposal = ""
	}
	moves := append(append([]jsonvalue.TitleMove(nil), cur.Moves...), jsonvalue.TitleMove{
		State: string(cur.State), Reason: reason, Actor: audit.Actor(ctx), Time: now.UTC(), Entry: n.ID,
	})
	next, err := tx.TitleRecord.UpdateOneID(cur.ID).Where(titlerecord.Version(cur.Version)).AddVersion(1).
		SetProposedRevocation(proposal).SetMoves(moves).Save(sys)
	if err != nil {
		return err
	}
	return s.w.Record(ctx, tx, titleEvent("title.propose_revocation", cur, next, true, now))
}

// titleEvent records a change of a title in the trail of the office that named it.
func titleEvent(action string, cur, next *ent.TitleRecord, current bool, now time.Time) audit.Event {
	return audit.Event{
		OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: action, ResourceType: "title", ResourceID: cur.ID,
		Before: titles.ToProto(cur, current, now), After: titles.ToProto(next, current, now),
	}
}

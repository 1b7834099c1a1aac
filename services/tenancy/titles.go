package tenancy

import (
	"context"
	"strings"
	"time"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/titlerecord"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
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

// newestFirst orders a unit's title records as ListTitles returns them: the latest term
// start first, ties by id (the later record first). The first is the unit's current title,
// the one its title columns mirror.
func newestFirst(q *ent.TitleRecordQuery) *ent.TitleRecordQuery {
	return q.Order(ent.Desc(titlerecord.FieldTermStart), ent.Desc(titlerecord.FieldID))
}

// ListTitles lists a unit's title history, the current title first, then the rest newest
// first. Whoever reads the unit reads its titles.
func (s *Server) ListTitles(ctx context.Context, req *tenancyv1.ListTitlesRequest) (*tenancyv1.ListTitlesResponse, error) {
	u, err := s.st.Client.Unit.Get(ctx, req.GetUnitId())
	if err != nil {
		return nil, resource.NotFound(err, "unit")
	}
	rows, err := newestFirst(s.st.Client.TitleRecord.Query().Where(titlerecord.UnitID(u.ID))).All(ctx)
	if err != nil {
		return nil, err
	}
	resp := &tenancyv1.ListTitlesResponse{}
	for i, r := range rows {
		resp.Titles = append(resp.Titles, titleToProto(r, i == 0))
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
			// Two titles recorded at once for one unit take turns, so that the second sees the
			// first when it decides which is current.
			if err := store.Lock(ctx, tx, s.st.Dialect, "titles:"+u.ID); err != nil {
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
			latest, err := newestFirst(tx.TitleRecord.Query().Where(titlerecord.UnitID(u.ID))).First(ctx)
			if err != nil || latest.ID != r.ID {
				return r, err
			}
			current = true
			return r, mirrorTitle(ctx, tx, u.ID, r)
		},
		Audit: func(_ *ent.Unit, r *ent.TitleRecord) (audit.Event, error) {
			return audit.Event{
				OfficeID: r.OfficeID, ScopePath: r.ScopePath, Action: "title.record", ResourceType: "title", ResourceID: r.ID,
				After: titleToProto(r, current),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return titleToProto(r, current), nil
}

// mirrorTitle makes r the unit's current title: the unit's title columns copy it and its
// version moves, so an edit made on the unit as it was read before is refused as stale.
// The unit row is owned by its office, and the privacy policy lets only that office write
// it, but an office above records titles too: this is a named system path, reached only
// after unitRecorder allowed the caller, and it writes nothing but the mirror.
func mirrorTitle(ctx context.Context, tx *ent.Tx, unitID string, r *ent.TitleRecord) error {
	u := tx.Unit.UpdateOneID(unitID).AddVersion(1).SetTitleLevel(string(r.Level)).SetTitleModel(r.Model).
		SetTitleTermStart(r.TermStart).SetTitleState(string(r.State))
	if r.TermEnd != nil {
		u.SetTitleTermEnd(*r.TermEnd)
	} else {
		u.ClearTitleTermEnd()
	}
	return u.Exec(store.System(ctx))
}

// dayIn is t's calendar day in Asia/Shanghai, the day a title's documents give: a term
// starting today is not "in the future" at 07:00 in Shanghai, when UTC is still yesterday.
func dayIn(t time.Time) time.Time {
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Package titles writes a unit's title history (docs/units-and-titles.md): the records
// naming grants, the moves of a title's life, and the copy of the current record that the
// unit's row keeps. The tenancy service (recorded titles, warnings, revocations) and the
// review service (naming, reinspection) both write titles through it, so the unit's copy
// follows every change the same way.
package titles

import (
	"context"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/titlerecord"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Holding says whether a title in this state counts as held: a warning (黄牌) leaves the
// title in place; rectification (整改) and revocation (摘牌) do not.
func Holding(state string) bool {
	return state == string(titlerecord.StateNAMED) || state == string(titlerecord.StateWARNED) || state == string(titlerecord.StateRESTORED)
}

// InForce says whether a title is held at now: held in its state, its term begun and not
// ended. Derived at every read, so a term that ends needs no job to mark it.
func InForce(state string, start, end *time.Time, now time.Time) bool {
	return Holding(state) && start != nil && !start.After(now) && (end == nil || now.Before(*end))
}

// NewestFirst orders a unit's records as its history is listed: the latest term start
// first, ties by id (the later record first). The first is the unit's current title.
func NewestFirst(q *ent.TitleRecordQuery) *ent.TitleRecordQuery {
	return q.Order(ent.Desc(titlerecord.FieldTermStart), ent.Desc(titlerecord.FieldID))
}

// Lock makes two writes of one unit's titles take turns, so that each sees the other's
// record when it decides which is current. Taken before a title is granted or moved.
func Lock(ctx context.Context, tx *ent.Tx, dialect, unitID string) error {
	return store.Lock(ctx, tx, dialect, "titles:"+unitID)
}

// Mirror makes the unit's title columns copy its current record, when r is that record,
// and reports whether it is. The unit's version moves, so an edit made on the unit as read
// before is refused as stale. The unit row is its office's and an office above names and
// moves titles too: this is a named system path, reached only after the caller's right to
// the title was checked, and it writes nothing but the copy.
func Mirror(ctx context.Context, tx *ent.Tx, r *ent.TitleRecord) (bool, error) {
	sys := store.System(ctx)
	latest, err := NewestFirst(tx.TitleRecord.Query().Where(titlerecord.UnitID(r.UnitID))).First(sys)
	if err != nil || latest.ID != r.ID {
		return false, err
	}
	u := tx.Unit.UpdateOneID(r.UnitID).AddVersion(1).SetTitleLevel(string(r.Level)).SetTitleModel(r.Model).
		SetTitleTermStart(r.TermStart).SetTitleState(string(r.State))
	if r.TermEnd != nil {
		u.SetTitleTermEnd(*r.TermEnd)
	} else {
		u.ClearTitleTermEnd()
	}
	return true, u.Exec(sys)
}

// next says which states a title moves to from each state (docs/units-and-titles.md, The
// title's life). REVOKED is final.
var next = map[titlerecord.State][]titlerecord.State{
	titlerecord.StateNAMED:      {titlerecord.StateWARNED, titlerecord.StateREVOKED},
	titlerecord.StateRESTORED:   {titlerecord.StateWARNED, titlerecord.StateREVOKED},
	titlerecord.StateWARNED:     {titlerecord.StateRECTIFYING, titlerecord.StateREVOKED},
	titlerecord.StateRECTIFYING: {titlerecord.StateRESTORED, titlerecord.StateREVOKED},
}

// CanMove says whether a title moves from one state to another.
func CanMove(from, to titlerecord.State) bool { return slices.Contains(next[from], to) }

// Move is one change of a title's state.
type Move struct {
	To       titlerecord.State
	Reason   string
	Document string
	Actor    string
	Time     time.Time
	// Deadline is a warning's rectification deadline; kept while RECTIFYING.
	Deadline *time.Time
	// Entry is the negative-list entry a revocation rests on.
	Entry string
}

// Apply moves r, guarded by its version, appends the move to its history, clears a
// proposed revocation it settles, and mirrors r on the unit when r is current (reported as
// current). It writes as
// the system (see Mirror); the caller checked the right to move the title. A write that
// matched no row returns ent's not-found error (a concurrent move), for mutate to explain.
func Apply(ctx context.Context, tx *ent.Tx, r *ent.TitleRecord, m Move) (next *ent.TitleRecord, current bool, err error) {
	moves := append(append([]jsonvalue.TitleMove(nil), r.Moves...), jsonvalue.TitleMove{
		State: string(m.To), Reason: m.Reason, Actor: m.Actor, Time: m.Time.UTC(),
		Document: m.Document, Deadline: m.Deadline, Entry: m.Entry,
	})
	u := tx.TitleRecord.UpdateOneID(r.ID).Where(titlerecord.Version(r.Version)).AddVersion(1).SetState(m.To).SetMoves(moves)
	switch m.To {
	case titlerecord.StateWARNED:
		u.SetNillableRectificationDeadline(m.Deadline)
	case titlerecord.StateRECTIFYING:
	default:
		u.ClearRectificationDeadline()
	}
	if m.To == titlerecord.StateREVOKED {
		u.SetProposedRevocation("")
	}
	if next, err = u.Save(store.System(ctx)); err != nil {
		return nil, false, err
	}
	current, err = Mirror(ctx, tx, next)
	return next, current, err
}

// ToProto is a title record in its API form; current says whether it is the unit's current
// title, now is the instant InForce is judged at.
func ToProto(r *ent.TitleRecord, current bool, now time.Time) *tenancyv1.TitleRecord {
	p := &tenancyv1.TitleRecord{
		Id: r.ID, UnitId: r.UnitID, OfficeId: r.OfficeID, Level: tenancyv1.Level(tenancyv1.Level_value["LEVEL_"+string(r.Level)]),
		Model: r.Model, TermStart: timestamppb.New(r.TermStart), State: stateToProto(string(r.State)),
		DocumentNumber: r.DocumentNumber, Source: tenancyv1.TitleSource(tenancyv1.TitleSource_value["TITLE_SOURCE_"+string(r.Source)]),
		Current: current, Etag: resource.Etag(r.Version), CreateTime: timestamppb.New(r.CreateTime),
		InForce: InForce(string(r.State), &r.TermStart, r.TermEnd, now), CampaignId: r.CampaignID,
		ProposedRevocationEntryId: r.ProposedRevocation,
	}
	if r.TermEnd != nil {
		p.TermEnd = timestamppb.New(*r.TermEnd)
	}
	if r.RectificationDeadline != nil {
		p.RectificationDeadline = timestamppb.New(*r.RectificationDeadline)
	}
	for _, m := range r.Moves {
		tm := &tenancyv1.TitleMove{
			State: stateToProto(m.State), Reason: m.Reason, Actor: m.Actor, Time: timestamppb.New(m.Time),
			DocumentNumber: m.Document, NegativeListEntryId: m.Entry,
		}
		if m.Deadline != nil {
			tm.RectificationDeadline = timestamppb.New(*m.Deadline)
		}
		p.History = append(p.History, tm)
	}
	return p
}

func stateToProto(s string) tenancyv1.TitleState {
	return tenancyv1.TitleState(tenancyv1.TitleState_value["TITLE_STATE_"+s])
}

package tenancy

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/negativelistentry"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// shanghai is the time zone in which an event's day must not lie in the future. China
// has kept UTC+8 without daylight saving since 1991, so a fixed zone is exact for every
// day an entry may name, and needs no time zone database.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// firstEventDay is the earliest day an entry may name.
var firstEventDay = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// maxDeduction is the most points one entry deducts: 100.00.
const maxDeduction scoring.Points = 100_00

var errEntryAnnulled = errs.New(codes.FailedPrecondition, "NEGATIVE_LIST_ENTRY_ANNULLED",
	"the negative-list entry is already annulled", "该负面清单记录已撤销")

// occurredOn reads an entry's day, "YYYY-MM-DD", as midnight UTC (how the table stores it).
func occurredOn(s string, now time.Time) (time.Time, error) {
	day, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil:
		return time.Time{}, errs.Invalid("entry.occurred_on", "write a real day as YYYY-MM-DD", "请填写真实日期，格式为 YYYY-MM-DD")
	case day.Before(firstEventDay):
		return time.Time{}, errs.Invalid("entry.occurred_on", "must not be before 2000-01-01", "不能早于 2000-01-01")
	case s > now.In(shanghai).Format(time.DateOnly):
		return time.Time{}, errs.Invalid("entry.occurred_on", "must not be in the future (Asia/Shanghai)", "不能晚于今天（北京时间）")
	}
	return day, nil
}

// deduction reads the points a DEDUCT entry takes off: a decimal with at most two places,
// more than 0 and at most 100, parsed as the scoring engine parses points.
func deduction(s string) (scoring.Points, error) {
	invalid := errs.Invalid("entry.points", "give the points deducted: more than 0, at most 100, with at most two decimal places",
		"请填写扣减分值：大于 0、不超过 100，最多两位小数")
	if s == "" {
		return 0, invalid
	}
	p, err := scoring.ParsePoints(s)
	// ParsePoints also reads other notations (hexadecimal, a sign); an entry holds digits.
	if err != nil || strings.Trim(s, "0123456789.") != "" || p <= 0 || p > maxDeduction {
		return 0, invalid
	}
	return p, nil
}

// CreateNegativeListEntry records an event on a unit's negative list (负面清单). Like
// titles, admins of the unit's office and of the offices above it record; the entry
// belongs to the recording office, which alone annuls it.
func (s *Server) CreateNegativeListEntry(ctx context.Context, req *tenancyv1.CreateNegativeListEntryRequest) (*tenancyv1.NegativeListEntry, error) {
	v := viewer.FromContext(ctx)
	in := req.GetEntry()
	if in.GetCategory() == tenancyv1.NegativeListCategory_NEGATIVE_LIST_CATEGORY_UNSPECIFIED {
		return nil, errs.Invalid("entry.category", "is required", "必填")
	}
	if err := resource.Required("entry.description", in.GetDescription()); err != nil {
		return nil, err
	}
	day, err := occurredOn(in.GetOccurredOn(), time.Now())
	if err != nil {
		return nil, err
	}
	var points scoring.Points
	switch in.GetEffect() {
	case tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DEDUCT:
		if points, err = deduction(in.GetPoints()); err != nil {
			return nil, err
		}
	case tenancyv1.NegativeListEffect_NEGATIVE_LIST_EFFECT_DISQUALIFY:
		if in.GetPoints() != "" {
			return nil, errs.Invalid("entry.points", "a disqualifying entry deducts no points: leave it empty", "一票否决的记录不扣分，请留空")
		}
	default:
		return nil, errs.Invalid("entry.effect", "is required", "必填")
	}
	if err := resource.Required("entry.source_document", in.GetSourceDocument()); err != nil {
		return nil, err
	}
	n, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Unit, *ent.NegativeListEntry]{
		Parent: "unit", GetParent: getUnit(req.GetUnitId()), Allow: unitRecorder(v),
		Save: func(tx *ent.Tx, u *ent.Unit) (*ent.NegativeListEntry, error) {
			n, err := tx.NegativeListEntry.Create().SetID(resource.NewID()).SetOfficeID(v.OfficeID).SetScopePath(u.ScopePath).
				SetUnitID(u.ID).SetCategory(strings.TrimPrefix(in.GetCategory().String(), "NEGATIVE_LIST_CATEGORY_")).
				SetDescription(in.GetDescription()).SetOccurredOn(day).
				SetEffect(negativelistentry.Effect(strings.TrimPrefix(in.GetEffect().String(), "NEGATIVE_LIST_EFFECT_"))).
				SetPoints(int64(points)).SetSourceDocument(in.GetSourceDocument()).Save(ctx)
			if err != nil {
				return nil, err
			}
			if err := s.proposeRevocation(ctx, tx, n, false); err != nil {
				return nil, err
			}
			return n, s.rescore(ctx, tx, u.ID)
		},
		Audit: func(_ *ent.Unit, n *ent.NegativeListEntry) (audit.Event, error) {
			return audit.Event{
				OfficeID: n.OfficeID, ScopePath: n.ScopePath, Action: "negative_list.create", ResourceType: "negative_list_entry",
				ResourceID: n.ID, After: negativeEntryToProto(n),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return negativeEntryToProto(n), nil
}

// ListNegativeListEntries lists a unit's entries, annulled ones included, the latest event
// first. Whoever reads the unit reads them: its own users and the offices in its line.
// Pages resume after the last entry's day and id, so entries recorded meanwhile, even on
// an earlier day, neither repeat nor shift a page.
func (s *Server) ListNegativeListEntries(ctx context.Context, req *tenancyv1.ListNegativeListEntriesRequest) (*tenancyv1.ListNegativeListEntriesResponse, error) {
	db := s.st.Reader(ctx)
	filters := "negative-list|" + req.GetUnitId()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	if _, err := db.Unit.Get(ctx, req.GetUnitId()); err != nil {
		return nil, resource.NotFound(err, "unit")
	}
	q := db.NegativeListEntry.Query().Where(negativelistentry.UnitID(req.GetUnitId()))
	if after != "" {
		// The cursor was signed by this server (Decode): its day parses.
		d, id, _ := strings.Cut(after, "|")
		day, _ := time.Parse(time.DateOnly, d)
		q = q.Where(negativelistentry.Or(negativelistentry.OccurredOnLT(day),
			negativelistentry.And(negativelistentry.OccurredOn(day), negativelistentry.IDLT(id))))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Desc(negativelistentry.FieldOccurredOn), ent.Desc(negativelistentry.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(n *ent.NegativeListEntry) string {
		return n.OccurredOn.UTC().Format(time.DateOnly) + "|" + n.ID
	})
	resp := &tenancyv1.ListNegativeListEntriesResponse{NextPageToken: next}
	for _, n := range rows {
		resp.Entries = append(resp.Entries, negativeEntryToProto(n))
	}
	return resp, nil
}

// AnnulNegativeListEntry annuls an entry with a reason: it stays listed, marked annulled,
// and counts no more. Only admins of the office that recorded it may; an office that reads
// it (the unit's office, an office above) is refused, one that does not sees NOT_FOUND.
func (s *Server) AnnulNegativeListEntry(ctx context.Context, req *tenancyv1.AnnulNegativeListEntryRequest) (*tenancyv1.NegativeListEntry, error) {
	v := viewer.FromContext(ctx)
	reason := strings.TrimSpace(req.GetReason())
	if err := resource.Required("reason", reason); err != nil {
		return nil, err
	}
	n, err := mutate.Update(ctx, s.w, mutate.Change[*ent.NegativeListEntry]{
		Resource: "negative list entry", Etag: req.GetEtag(),
		Get: func(ctx context.Context, tx *ent.Tx) (*ent.NegativeListEntry, error) {
			return tx.NegativeListEntry.Get(ctx, req.GetEntryId())
		},
		Version: func(n *ent.NegativeListEntry) int64 { return n.Version },
		Allow: func(cur *ent.NegativeListEntry) error {
			switch {
			case !v.OfficeAdmin(cur.OfficeID):
				return errs.ErrPermissionDenied
			case cur.AnnulTime != nil:
				return errEntryAnnulled
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.NegativeListEntry) (*ent.NegativeListEntry, error) {
			next, err := tx.NegativeListEntry.UpdateOneID(cur.ID).Where(negativelistentry.Version(cur.Version)).AddVersion(1).
				SetAnnulTime(time.Now().UTC()).SetAnnulReason(reason).Save(ctx)
			if err != nil {
				return nil, err
			}
			if err := s.proposeRevocation(ctx, tx, next, true); err != nil {
				return nil, err
			}
			return next, s.rescore(ctx, tx, cur.UnitID)
		},
		Audit: func(cur, next *ent.NegativeListEntry) (audit.Event, error) {
			return audit.Event{
				OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: "negative_list.annul", ResourceType: "negative_list_entry",
				ResourceID: cur.ID, Before: negativeEntryToProto(cur), After: negativeEntryToProto(next),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return negativeEntryToProto(n), nil
}

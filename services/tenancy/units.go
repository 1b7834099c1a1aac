package tenancy

import (
	"context"
	"strconv"

	"google.golang.org/grpc/codes"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/unit"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

var errCreditCodeTaken = &errs.Error{
	Code: codes.AlreadyExists, Reason: "CREDIT_CODE_TAKEN",
	EN: "a unit with this credit code is already registered", ZH: "该统一社会信用代码已被登记",
	Fields: []errs.Field{{Name: "unit.credit_code", EN: "already registered", ZH: "已被登记"}},
}

func checkCreditCode(code string) error {
	if !ValidCreditCode(code) {
		return errs.Invalid("unit.credit_code",
			"not a valid unified social credit code (18 characters, GB 32100-2015 check character)",
			"不是有效的统一社会信用代码（18 位，须符合 GB 32100-2015 校验位）")
	}
	return nil
}

// creditCodeFree checks uniqueness across all offices: the code identifies one legal
// entity, whoever registered it. It reads as the system because the other registration
// is usually outside the caller's scope. Inside the caller's subtree the answer names the
// unit; outside it, it says only that the code is taken elsewhere, never where, and points
// to the platform admin, who releases a code registered by the wrong office (docs/authorization.md).
func creditCodeFree(ctx context.Context, tx *ent.Tx, code, except string) error {
	other, err := tx.Unit.Query().Where(unit.CreditCode(code), unit.IDNEQ(except)).First(store.System(ctx))
	if ent.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if viewer.FromContext(ctx).CanRead(other.ScopePath) {
		e := *errCreditCodeTaken
		e.Fields = []errs.Field{{Name: "unit.credit_code", EN: "already registered as " + other.DisplayName + " (" + other.ID + ")",
			ZH: "已登记为“" + other.DisplayName + "”（" + other.ID + "）"}}
		return &e
	}
	return errCreditCodeTakenElsewhere
}

var errCreditCodeTakenElsewhere = &errs.Error{
	Code: codes.AlreadyExists, Reason: "CREDIT_CODE_TAKEN",
	EN:     "a unit with this credit code is registered with another office; if it is yours, ask the platform admin to review the registration",
	ZH:     "该统一社会信用代码已由其他文明办登记；如属本单位，请联系平台管理员核查",
	Fields: []errs.Field{{Name: "unit.credit_code", EN: "registered with another office", ZH: "已由其他文明办登记"}},
}

// newUnitChecks are CreateUnit's checks of a new unit beyond its protovalidate rules, in
// order: each is nil or an INVALID_ARGUMENT naming its field. ImportUnits runs them on
// every row of a file.
func newUnitChecks(in *tenancyv1.Unit) []error {
	var category error
	if in.GetCategory() == tenancyv1.UnitCategory_UNIT_CATEGORY_UNSPECIFIED {
		category = errs.Invalid("unit.category", "is required", "必填")
	}
	return []error{resource.Required("unit.display_name", in.GetDisplayName()), checkCreditCode(in.GetCreditCode()), category}
}

// insertUnit registers in with office o, once creditCodeFree has found its code free.
func insertUnit(ctx context.Context, tx *ent.Tx, o *ent.Office, in *tenancyv1.Unit) (*ent.Unit, error) {
	id := resource.NewID()
	u, err := tx.Unit.Create().SetID(id).SetOfficeID(o.ID).SetScopePath(viewer.UnitPath(o.ScopePath, id)).
		SetDisplayName(in.GetDisplayName()).SetCreditCode(in.GetCreditCode()).
		SetCategory(in.GetCategory().String()).Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, errCreditCodeTaken
	}
	return u, err
}

// unitCreated is the audit event of a unit's registration, by CreateUnit or ImportUnits.
func unitCreated(o *ent.Office, u *ent.Unit) audit.Event {
	return audit.Event{
		OfficeID: o.ID, ScopePath: o.ScopePath, Action: "unit.create", ResourceType: "unit", ResourceID: u.ID,
		After: unitToProto(u),
	}
}

// CreateUnit registers a unit with an office the caller administers.
func (s *Server) CreateUnit(ctx context.Context, req *tenancyv1.CreateUnitRequest) (*tenancyv1.Unit, error) {
	v := viewer.FromContext(ctx)
	in := req.GetUnit()
	for _, err := range newUnitChecks(in) {
		if err != nil {
			return nil, err
		}
	}
	u, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, *ent.Unit]{
		Parent:    "office",
		GetParent: mutate.InOffice(req.GetOfficeId()),
		Allow:     mutate.OfficeAdmin(v),
		Save: func(tx *ent.Tx, o *ent.Office) (*ent.Unit, error) {
			if err := creditCodeFree(ctx, tx, in.GetCreditCode(), ""); err != nil {
				return nil, err
			}
			// The chain's lock first, as ImportUnits takes it: two registrations of one
			// code in one office then wait on each other in one order, never deadlock.
			if err := s.w.Lock(ctx, tx, o.ID); err != nil {
				return nil, err
			}
			return insertUnit(ctx, tx, o, in)
		},
		Audit: func(o *ent.Office, u *ent.Unit) (audit.Event, error) { return unitCreated(o, u), nil },
	})
	if err != nil {
		return nil, err
	}
	return unitToProto(u), nil
}

// GetUnit returns a unit in the caller's scope.
func (s *Server) GetUnit(ctx context.Context, req *tenancyv1.GetUnitRequest) (*tenancyv1.Unit, error) {
	u, err := s.st.Client.Unit.Get(ctx, req.GetUnitId())
	if err != nil {
		return nil, resource.NotFound(err, "unit")
	}
	return unitToProto(u), nil
}

// ListUnits lists the units of an office, optionally by category and by name.
func (s *Server) ListUnits(ctx context.Context, req *tenancyv1.ListUnitsRequest) (*tenancyv1.ListUnitsResponse, error) {
	db := s.st.Reader(ctx)
	filters := "units|" + req.GetOfficeId() + "|" + strconv.Itoa(int(req.GetCategory())) + "|" + req.GetName()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	if _, err := db.Office.Get(ctx, req.GetOfficeId()); err != nil {
		return nil, resource.NotFound(err, "office")
	}
	q := db.Unit.Query().Where(unit.OfficeID(req.GetOfficeId()), unit.IDGT(after))
	if req.GetCategory() != tenancyv1.UnitCategory_UNIT_CATEGORY_UNSPECIFIED {
		q = q.Where(unit.Category(req.GetCategory().String()))
	}
	if req.GetName() != "" {
		q = q.Where(unit.DisplayNameContains(req.GetName()))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Asc(unit.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(r *ent.Unit) string { return r.ID })
	resp := &tenancyv1.ListUnitsResponse{NextPageToken: next}
	for _, u := range rows {
		resp.Units = append(resp.Units, unitToProto(u))
	}
	return resp, nil
}

// UpdateUnit changes a unit's name, credit code or category. Its office's admins and the
// unit's own admins may.
func (s *Server) UpdateUnit(ctx context.Context, req *tenancyv1.UpdateUnitRequest) (*tenancyv1.Unit, error) {
	v := viewer.FromContext(ctx)
	in := req.GetUnit()
	paths, err := resource.CheckMask(req.GetUpdateMask(), "display_name", "credit_code", "category")
	if err != nil {
		return nil, err
	}
	if resource.Has(paths, "display_name") {
		if err := resource.Required("unit.display_name", in.GetDisplayName()); err != nil {
			return nil, err
		}
	}
	if resource.Has(paths, "credit_code") {
		if err := checkCreditCode(in.GetCreditCode()); err != nil {
			return nil, err
		}
	}
	if resource.Has(paths, "category") && in.GetCategory() == tenancyv1.UnitCategory_UNIT_CATEGORY_UNSPECIFIED {
		return nil, errs.Invalid("unit.category", "is required", "必填")
	}
	u, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Unit]{
		Resource: "unit", Etag: in.GetEtag(), EtagRequired: true,
		Get:     func(ctx context.Context, tx *ent.Tx) (*ent.Unit, error) { return tx.Unit.Get(ctx, in.GetId()) },
		Version: func(u *ent.Unit) int64 { return u.Version },
		Allow: func(cur *ent.Unit) error {
			if !v.OfficeAdmin(cur.OfficeID) && !v.UnitAdmin(cur.ID) {
				return errs.ErrPermissionDenied
			}
			// The credit code is the registration itself, which the office keeps: a unit
			// changing it could probe or squat any code on the platform.
			if resource.Has(paths, "credit_code") && !v.OfficeAdmin(cur.OfficeID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.Unit) (*ent.Unit, error) {
			u := tx.Unit.UpdateOneID(cur.ID).Where(unit.Version(cur.Version)).AddVersion(1)
			if resource.Has(paths, "display_name") {
				u.SetDisplayName(in.GetDisplayName())
			}
			if resource.Has(paths, "credit_code") {
				if err := creditCodeFree(ctx, tx, in.GetCreditCode(), cur.ID); err != nil {
					return nil, err
				}
				u.SetCreditCode(in.GetCreditCode())
			}
			if resource.Has(paths, "category") {
				u.SetCategory(in.GetCategory().String())
			}
			n, err := u.Save(ctx)
			if ent.IsConstraintError(err) {
				return nil, errCreditCodeTaken
			}
			return n, err
		},
		Audit: func(cur, next *ent.Unit) (audit.Event, error) {
			return audit.Event{
				OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: "unit.update", ResourceType: "unit", ResourceID: cur.ID,
				Before: unitToProto(cur), After: unitToProto(next),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return unitToProto(u), nil
}

package standards

import (
	"context"
	"strconv"

	"google.golang.org/grpc/codes"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/standard"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// writableOffice returns the office officeID when the caller may create standards in it:
// an admin of that very office. An office outside the caller's scope is NOT_FOUND (ent
// privacy hides it, as if it did not exist); one it can see but not administer is
// PERMISSION_DENIED.
func writableOffice(ctx context.Context, offices *ent.OfficeClient, officeID string) (*ent.Office, error) {
	o, err := offices.Get(ctx, officeID)
	if err != nil {
		return nil, resource.NotFound(err, "office")
	}
	if err := mayWrite(ctx, o.ID); err != nil {
		return nil, err
	}
	return o, nil
}

// CreateStandard creates a DRAFT standard of the caller's own office. The draft may be
// incomplete; ValidateStandard and PublishStandard say what is missing.
func (s *Server) CreateStandard(ctx context.Context, req *standardsv1.CreateStandardRequest) (*standardsv1.Standard, error) {
	in := req.GetStandard()
	if err := resource.Required("standard.display_name", in.GetDisplayName()); err != nil {
		return nil, err
	}
	if err := resource.Required("standard.code", in.GetCode()); err != nil {
		return nil, err
	}
	base, err := pointsField("standard.base_points", in.GetBasePoints())
	if err != nil {
		return nil, err
	}
	bonusCap, err := pointsField("standard.bonus_cap", in.GetBonusCap())
	if err != nil {
		return nil, err
	}
	inds, err := encodeIndicators(in.GetIndicators())
	if err != nil {
		return nil, err
	}
	r, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, *ent.Standard]{
		Parent:    "office",
		GetParent: mutate.InOffice(req.GetOfficeId()),
		Allow:     mutate.OfficeAdmin(viewer.FromContext(ctx)),
		Save: func(tx *ent.Tx, o *ent.Office) (*ent.Standard, error) {
			// A new code starts at version 1; later versions come from :newVersion.
			taken, err := tx.Standard.Query().Where(standard.OfficeID(o.ID), standard.Code(in.GetCode())).Exist(ctx)
			if err != nil {
				return nil, err
			}
			if taken {
				return nil, errs.New(codes.AlreadyExists, "STANDARD_CODE_TAKEN",
					"the office already has a standard with this code: use :newVersion", "本单位已有此编码的测评体系，请使用 :newVersion").
					WithField("standard.code", "already in use", "已被使用")
			}
			return tx.Standard.Create().SetID(resource.NewID()).SetOfficeID(o.ID).SetScopePath(o.ScopePath).
				SetCode(in.GetCode()).SetDisplayName(in.GetDisplayName()).SetBasePoints(base).SetBonusCap(bonusCap).
				SetGradeScale(gradeScale(in.GetGradeScale())).SetAggregation(aggregationOf(in.GetAggregation())).
				SetIndicators(inds).Save(ctx)
		},
		Audit: func(o *ent.Office, r *ent.Standard) (audit.Event, error) {
			return standardEvent("standard.create", nil, r)
		},
	})
	if err != nil {
		return nil, err
	}
	return standardToProto(r)
}

// GetStandard returns a standard the caller may see.
func (s *Server) GetStandard(ctx context.Context, req *standardsv1.GetStandardRequest) (*standardsv1.Standard, error) {
	r, err := s.st.Client.Standard.Get(ctx, req.GetStandardId())
	if err != nil {
		return nil, resource.NotFound(err, "standard")
	}
	return standardToProto(r)
}

// ListStandards lists an office's own standards and the non-draft ones of the offices above.
func (s *Server) ListStandards(ctx context.Context, req *standardsv1.ListStandardsRequest) (*standardsv1.ListStandardsResponse, error) {
	db := s.st.Reader(ctx)
	path, err := s.officePath(ctx, req.GetOfficeId())
	if err != nil {
		return nil, err
	}
	filters := "standards|" + req.GetOfficeId() + "|" + req.GetState().String()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.Standard.Query().Where(
		standard.ScopePathIn(append(viewer.Above(path), path)...),
		standard.Or(standard.OfficeID(req.GetOfficeId()), standard.StateNEQ(standard.StateDRAFT)),
		standard.IDGT(after),
	)
	if st := req.GetState(); st != standardsv1.StandardState_STANDARD_STATE_UNSPECIFIED {
		q = q.Where(standard.StateEQ(stateOf(st)))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Asc(standard.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(r *ent.Standard) string { return r.ID })
	resp := &standardsv1.ListStandardsResponse{NextPageToken: next}
	for _, r := range rows {
		p, err := standardToProto(r)
		if err != nil {
			return nil, err
		}
		p.Indicators = nil
		resp.Standards = append(resp.Standards, p)
	}
	return resp, nil
}

func stateOf(st standardsv1.StandardState) standard.State {
	return standard.State(st.String()[len("STANDARD_STATE_"):])
}

// change is the mutate.Update of every edit of a standard: fn changes a standard of an
// office the caller administers, guarded by its version, with the etag checked (always
// when requireEtag, otherwise when given), and the change is recorded as action.
func (s *Server) change(ctx context.Context, id, etag, action string, requireEtag bool, fn func(tx *ent.Tx, cur *ent.Standard) (*ent.Standard, error)) (*standardsv1.Standard, error) {
	r, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Standard]{
		Resource: "standard", Etag: etag, EtagRequired: requireEtag,
		Get:     func(ctx context.Context, tx *ent.Tx) (*ent.Standard, error) { return tx.Standard.Get(ctx, id) },
		Version: func(r *ent.Standard) int64 { return r.Version },
		Allow:   func(cur *ent.Standard) error { return mayWrite(ctx, cur.OfficeID) },
		Apply:   fn,
		Audit:   func(cur, next *ent.Standard) (audit.Event, error) { return standardEvent(action, cur, next) },
	})
	if err != nil {
		return nil, err
	}
	return standardToProto(r)
}

// standardEvent records action on a standard, from before (nil for a create) to after.
func standardEvent(action string, before, after *ent.Standard) (audit.Event, error) {
	e := audit.Event{OfficeID: after.OfficeID, ScopePath: after.ScopePath, Action: action, ResourceType: "standard", ResourceID: after.ID}
	if before != nil {
		b, err := standardToProto(before)
		if err != nil {
			return e, err
		}
		e.Before = b
	}
	a, err := standardToProto(after)
	e.After = a
	return e, err
}

// UpdateStandard edits a draft's settings or its whole indicator tree.
func (s *Server) UpdateStandard(ctx context.Context, req *standardsv1.UpdateStandardRequest) (*standardsv1.Standard, error) {
	in := req.GetStandard()
	paths, err := resource.CheckMask(req.GetUpdateMask(), "code", "display_name", "base_points", "bonus_cap", "grade_scale", "aggregation", "indicators")
	if err != nil {
		return nil, err
	}
	if resource.Has(paths, "display_name") {
		if err := resource.Required("standard.display_name", in.GetDisplayName()); err != nil {
			return nil, err
		}
	}
	if resource.Has(paths, "code") {
		if err := resource.Required("standard.code", in.GetCode()); err != nil {
			return nil, err
		}
	}
	base, err := pointsField("standard.base_points", in.GetBasePoints())
	if err != nil {
		return nil, err
	}
	bonusCap, err := pointsField("standard.bonus_cap", in.GetBonusCap())
	if err != nil {
		return nil, err
	}
	return s.change(ctx, in.GetId(), in.GetEtag(), "standard.update", true, func(tx *ent.Tx, cur *ent.Standard) (*ent.Standard, error) {
		if cur.State != standard.StateDRAFT {
			return nil, errNotDraft
		}
		u := tx.Standard.UpdateOneID(cur.ID).Where(standard.Version(cur.Version)).AddVersion(1)
		if resource.Has(paths, "code") {
			u.SetCode(in.GetCode())
		}
		if resource.Has(paths, "display_name") {
			u.SetDisplayName(in.GetDisplayName())
		}
		if resource.Has(paths, "base_points") {
			u.SetBasePoints(base)
		}
		if resource.Has(paths, "bonus_cap") {
			u.SetBonusCap(bonusCap)
		}
		if resource.Has(paths, "grade_scale") {
			u.SetGradeScale(gradeScale(in.GetGradeScale()))
		}
		if resource.Has(paths, "aggregation") {
			u.SetAggregation(aggregationOf(in.GetAggregation()))
		}
		if resource.Has(paths, "indicators") {
			b, err := encodeIndicators(in.GetIndicators())
			if err != nil {
				return nil, err
			}
			u.SetIndicators(b)
		}
		return u.Save(ctx)
	})
}

// ValidateStandard reports a standard's problems and warnings.
func (s *Server) ValidateStandard(ctx context.Context, req *standardsv1.ValidateStandardRequest) (*standardsv1.ValidateStandardResponse, error) {
	std, err := s.GetStandard(ctx, &standardsv1.GetStandardRequest{StandardId: req.GetStandardId()})
	if err != nil {
		return nil, err
	}
	_, problems, warnings := Check(std)
	return &standardsv1.ValidateStandardResponse{Problems: problems, Warnings: warnings}, nil
}

// PublishStandard freezes a valid draft.
func (s *Server) PublishStandard(ctx context.Context, req *standardsv1.PublishStandardRequest) (*standardsv1.Standard, error) {
	return s.change(ctx, req.GetStandardId(), req.GetEtag(), "standard.publish", false, func(tx *ent.Tx, cur *ent.Standard) (*ent.Standard, error) {
		if cur.State != standard.StateDRAFT {
			return nil, errNotDraft
		}
		std, err := standardToProto(cur)
		if err != nil {
			return nil, err
		}
		if _, problems, _ := Check(std); len(problems) > 0 {
			return nil, invalidStandard(problems)
		}
		now := s.now()
		return tx.Standard.UpdateOneID(cur.ID).Where(standard.Version(cur.Version)).AddVersion(1).
			SetState(standard.StatePUBLISHED).SetContentHash(contentHash(std)).SetPublishTime(now).Save(ctx)
	})
}

// NewStandardVersion copies a published or retired standard into the next DRAFT version.
func (s *Server) NewStandardVersion(ctx context.Context, req *standardsv1.NewStandardVersionRequest) (*standardsv1.Standard, error) {
	r, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Standard, *ent.Standard]{
		Parent: "standard",
		GetParent: func(ctx context.Context, tx *ent.Tx) (*ent.Standard, error) {
			return tx.Standard.Get(ctx, req.GetStandardId())
		},
		Allow: func(cur *ent.Standard) error { return mayWrite(ctx, cur.OfficeID) },
		Save: func(tx *ent.Tx, cur *ent.Standard) (*ent.Standard, error) {
			if cur.State == standard.StateDRAFT {
				return nil, errs.New(codes.FailedPrecondition, "STANDARD_IS_DRAFT", "this standard is a draft already: edit it", "该测评体系尚为草稿，可直接修改")
			}
			latest, err := tx.Standard.Query().Where(standard.OfficeID(cur.OfficeID), standard.Code(cur.Code)).
				Order(ent.Desc(standard.FieldNumber)).First(ctx)
			if err != nil {
				return nil, err
			}
			if latest.State == standard.StateDRAFT {
				return nil, errs.New(codes.AlreadyExists, "STANDARD_DRAFT_EXISTS", "version "+strconv.Itoa(latest.Number)+" of this standard is already a draft: edit it",
					"该测评体系的第 "+strconv.Itoa(latest.Number)+" 版已是草稿，请直接修改")
			}
			return tx.Standard.Create().SetID(resource.NewID()).SetOfficeID(cur.OfficeID).SetScopePath(cur.ScopePath).
				SetCode(cur.Code).SetDisplayName(cur.DisplayName).SetNumber(latest.Number + 1).
				SetBasePoints(cur.BasePoints).SetBonusCap(cur.BonusCap).SetGradeScale(cur.GradeScale).
				SetAggregation(cur.Aggregation).SetIndicators(cur.Indicators).Save(ctx)
		},
		Audit: func(_ *ent.Standard, r *ent.Standard) (audit.Event, error) {
			return standardEvent("standard.new_version", nil, r)
		},
	})
	if err != nil {
		return nil, err
	}
	return standardToProto(r)
}

// RetireStandard retires a published standard.
func (s *Server) RetireStandard(ctx context.Context, req *standardsv1.RetireStandardRequest) (*standardsv1.Standard, error) {
	return s.change(ctx, req.GetStandardId(), req.GetEtag(), "standard.retire", false, func(tx *ent.Tx, cur *ent.Standard) (*ent.Standard, error) {
		if cur.State != standard.StatePUBLISHED {
			return nil, errs.New(codes.FailedPrecondition, "STANDARD_NOT_PUBLISHED", "only a published standard can be retired", "只有已发布的测评体系可以停用")
		}
		return tx.Standard.UpdateOneID(cur.ID).Where(standard.Version(cur.Version)).AddVersion(1).
			SetState(standard.StateRETIRED).Save(ctx)
	})
}

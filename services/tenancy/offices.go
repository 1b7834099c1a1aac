package tenancy

import (
	"context"
	"time"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

func validTimeZone(tz string) error {
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		return errs.Invalid("office.time_zone", "unknown time zone "+tz+" (use an IANA name such as Asia/Shanghai)",
			"未知时区 "+tz+"（请使用 IANA 名称，例如 Asia/Shanghai）")
	}
	return nil
}

// CreateOffice creates a child office of an office the caller administers (its own, when
// parent_id is empty), or a top-level provincial or national office for a platform admin.
func (s *Server) CreateOffice(ctx context.Context, req *tenancyv1.CreateOfficeRequest) (*tenancyv1.Office, error) {
	v := viewer.FromContext(ctx)
	in := req.GetOffice()
	if err := resource.Required("office.display_name", in.GetDisplayName()); err != nil {
		return nil, err
	}
	if in.GetLevel() == tenancyv1.Level_LEVEL_UNSPECIFIED {
		return nil, errs.Invalid("office.level", "is required", "必填")
	}
	if err := resource.Required("office.region_code", in.GetRegionCode()); err != nil {
		return nil, err
	}
	parentID := in.GetParentId()
	if parentID == "" && !v.PlatformAdmin() {
		parentID = v.OfficeID
	}
	tz := in.GetTimeZone()
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	if err := validTimeZone(tz); err != nil {
		return nil, err
	}
	level := levelFromProto(in.GetLevel())
	o, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, *ent.Office]{
		Parent: "parent office",
		GetParent: func(ctx context.Context, tx *ent.Tx) (*ent.Office, error) {
			if parentID == "" {
				return nil, nil // a top-level office
			}
			return tx.Office.Get(ctx, parentID)
		},
		Allow: func(parent *ent.Office) error {
			if v.PlatformAdmin() || parent != nil && v.OfficeAdmin(parent.ID) {
				return nil
			}
			return errs.ErrPermissionDenied
		},
		Save: func(tx *ent.Tx, parent *ent.Office) (*ent.Office, error) {
			path := "/"
			// The creation is recorded in the parent's chain too (the platform chain for a
			// top-level office), so that deleting the new office's whole chain is
			// detectable (docs/audit.md); Create then records it in the office's own chain.
			parentChain, parentPath := audit.PlatformOffice, audit.PlatformScope
			if parent == nil {
				if level != office.LevelPROVINCIAL && level != office.LevelNATIONAL {
					return nil, errs.Invalid("office.level", "a top-level office is provincial or national", "顶级文明办须为省级或国家级")
				}
				if err := checkRegion("office.region_code", level, in.GetRegionCode(), nil); err != nil {
					return nil, err
				}
			} else {
				if levelRank[level] >= levelRank[parent.Level] {
					return nil, errs.Invalid("office.level", "a child office's level must be below its parent's ("+string(parent.Level)+")",
						"下级文明办的级别必须低于上级（"+string(parent.Level)+"）")
				}
				if err := checkRegion("office.region_code", level, in.GetRegionCode(), parent); err != nil {
					return nil, err
				}
				path, parentChain, parentPath = parent.ScopePath, parent.ID, parent.ScopePath
			}
			id := resource.NewID()
			o, err := tx.Office.Create().SetID(id).SetOfficeID(id).SetScopePath(viewer.OfficePath(path, id)).
				SetNillableParentID(nonEmpty(parentID)).SetDisplayName(in.GetDisplayName()).SetLevel(level).
				SetRegionCode(in.GetRegionCode()).SetTimeZone(tz).Save(ctx)
			if err != nil {
				return nil, err
			}
			return o, s.w.Record(ctx, tx, audit.Event{
				OfficeID: parentChain, ScopePath: parentPath, Action: audit.ActionOfficeCreate,
				ResourceType: "office", ResourceID: o.ID, After: officeToProto(o),
			})
		},
		Audit: func(_ *ent.Office, o *ent.Office) (audit.Event, error) {
			return audit.Event{
				OfficeID: o.ID, ScopePath: o.ScopePath, Action: audit.ActionOfficeCreate,
				ResourceType: "office", ResourceID: o.ID, After: officeToProto(o),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return officeToProto(o), nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// GetOffice returns an office in the caller's scope.
func (s *Server) GetOffice(ctx context.Context, req *tenancyv1.GetOfficeRequest) (*tenancyv1.Office, error) {
	o, err := s.st.Client.Office.Get(ctx, req.GetOfficeId())
	if err != nil {
		return nil, resource.NotFound(err, "office")
	}
	return officeToProto(o), nil
}

// ListOffices lists the children of parent_id; without it, the top-level offices for a
// platform admin and the caller's own office for everyone else.
func (s *Server) ListOffices(ctx context.Context, req *tenancyv1.ListOfficesRequest) (*tenancyv1.ListOfficesResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	filters := "offices|" + req.GetParentId()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.Office.Query()
	switch {
	case req.GetParentId() != "":
		if _, err := db.Office.Get(ctx, req.GetParentId()); err != nil {
			return nil, resource.NotFound(err, "office")
		}
		q = q.Where(office.ParentID(req.GetParentId()))
	case v.PlatformAdmin():
		q = q.Where(office.ParentIDIsNil())
	default:
		q = q.Where(office.ID(v.OfficeID))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Where(office.IDGT(after)).Order(ent.Asc(office.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(r *ent.Office) string { return r.ID })
	resp := &tenancyv1.ListOfficesResponse{NextPageToken: next}
	for _, o := range rows {
		resp.Offices = append(resp.Offices, officeToProto(o))
	}
	return resp, nil
}

// UpdateOffice changes an office's display name, region code or time zone.
func (s *Server) UpdateOffice(ctx context.Context, req *tenancyv1.UpdateOfficeRequest) (*tenancyv1.Office, error) {
	v := viewer.FromContext(ctx)
	in := req.GetOffice()
	paths, err := resource.CheckMask(req.GetUpdateMask(), "display_name", "region_code", "time_zone")
	if err != nil {
		return nil, err
	}
	if resource.Has(paths, "time_zone") {
		if err := validTimeZone(in.GetTimeZone()); err != nil {
			return nil, err
		}
	}
	o, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Office]{
		Resource: "office", Etag: in.GetEtag(), EtagRequired: true,
		Get:     func(ctx context.Context, tx *ent.Tx) (*ent.Office, error) { return tx.Office.Get(ctx, in.GetId()) },
		Version: func(o *ent.Office) int64 { return o.Version },
		Allow: func(cur *ent.Office) error {
			if v.PlatformAdmin() || v.OfficeAdmin(cur.ID) {
				return nil
			}
			return errs.ErrPermissionDenied
		},
		Apply: func(tx *ent.Tx, cur *ent.Office) (*ent.Office, error) {
			u := tx.Office.UpdateOneID(cur.ID).Where(office.Version(cur.Version)).AddVersion(1)
			if resource.Has(paths, "display_name") {
				u.SetDisplayName(in.GetDisplayName())
			}
			if resource.Has(paths, "region_code") {
				if err := s.checkRegionChange(ctx, tx, cur, in.GetRegionCode()); err != nil {
					return nil, err
				}
				u.SetRegionCode(in.GetRegionCode())
			}
			if resource.Has(paths, "time_zone") {
				u.SetTimeZone(in.GetTimeZone())
			}
			return u.Save(ctx)
		},
		Audit: func(cur, next *ent.Office) (audit.Event, error) {
			return audit.Event{
				OfficeID: next.ID, ScopePath: next.ScopePath, Action: "office.update", ResourceType: "office", ResourceID: next.ID,
				Before: officeToProto(cur), After: officeToProto(next),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return officeToProto(o), nil
}

// checkRegionChange checks a new region code for cur against its parent's region, and
// refuses a change that would leave a child office outside its parent's region.
func (s *Server) checkRegionChange(ctx context.Context, tx *ent.Tx, cur *ent.Office, code string) error {
	sys := store.System(ctx) // the parent is above the caller's scope; only its code is read
	var parent *ent.Office
	if cur.ParentID != "" {
		p, err := tx.Office.Get(sys, cur.ParentID)
		if err != nil {
			// Not ent's not-found: mutate.Update would take it for its own write's.
			return resource.NotFound(err, "parent office")
		}
		parent = p
	}
	if err := checkRegion("office.region_code", cur.Level, code, parent); err != nil {
		return err
	}
	children, err := tx.Office.Query().Where(office.ParentID(cur.ID)).All(sys)
	if err != nil {
		return err
	}
	moved := *cur
	moved.RegionCode = code
	for _, c := range children {
		if en, _ := regionProblem(c.Level, c.RegionCode, &moved); en != "" {
			return errs.Invalid("office.region_code", "would leave the child office "+c.DisplayName+" ("+c.RegionCode+") outside this region",
				"会使下级文明办 "+c.DisplayName+"（"+c.RegionCode+"）不在本行政区划之内")
		}
	}
	return nil
}

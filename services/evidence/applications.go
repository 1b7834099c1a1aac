package evidence

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/deadlineextension"
	"github.com/wenming-platform/wenming/ent/negativelistentry"
	"github.com/wenming-platform/wenming/ent/predicate"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/unit"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/titles"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// shanghai is the zone negative-list days are counted in (docs/units-and-titles.md).
var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// levels orders title levels, lowest first.
var levels = map[string]int{"DISTRICT": 1, "MUNICIPAL": 2, "PROVINCIAL": 3, "NATIONAL": 4}

// levelZH names a title level in Chinese.
var levelZH = map[string]string{"DISTRICT": "区县级", "MUNICIPAL": "市级", "PROVINCIAL": "省级", "NATIONAL": "全国"}

// eligible checks the eligibility rules (docs/evidence.md, Applying) for unit u applying to campaign c, each
// refusal naming its rule as the reason. The negative list is read as the system: the
// rule must see every entry, whoever recorded it.
func eligible(ctx context.Context, tx *ent.Tx, c *ent.Campaign, u *ent.Unit, now time.Time) error {
	if c.Kind == campaign.KindREINSPECTION {
		return errs.New(codes.FailedPrecondition, "CAMPAIGN_IS_REINSPECTION",
			"a reinspection enters the holders of the office's titles when it opens; nobody applies to it",
			"复查在开始时自动纳入本级称号的持有单位，无需也不能申报")
	}
	if c.State != campaign.StateOPEN || (c.ApplicationEnd != nil && !now.Before(*c.ApplicationEnd)) {
		return errs.New(codes.FailedPrecondition, "CAMPAIGN_NOT_OPEN",
			"the campaign takes applications only while it is OPEN and its application window runs",
			"该创建周期仅在开放申报阶段、申报时间内接受申报")
	}
	if !strings.HasPrefix(u.ScopePath, c.ScopePath) {
		return errs.New(codes.FailedPrecondition, "UNIT_OUTSIDE_CAMPAIGN",
			"the unit is not registered with the campaign's office or an office below it",
			"该单位未在本创建周期所属文明办或其下级文明办登记")
	}
	if req := c.RequiredTitleLevel; req != "" {
		held := levels[u.TitleLevel] >= levels[req] && titles.InForce(u.TitleState, u.TitleTermStart, u.TitleTermEnd, now)
		if !held {
			return errs.New(codes.FailedPrecondition, "TITLE_REQUIRED",
				"the campaign admits units holding a "+strings.ToLower(req)+" civilized-unit title or higher; the unit holds none in force",
				"本创建周期要求申报单位持有"+levelZH[req]+"及以上文明单位称号且在有效期内，该单位不符合")
		}
	}
	// The look-back counts whole days: occurred_on is a day (midnight UTC), so an event on
	// the same day 24 months ago still counts, whatever the hour of the application.
	y, m, d := now.In(shanghai).Date()
	since := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, -c.LookbackMonths, 0)
	hit, err := tx.NegativeListEntry.Query().Where(
		negativelistentry.UnitID(u.ID), negativelistentry.EffectEQ(negativelistentry.EffectDISQUALIFY),
		negativelistentry.AnnulTimeIsNil(), negativelistentry.OccurredOnGTE(since),
	).First(store.System(ctx))
	switch {
	case ent.IsNotFound(err):
	case err != nil:
		return err
	default:
		months := strconv.Itoa(c.LookbackMonths)
		return errs.New(codes.FailedPrecondition, "NEGATIVE_LIST_DISQUALIFIED",
			"the unit has a disqualifying negative-list entry of "+hit.OccurredOn.Format("2006-01-02")+" within the campaign's "+months+"-month look-back",
			"该单位在本创建周期 "+months+" 个月的追溯期内有一票否决的负面清单记录（"+hit.OccurredOn.Format("2006-01-02")+"）")
	}
	taken, err := tx.Application.Query().Where(application.CampaignID(c.ID), application.UnitID(u.ID)).Exist(store.System(ctx))
	if err != nil {
		return err
	}
	if taken {
		return errAlreadyApplied
	}
	return nil
}

var errAlreadyApplied = errs.New(codes.FailedPrecondition, "ALREADY_APPLIED",
	"the unit has applied to this campaign already: one application per unit and campaign",
	"该单位已申报本创建周期：每个单位每个周期只能申报一次")

// CreateApplication applies a unit to an OPEN campaign.
func (s *Server) CreateApplication(ctx context.Context, req *evidencev1.CreateApplicationRequest) (*evidencev1.Application, error) {
	v := viewer.FromContext(ctx)
	unitID := req.GetApplication().GetUnitId()
	if unitID == "" {
		unitID = v.UnitID
	}
	if unitID == "" {
		return nil, errs.Invalid("application.unit_id", "is required", "必填")
	}
	now := s.now()
	type parent struct {
		c *ent.Campaign
		u *ent.Unit
	}
	a, err := mutate.Create(ctx, s.w, mutate.Creation[parent, *ent.Application]{
		Parent: "campaign",
		GetParent: func(ctx context.Context, tx *ent.Tx) (parent, error) {
			c, err := tx.Campaign.Get(ctx, req.GetCampaignId())
			if err != nil {
				return parent{}, err
			}
			u, err := tx.Unit.Get(ctx, unitID)
			if err != nil {
				return parent{}, errs.NotFound("unit")
			}
			return parent{c, u}, nil
		},
		Allow: func(p parent) error {
			if !v.UnitAdmin(p.u.ID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Save: func(tx *ent.Tx, p parent) (*ent.Application, error) {
			if err := eligible(ctx, tx, p.c, p.u, now); err != nil {
				return nil, err
			}
			a, err := tx.Application.Create().SetID(resource.NewID()).SetOfficeID(p.c.OfficeID).SetScopePath(p.u.ScopePath).
				SetCampaignID(p.c.ID).SetUnitID(p.u.ID).SetUnitOfficeID(p.u.OfficeID).Save(ctx)
			if ent.IsConstraintError(err) {
				return nil, errAlreadyApplied
			}
			return a, err
		},
		Audit: func(p parent, a *ent.Application) (audit.Event, error) {
			return appEvent("application.create", a, nil, s.toProto(a, p.u, nil)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s.GetApplication(ctx, &evidencev1.GetApplicationRequest{ApplicationId: a.ID})
}

// appEvent records a change of application a in its campaign office's chain.
func appEvent(action string, a *ent.Application, before, after *evidencev1.Application) audit.Event {
	e := audit.Event{OfficeID: a.OfficeID, ScopePath: a.ScopePath, Action: action, ResourceType: "application", ResourceID: a.ID}
	if before != nil {
		e.Before = before
	}
	if after != nil {
		e.After = after
	}
	return e
}

// toProto is the API form of an application; u and exts may be nil.
func (s *Server) toProto(a *ent.Application, u *ent.Unit, exts []*ent.DeadlineExtension) *evidencev1.Application {
	out := &evidencev1.Application{
		Id: a.ID, CampaignId: a.CampaignID, UnitId: a.UnitID, UnitOfficeId: a.UnitOfficeID,
		State:          evidencev1.ApplicationState(evidencev1.ApplicationState_value["APPLICATION_STATE_"+string(a.State)]),
		WithdrawReason: a.WithdrawReason, SourceApplicationId: a.SourceApplicationID, Etag: resource.Etag(a.Version),
		CreateTime: timestamppb.New(a.CreateTime), UpdateTime: timestamppb.New(a.UpdateTime),
	}
	if u != nil {
		out.UnitDisplayName, out.UnitCategory = u.DisplayName, u.Category
	}
	if a.SubmitTime != nil {
		out.SubmitTime = timestamppb.New(*a.SubmitTime)
	}
	for _, sa := range a.SelfAssessment {
		out.SelfAssessment = append(out.SelfAssessment, &evidencev1.SelfAssessment{
			IndicatorCode: sa.IndicatorCode, Points: scoring.Points(sa.Points).String(), Comment: sa.Comment})
	}
	for _, x := range exts {
		out.Extensions = append(out.Extensions, &evidencev1.Extension{
			Id: x.ID, IndicatorCode: x.IndicatorCode, Period: x.Period, DueTime: timestamppb.New(x.DueTime),
			Reason: x.Reason, GrantedBy: x.GrantedBy, CreateTime: timestamppb.New(x.CreateTime)})
	}
	return out
}

// getApplication reads an application the caller can see, within tx.
func getApplication(id string) func(context.Context, *ent.Tx) (*ent.Application, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.Application, error) { return tx.Application.Get(ctx, id) }
}

func appVersion(a *ent.Application) int64 { return a.Version }

// GetApplication returns an application the caller can see, with its unit's name and the
// extensions granted to it.
func (s *Server) GetApplication(ctx context.Context, req *evidencev1.GetApplicationRequest) (*evidencev1.Application, error) {
	a, err := s.st.Client.Application.Get(ctx, req.GetApplicationId())
	if err != nil {
		return nil, resource.NotFound(err, "application")
	}
	exts, err := s.st.Client.DeadlineExtension.Query().Where(deadlineextension.ApplicationID(a.ID)).
		Order(ent.Asc(deadlineextension.FieldCreateTime), ent.Asc(deadlineextension.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	u, _ := s.st.Client.Unit.Get(ctx, a.UnitID)
	return s.toProto(a, u, exts), nil
}

// ListApplications lists a campaign's applications in the caller's scope.
func (s *Server) ListApplications(ctx context.Context, req *evidencev1.ListApplicationsRequest) (*evidencev1.ListApplicationsResponse, error) {
	db := s.st.Reader(ctx)
	filters := strings.Join([]string{"applications", req.GetCampaignId(), req.GetState().String(), req.GetOfficeId(), req.GetUnitCategory()}, "|")
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	if _, err := db.Campaign.Get(ctx, req.GetCampaignId()); err != nil {
		return nil, resource.NotFound(err, "campaign")
	}
	q := db.Application.Query().Where(application.CampaignID(req.GetCampaignId()), application.IDGT(after))
	if st := req.GetState(); st != evidencev1.ApplicationState_APPLICATION_STATE_UNSPECIFIED {
		q = q.Where(application.StateEQ(application.State(strings.TrimPrefix(st.String(), "APPLICATION_STATE_"))))
	}
	if id := req.GetOfficeId(); id != "" {
		o, err := db.Office.Get(ctx, id)
		if err != nil {
			return nil, resource.NotFound(err, "office")
		}
		q = q.Where(application.ScopePathHasPrefix(o.ScopePath))
	}
	if c := req.GetUnitCategory(); c != "" {
		q = q.Where(unitCategory("UNIT_CATEGORY_" + strings.TrimPrefix(c, "UNIT_CATEGORY_")))
	}
	return s.listPage(ctx, q, filters, req.GetPageSize())
}

// unitCategory keeps applications of units of one category, in SQL, so a page holds
// page_size matches however few there are.
func unitCategory(c string) predicate.Application {
	return func(s *sql.Selector) {
		t := sql.Table(unit.Table)
		s.Where(sql.In(s.C(application.FieldUnitID), sql.Select(t.C(unit.FieldID)).From(t).Where(sql.EQ(t.C(unit.FieldCategory), c))))
	}
}

// ListUnitApplications lists one unit's applications.
func (s *Server) ListUnitApplications(ctx context.Context, req *evidencev1.ListUnitApplicationsRequest) (*evidencev1.ListApplicationsResponse, error) {
	db := s.st.Reader(ctx)
	filters := "unit-applications|" + req.GetUnitId()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	if _, err := db.Unit.Get(ctx, req.GetUnitId()); err != nil {
		return nil, resource.NotFound(err, "unit")
	}
	return s.listPage(ctx, db.Application.Query().Where(application.UnitID(req.GetUnitId()), application.IDGT(after)), filters, req.GetPageSize())
}

func (s *Server) listPage(ctx context.Context, q *ent.ApplicationQuery, filters string, pageSize int32) (*evidencev1.ListApplicationsResponse, error) {
	size := pagetoken.Size(pageSize)
	rows, err := q.Order(ent.Asc(application.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(a *ent.Application) string { return a.ID })
	ids := make([]string, len(rows))
	for i, a := range rows {
		ids[i] = a.UnitID
	}
	units, err := s.st.Client.Unit.Query().Where(unit.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*ent.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	resp := &evidencev1.ListApplicationsResponse{NextPageToken: next}
	for _, a := range rows {
		resp.Applications = append(resp.Applications, s.toProto(a, byID[a.UnitID], nil))
	}
	return resp, nil
}

// UpdateApplication changes the unit's self-assessment while the application is a draft.
func (s *Server) UpdateApplication(ctx context.Context, req *evidencev1.UpdateApplicationRequest) (*evidencev1.Application, error) {
	v := viewer.FromContext(ctx)
	in := req.GetApplication()
	if _, err := resource.CheckMask(req.GetUpdateMask(), "self_assessment"); err != nil {
		return nil, err
	}
	a, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Application]{
		Resource: "application", Etag: in.GetEtag(), EtagRequired: true,
		Get: getApplication(in.GetId()), Version: appVersion,
		Allow: func(cur *ent.Application) error { return unitMember(v, cur) },
		Apply: func(tx *ent.Tx, cur *ent.Application) (*ent.Application, error) {
			if cur.State != application.StateDRAFT {
				return nil, wrongState(cur, "change its self-assessment", "修改自评")
			}
			as, err := s.assess(ctx, tx.Client(), cur.CampaignID)
			if err != nil {
				return nil, err
			}
			list, err := selfAssessment(as, in.GetSelfAssessment())
			if err != nil {
				return nil, err
			}
			return tx.Application.UpdateOneID(cur.ID).Where(application.Version(cur.Version)).AddVersion(1).
				SetSelfAssessment(list).Save(ctx)
		},
		Audit: func(cur, next *ent.Application) (audit.Event, error) {
			return appEvent("application.self_assess", cur, s.toProto(cur, nil, nil), s.toProto(next, nil, nil)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s.GetApplication(ctx, &evidencev1.GetApplicationRequest{ApplicationId: a.ID})
}

// selfAssessment checks a self-assessment against the standard: known scored leaves, each
// once, points within the indicator's maximum.
func selfAssessment(as *assessment, in []*evidencev1.SelfAssessment) ([]jsonvalue.SelfAssessment, error) {
	seen := map[string]bool{}
	out := make([]jsonvalue.SelfAssessment, 0, len(in))
	for i, sa := range in {
		field := "application.self_assessment[" + strconv.Itoa(i) + "]"
		ind, ok := as.leaves[sa.GetIndicatorCode()]
		if !ok || !takesEvidence(ind) {
			return nil, errs.Invalid(field+".indicator_code", "no scored indicator "+sa.GetIndicatorCode()+" in the campaign's standard",
				"本创建周期的测评体系中没有可评分的指标 "+sa.GetIndicatorCode())
		}
		if seen[sa.GetIndicatorCode()] {
			return nil, errs.Invalid(field+".indicator_code", "indicator "+sa.GetIndicatorCode()+" is assessed twice", "指标 "+sa.GetIndicatorCode()+" 重复自评")
		}
		seen[sa.GetIndicatorCode()] = true
		limit, err := scoring.ParsePoints(ind.GetMaxPoints())
		if err != nil {
			return nil, fmt.Errorf("evidence: indicator %s of standard %s: max points: %w", ind.GetCode(), as.std.ID, err)
		}
		p, err := scoring.ParsePoints(sa.GetPoints())
		if err != nil || p < 0 || p > limit {
			return nil, errs.Invalid(field+".points", "a number with at most two decimal places from 0 to "+limit.String(),
				"须为 0 至 "+limit.String()+" 之间、不超过两位小数的数")
		}
		out = append(out, jsonvalue.SelfAssessment{IndicatorCode: sa.GetIndicatorCode(), Points: int64(p), Comment: sa.GetComment()})
	}
	return out, nil
}

// unitMember is the object check of a unit's own writes: the caller is a user of the
// application's unit (the rule admits only unit roles).
func unitMember(v *viewer.Viewer, a *ent.Application) error {
	if v.UnitID != a.UnitID {
		return errs.ErrPermissionDenied
	}
	return nil
}

// unitAdmin is the object check of the writes only a unit's admin makes.
func unitAdmin(v *viewer.Viewer, a *ent.Application) error {
	if !v.UnitAdmin(a.UnitID) {
		return errs.ErrPermissionDenied
	}
	return nil
}

// wrongState refuses an action the application's state does not allow.
func wrongState(a *ent.Application, en, zh string) error {
	return errs.New(codes.FailedPrecondition, "APPLICATION_WRONG_STATE",
		"the application is "+string(a.State)+": cannot "+en+" now",
		"申报处于 "+string(a.State)+" 状态，现在不能"+zh)
}

// WithdrawApplication withdraws an application before review.
func (s *Server) WithdrawApplication(ctx context.Context, req *evidencev1.WithdrawApplicationRequest) (*evidencev1.Application, error) {
	v := viewer.FromContext(ctx)
	reason := strings.TrimSpace(req.GetReason())
	if reason == "" {
		return nil, errs.Invalid("reason", "say why the application is withdrawn", "请说明撤回理由")
	}
	a, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Application]{
		Resource: "application", Etag: req.GetEtag(),
		Get: getApplication(req.GetApplicationId()), Version: appVersion,
		Allow: func(cur *ent.Application) error { return unitAdmin(v, cur) },
		Apply: func(tx *ent.Tx, cur *ent.Application) (*ent.Application, error) {
			if cur.State != application.StateDRAFT && cur.State != application.StateSUBMITTED {
				return nil, wrongState(cur, "withdraw it (review has begun)", "撤回（已进入审核）")
			}
			// A title holder entered in a reinspection answers it: withdrawing would keep
			// the title out of the reinspection's decisions.
			if cur.ReinspectedTitleID != "" {
				return nil, errs.New(codes.FailedPrecondition, "CAMPAIGN_IS_REINSPECTION",
					"a title holder entered in a reinspection cannot withdraw: what it does not submit scores nothing",
					"复查自动纳入称号持有单位，不能撤回；未报送的材料不得分")
			}
			return tx.Application.UpdateOneID(cur.ID).Where(application.Version(cur.Version)).AddVersion(1).
				SetState(application.StateWITHDRAWN).SetWithdrawReason(reason).Save(ctx)
		},
		Audit: func(cur, next *ent.Application) (audit.Event, error) {
			return appEvent("application.withdraw", cur, s.toProto(cur, nil, nil), s.toProto(next, nil, nil)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s.GetApplication(ctx, &evidencev1.GetApplicationRequest{ApplicationId: a.ID})
}

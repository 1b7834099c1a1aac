package standards

import (
	"context"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/standard"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// phases lists the campaign states in order; a campaign moves one step at a time.
var phases = []campaign.State{
	campaign.StateDRAFT, campaign.StateOPEN, campaign.StateSUBMISSION, campaign.StateREVIEW,
	campaign.StateRANKED, campaign.StatePUBLICITY, campaign.StateCLOSED,
}

func titleLevel(l standardsv1.TitleLevel) campaign.TargetLevel {
	return campaign.TargetLevel(strings.TrimPrefix(l.String(), "TITLE_LEVEL_"))
}

func ts(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func window(start, end *time.Time) *standardsv1.Window {
	return &standardsv1.Window{StartTime: ts(start), EndTime: ts(end)}
}

func campaignToProto(c *ent.Campaign) *standardsv1.Campaign {
	out := &standardsv1.Campaign{
		Id: c.ID, OfficeId: c.OfficeID, StandardId: c.StandardID, Year: int32(c.Year),
		TargetLevel:       standardsv1.TitleLevel(standardsv1.TitleLevel_value["TITLE_LEVEL_"+string(c.TargetLevel)]),
		DisplayName:       c.DisplayName,
		State:             standardsv1.CampaignState(standardsv1.CampaignState_value["CAMPAIGN_STATE_"+string(c.State)]),
		ApplicationWindow: window(c.ApplicationStart, c.ApplicationEnd),
		SubmissionWindow:  window(c.SubmissionStart, c.SubmissionEnd),
		ReviewWindow:      window(c.ReviewStart, c.ReviewEnd),
		PublicityWindow:   window(c.PublicityStart, c.PublicityEnd),
		Eligibility: &standardsv1.Eligibility{
			RequiredTitleLevel: standardsv1.TitleLevel(standardsv1.TitleLevel_value["TITLE_LEVEL_"+c.RequiredTitleLevel]),
			NoTitleRequired:    c.RequiredTitleLevel == "",
			LookbackMonths:     int32(c.LookbackMonths),
		},
		MaxResubmissions: int32(c.MaxResubmissions), ReviewersPerApplication: int32(c.ReviewersPerApplication),
		ParentCampaignId: c.ParentCampaignID, TitleModel: c.TitleModel, TermYears: int32(c.TermYears), Etag: resource.Etag(c.Version),
		Kind:       standardsv1.CampaignKind(standardsv1.CampaignKind_value["CAMPAIGN_KIND_"+string(c.Kind)]),
		CreateTime: timestamppb.New(c.CreateTime), UpdateTime: timestamppb.New(c.UpdateTime),
	}
	switch {
	case c.QuotaCount != nil:
		out.Quota = &standardsv1.Quota{Limit: &standardsv1.Quota_Count{Count: int32(*c.QuotaCount)}}
	case c.QuotaPercent != nil:
		out.Quota = &standardsv1.Quota{Limit: &standardsv1.Quota_Percent{Percent: int32(*c.QuotaPercent)}}
	}
	if c.PassLine != nil {
		out.PassLine = scoring.Points(*c.PassLine).String()
	}
	if c.KeepLine != nil {
		out.KeepLine = scoring.Points(*c.KeepLine).String()
	}
	if c.WarnLine != nil {
		out.WarnLine = scoring.Points(*c.WarnLine).String()
	}
	return out
}

// windows checks the four phase windows: each set, each start before its end, and the
// phases in order (applications may stay open while final evidence is submitted).
func windows(c *standardsv1.Campaign) ([4][2]time.Time, error) {
	var out [4][2]time.Time
	named := []struct {
		field string
		w     *standardsv1.Window
	}{
		{"campaign.application_window", c.GetApplicationWindow()},
		{"campaign.submission_window", c.GetSubmissionWindow()},
		{"campaign.review_window", c.GetReviewWindow()},
		{"campaign.publicity_window", c.GetPublicityWindow()},
	}
	for i, n := range named {
		if n.w.GetStartTime() == nil || n.w.GetEndTime() == nil {
			return out, errs.Invalid(n.field, "give its start_time and end_time", "请提供开始和结束时间")
		}
		out[i] = [2]time.Time{n.w.GetStartTime().AsTime(), n.w.GetEndTime().AsTime()}
		if !out[i][0].Before(out[i][1]) {
			return out, errs.Invalid(n.field, "must start before it ends", "开始时间须早于结束时间")
		}
	}
	switch {
	case out[1][0].Before(out[0][0]):
		return out, errs.Invalid("campaign.submission_window", "cannot start before the application window", "不能早于申报窗口开始")
	case out[2][0].Before(out[1][1]):
		return out, errs.Invalid("campaign.review_window", "cannot start before the submission window ends", "不能早于报送窗口结束")
	case out[3][0].Before(out[2][1]):
		return out, errs.Invalid("campaign.publicity_window", "cannot start before the review window ends", "不能早于评审窗口结束")
	}
	return out, nil
}

// campaignFields are a campaign's settings, parsed and checked.
type campaignFields struct {
	name           string
	windows        [4][2]time.Time
	count, percent *int
	passLine       *int64
	required       string
	lookback       int
	maxResub       int
	reviewers      int
	parentCampaign string
	model          bool
	termYears      int
	// keep and warn are a reinspection's lines.
	keep, warn *int64
}

// parseCampaign checks a campaign's settings and fills the defaults.
func parseCampaign(in *standardsv1.Campaign) (*campaignFields, error) {
	if err := resource.Required("campaign.display_name", in.GetDisplayName()); err != nil {
		return nil, err
	}
	w, err := windows(in)
	if err != nil {
		return nil, err
	}
	f := &campaignFields{name: in.GetDisplayName(), windows: w, parentCampaign: in.GetParentCampaignId()}
	if in.GetKind() == standardsv1.CampaignKind_CAMPAIGN_KIND_REINSPECTION {
		return f, parseReinspection(in, f)
	}
	if in.GetKeepLine() != "" || in.GetWarnLine() != "" {
		return nil, errs.Invalid("campaign.keep_line", "only a reinspection campaign has keep and warn lines", "仅复查类创建周期设置保留线和警示线")
	}
	switch q := in.GetQuota().GetLimit().(type) {
	case *standardsv1.Quota_Count:
		n := int(q.Count)
		f.count = &n
	case *standardsv1.Quota_Percent:
		n := int(q.Percent)
		f.percent = &n
	default:
		return nil, errs.Invalid("campaign.quota", "give a count or a percent", "请提供名额数或比例")
	}
	if in.GetPassLine() != "" {
		p, err := pointsField("campaign.pass_line", in.GetPassLine())
		if err != nil {
			return nil, err
		}
		f.passLine = &p
	}
	f.lookback = int(in.GetEligibility().GetLookbackMonths())
	if f.lookback == 0 {
		f.lookback = 24
	}
	f.maxResub = int(in.GetMaxResubmissions())
	if f.maxResub == 0 {
		f.maxResub = 1
	}
	f.reviewers = int(in.GetReviewersPerApplication())
	if f.reviewers == 0 {
		f.reviewers = 3
	}
	f.model, f.termYears = in.GetTitleModel(), int(in.GetTermYears())
	if f.termYears == 0 {
		f.termYears = 3
	}
	// The stored level is the resolved one ("" admits units without a title), so every
	// reader of the campaign applies the same rule (docs/evidence.md).
	switch l := in.GetEligibility().GetRequiredTitleLevel(); {
	case in.GetEligibility().GetNoTitleRequired():
	case l != standardsv1.TitleLevel_TITLE_LEVEL_UNSPECIFIED:
		f.required = string(titleLevel(l))
	case in.GetTargetLevel() > standardsv1.TitleLevel_TITLE_LEVEL_DISTRICT:
		f.required = string(titleLevel(in.GetTargetLevel() - 1))
	}
	return f, nil
}

// parseReinspection checks a reinspection's settings: its two lines, and none of what only
// a selection has (a quota, a pass line, a parent campaign to recommend into). Holders are
// entered, so no eligibility applies.
func parseReinspection(in *standardsv1.Campaign, f *campaignFields) error {
	switch {
	case in.GetQuota() != nil:
		return errs.Invalid("campaign.quota", "a reinspection recommends nobody: leave the quota out", "复查不推荐单位：请勿设置名额")
	case in.GetPassLine() != "":
		return errs.Invalid("campaign.pass_line", "a reinspection has keep and warn lines instead", "复查使用保留线和警示线，请勿设置推荐分数线")
	case in.GetParentCampaignId() != "":
		return errs.Invalid("campaign.parent_campaign_id", "a reinspection recommends nobody upward", "复查不向上级推荐")
	}
	if err := resource.Required("campaign.keep_line", in.GetKeepLine()); err != nil {
		return err
	}
	if err := resource.Required("campaign.warn_line", in.GetWarnLine()); err != nil {
		return err
	}
	keep, err := pointsField("campaign.keep_line", in.GetKeepLine())
	if err != nil {
		return err
	}
	warn, err := pointsField("campaign.warn_line", in.GetWarnLine())
	if err != nil {
		return err
	}
	if warn > keep {
		return errs.Invalid("campaign.warn_line", "must not be above keep_line", "不能高于保留线（keep_line）")
	}
	f.keep, f.warn = &keep, &warn
	f.lookback, f.maxResub, f.reviewers = 24, max(int(in.GetMaxResubmissions()), 1), int(in.GetReviewersPerApplication())
	if f.reviewers == 0 {
		f.reviewers = 3
	}
	// It names nobody: the term settings keep their defaults.
	f.termYears = 3
	return nil
}

// apply writes the settings into a create or update.
func (f *campaignFields) apply(m *ent.CampaignMutation) {
	w := f.windows
	m.SetDisplayName(f.name)
	m.SetApplicationStart(w[0][0])
	m.SetApplicationEnd(w[0][1])
	m.SetSubmissionStart(w[1][0])
	m.SetSubmissionEnd(w[1][1])
	m.SetReviewStart(w[2][0])
	m.SetReviewEnd(w[2][1])
	m.SetPublicityStart(w[3][0])
	m.SetPublicityEnd(w[3][1])
	if f.count != nil {
		m.SetQuotaCount(*f.count)
	} else {
		m.ClearQuotaCount()
	}
	if f.percent != nil {
		m.SetQuotaPercent(*f.percent)
	} else {
		m.ClearQuotaPercent()
	}
	if f.passLine != nil {
		m.SetPassLine(*f.passLine)
	} else {
		m.ClearPassLine()
	}
	m.SetRequiredTitleLevel(f.required)
	m.SetLookbackMonths(f.lookback)
	m.SetMaxResubmissions(f.maxResub)
	m.SetReviewersPerApplication(f.reviewers)
	m.SetParentCampaignID(f.parentCampaign)
	m.SetTitleModel(f.model)
	m.SetTermYears(f.termYears)
	if f.keep != nil {
		m.SetKeepLine(*f.keep)
		m.SetWarnLine(*f.warn)
	}
}

// CreateCampaign creates a DRAFT campaign of the caller's own office on a published standard
// the office can see (its own or one above).
func (s *Server) CreateCampaign(ctx context.Context, req *standardsv1.CreateCampaignRequest) (*standardsv1.Campaign, error) {
	in := req.GetCampaign()
	if err := resource.Required("campaign.standard_id", in.GetStandardId()); err != nil {
		return nil, err
	}
	if in.GetYear() == 0 {
		return nil, errs.Invalid("campaign.year", "is required", "必填")
	}
	if in.GetTargetLevel() == standardsv1.TitleLevel_TITLE_LEVEL_UNSPECIFIED {
		return nil, errs.Invalid("campaign.target_level", "is required", "必填")
	}
	f, err := parseCampaign(in)
	if err != nil {
		return nil, err
	}
	c, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, *ent.Campaign]{
		Parent:    "office",
		GetParent: mutate.InOffice(req.GetOfficeId()),
		Allow:     mutate.OfficeAdmin(viewer.FromContext(ctx)),
		Save: func(tx *ent.Tx, o *ent.Office) (*ent.Campaign, error) {
			if string(titleLevel(in.GetTargetLevel())) != string(o.Level) {
				return nil, errs.Invalid("campaign.target_level", "an office names titles of its own level ("+string(o.Level)+")",
					"文明办只能命名本级称号（"+string(o.Level)+"）")
			}
			std, err := tx.Standard.Get(ctx, in.GetStandardId())
			if err != nil {
				if ent.IsNotFound(err) {
					return nil, errs.Invalid("campaign.standard_id", "no such standard", "测评体系不存在")
				}
				return nil, err
			}
			if std.State != standard.StatePUBLISHED {
				return nil, errs.Invalid("campaign.standard_id", "a campaign pins a published standard; this one is "+string(std.State),
					"创建周期须使用已发布的测评体系，此体系状态为 "+string(std.State))
			}
			if !strings.HasPrefix(o.ScopePath, std.ScopePath) {
				return nil, errs.Invalid("campaign.standard_id", "the standard belongs to an office that is not this one or above it",
					"该测评体系不属于本单位或上级单位")
			}
			if err := checkParentCampaign(ctx, tx, in.GetParentCampaignId(), o.ParentID); err != nil {
				return nil, err
			}
			create := tx.Campaign.Create().SetID(resource.NewID()).SetOfficeID(o.ID).SetScopePath(o.ScopePath).
				SetStandardID(std.ID).SetYear(int(in.GetYear())).SetTargetLevel(titleLevel(in.GetTargetLevel()))
			if in.GetKind() == standardsv1.CampaignKind_CAMPAIGN_KIND_REINSPECTION {
				create.SetKind(campaign.KindREINSPECTION)
			}
			f.apply(create.Mutation())
			return create.Save(ctx)
		},
		Audit: func(o *ent.Office, c *ent.Campaign) (audit.Event, error) {
			return audit.Event{
				OfficeID: o.ID, ScopePath: o.ScopePath, Action: "campaign.create", ResourceType: "campaign", ResourceID: c.ID,
				After: campaignToProto(c),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return campaignToProto(c), nil
}

// getCampaign reads the campaign id within tx (the Get of a mutate.Change).
func getCampaign(id string) func(context.Context, *ent.Tx) (*ent.Campaign, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.Campaign, error) { return tx.Campaign.Get(ctx, id) }
}

func campaignVersion(c *ent.Campaign) int64 { return c.Version }

// campaignEvent records action on a campaign, from cur to after.
func campaignEvent(action string, cur *ent.Campaign, after proto.Message) audit.Event {
	return audit.Event{
		OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: action, ResourceType: "campaign", ResourceID: cur.ID,
		Before: campaignToProto(cur), After: after,
	}
}

func checkParentCampaign(ctx context.Context, tx *ent.Tx, id, parentOffice string) error {
	if id == "" {
		return nil
	}
	if p, err := tx.Campaign.Get(ctx, id); err != nil || p.OfficeID != parentOffice {
		return errs.Invalid("campaign.parent_campaign_id", "must be a campaign of the parent office", "须为上级文明办的创建周期")
	}
	return nil
}

// editable says which fields a campaign may still change in each phase.
var editable = map[campaign.State][]string{
	campaign.StateDRAFT: {"display_name", "application_window", "submission_window", "review_window", "publicity_window",
		"quota", "pass_line", "eligibility", "max_resubmissions", "reviewers_per_application", "parent_campaign_id", "title_model", "term_years", "keep_line", "warn_line"},
	campaign.StateOPEN:       {"display_name", "application_window", "submission_window", "review_window", "publicity_window", "quota", "pass_line", "title_model", "term_years", "keep_line", "warn_line"},
	campaign.StateSUBMISSION: {"display_name", "application_window", "submission_window", "review_window", "publicity_window", "quota", "pass_line", "title_model", "term_years", "keep_line", "warn_line"},
	campaign.StateREVIEW:     {"display_name", "review_window", "publicity_window", "quota", "pass_line", "title_model", "term_years", "keep_line", "warn_line"},
	campaign.StateRANKED:     {"display_name", "publicity_window", "title_model", "term_years"},
	campaign.StatePUBLICITY:  {"display_name", "title_model", "term_years"},
}

// UpdateCampaign changes the fields a campaign's phase still allows.
func (s *Server) UpdateCampaign(ctx context.Context, req *standardsv1.UpdateCampaignRequest) (*standardsv1.Campaign, error) {
	in := req.GetCampaign()
	paths, err := resource.CheckMask(req.GetUpdateMask(), editable[campaign.StateDRAFT]...)
	if err != nil {
		return nil, err
	}
	c, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Campaign]{
		Resource: "campaign", Etag: in.GetEtag(), EtagRequired: true,
		Get:     getCampaign(in.GetId()),
		Version: campaignVersion,
		Allow:   func(cur *ent.Campaign) error { return mayWrite(ctx, cur.OfficeID) },
		Apply: func(tx *ent.Tx, cur *ent.Campaign) (*ent.Campaign, error) {
			for _, p := range paths {
				if !resource.Has(editable[cur.State], p) {
					return nil, errs.New(codes.FailedPrecondition, "CAMPAIGN_FIELD_FROZEN",
						"the campaign is "+string(cur.State)+": "+p+" can no longer change",
						"创建周期处于 "+string(cur.State)+" 阶段："+p+" 已不可修改").WithField("update_mask", p+" is frozen", p+" 已冻结")
				}
			}
			merged := campaignToProto(cur)
			set := map[string]func(){
				"display_name":              func() { merged.DisplayName = in.GetDisplayName() },
				"application_window":        func() { merged.ApplicationWindow = in.GetApplicationWindow() },
				"submission_window":         func() { merged.SubmissionWindow = in.GetSubmissionWindow() },
				"review_window":             func() { merged.ReviewWindow = in.GetReviewWindow() },
				"publicity_window":          func() { merged.PublicityWindow = in.GetPublicityWindow() },
				"quota":                     func() { merged.Quota = in.GetQuota() },
				"pass_line":                 func() { merged.PassLine = in.GetPassLine() },
				"eligibility":               func() { merged.Eligibility = in.GetEligibility() },
				"max_resubmissions":         func() { merged.MaxResubmissions = in.GetMaxResubmissions() },
				"reviewers_per_application": func() { merged.ReviewersPerApplication = in.GetReviewersPerApplication() },
				"parent_campaign_id":        func() { merged.ParentCampaignId = in.GetParentCampaignId() },
				"title_model":               func() { merged.TitleModel = in.GetTitleModel() },
				"term_years":                func() { merged.TermYears = in.GetTermYears() },
				"keep_line":                 func() { merged.KeepLine = in.GetKeepLine() },
				"warn_line":                 func() { merged.WarnLine = in.GetWarnLine() },
			}
			for field, apply := range set {
				if resource.Has(paths, field) {
					apply()
				}
			}
			f, err := parseCampaign(merged)
			if err != nil {
				return nil, err
			}
			if resource.Has(paths, "parent_campaign_id") {
				o, err := tx.Office.Get(ctx, cur.OfficeID)
				if err != nil {
					// Not ent's not-found: mutate.Update would take it for its own write's.
					return nil, resource.NotFound(err, "office")
				}
				if err := checkParentCampaign(ctx, tx, f.parentCampaign, o.ParentID); err != nil {
					return nil, err
				}
			}
			u := tx.Campaign.UpdateOneID(cur.ID).Where(campaign.Version(cur.Version)).AddVersion(1)
			f.apply(u.Mutation())
			return u.Save(ctx)
		},
		Audit: func(cur, next *ent.Campaign) (audit.Event, error) {
			return campaignEvent("campaign.update", cur, campaignToProto(next)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return campaignToProto(c), nil
}

// GetCampaign returns a campaign the caller may see.
func (s *Server) GetCampaign(ctx context.Context, req *standardsv1.GetCampaignRequest) (*standardsv1.Campaign, error) {
	c, err := s.st.Client.Campaign.Get(ctx, req.GetCampaignId())
	if err != nil {
		return nil, resource.NotFound(err, "campaign")
	}
	return campaignToProto(c), nil
}

// ListCampaigns lists an office's campaigns, or those of its whole subtree.
func (s *Server) ListCampaigns(ctx context.Context, req *standardsv1.ListCampaignsRequest) (*standardsv1.ListCampaignsResponse, error) {
	db := s.st.Reader(ctx)
	path, err := s.officePath(ctx, req.GetOfficeId())
	if err != nil {
		return nil, err
	}
	filters := strings.Join([]string{"campaigns", req.GetOfficeId(), strconv.FormatBool(req.GetSubtree()), strconv.Itoa(int(req.GetYear())),
		req.GetTargetLevel().String(), req.GetState().String()}, "|")
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.Campaign.Query().Where(campaign.IDGT(after))
	if req.GetSubtree() {
		q = q.Where(campaign.ScopePathHasPrefix(path))
	} else {
		q = q.Where(campaign.OfficeID(req.GetOfficeId()))
	}
	if req.GetYear() != 0 {
		q = q.Where(campaign.Year(int(req.GetYear())))
	}
	if l := req.GetTargetLevel(); l != standardsv1.TitleLevel_TITLE_LEVEL_UNSPECIFIED {
		q = q.Where(campaign.TargetLevelEQ(titleLevel(l)))
	}
	if st := req.GetState(); st != standardsv1.CampaignState_CAMPAIGN_STATE_UNSPECIFIED {
		q = q.Where(campaign.StateEQ(campaign.State(strings.TrimPrefix(st.String(), "CAMPAIGN_STATE_"))))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Asc(campaign.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(c *ent.Campaign) string { return c.ID })
	resp := &standardsv1.ListCampaignsResponse{NextPageToken: next}
	for _, c := range rows {
		resp.Campaigns = append(resp.Campaigns, campaignToProto(c))
	}
	return resp, nil
}

// opens says when each phase may begin without force: the time the current phase's
// window allows the move.
func opens(c *ent.Campaign, to campaign.State) (time.Time, string) {
	deref := func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	switch to {
	case campaign.StateOPEN:
		return deref(c.ApplicationStart), "the application window opens"
	case campaign.StateSUBMISSION:
		return deref(c.SubmissionStart), "the submission window opens"
	case campaign.StateREVIEW:
		return deref(c.SubmissionEnd), "the submission deadline passes"
	case campaign.StateRANKED:
		return deref(c.ReviewEnd), "the review window ends"
	case campaign.StatePUBLICITY:
		return deref(c.PublicityStart), "the publicity window opens"
	case campaign.StateCLOSED:
		return deref(c.PublicityEnd), "the publicity window ends"
	}
	return time.Time{}, ""
}

// TransitionCampaign moves a campaign one phase on.
func (s *Server) TransitionCampaign(ctx context.Context, req *standardsv1.TransitionCampaignRequest) (*standardsv1.Campaign, error) {
	to := campaign.State(strings.TrimPrefix(req.GetTo().String(), "CAMPAIGN_STATE_"))
	if req.GetTo() == standardsv1.CampaignState_CAMPAIGN_STATE_UNSPECIFIED || to == campaign.StateDRAFT {
		return nil, errs.Invalid("to", "name the phase to move to", "请指定目标阶段")
	}
	if req.GetForce() && strings.TrimSpace(req.GetReason()) == "" {
		return nil, errs.Invalid("reason", "a forced move needs a reason", "强制推进须说明理由")
	}
	doc := strings.TrimSpace(req.GetDocumentNumber())
	c, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Campaign]{
		Resource: "campaign", Etag: req.GetEtag(),
		Get:     getCampaign(req.GetCampaignId()),
		Version: campaignVersion,
		Allow:   func(cur *ent.Campaign) error { return mayWrite(ctx, cur.OfficeID) },
		Apply: func(tx *ent.Tx, cur *ent.Campaign) (*ent.Campaign, error) {
			from := 0
			for i, p := range phases {
				if p == cur.State {
					from = i
				}
			}
			if from+1 >= len(phases) || phases[from+1] != to {
				next := "none: the campaign is closed"
				if from+1 < len(phases) {
					next = string(phases[from+1])
				}
				return nil, errs.New(codes.FailedPrecondition, "CAMPAIGN_WRONG_ORDER",
					"the campaign is "+string(cur.State)+"; the next phase is "+next+", not "+string(to),
					"该创建周期处于 "+string(cur.State)+" 阶段，下一阶段为 "+next+"，不能直接进入 "+string(to))
			}
			if at, what := opens(cur, to); s.now().Before(at) && !req.GetForce() {
				return nil, errs.New(codes.FailedPrecondition, "CAMPAIGN_TOO_EARLY",
					"too early for "+string(to)+": wait until "+what+" ("+at.Format(time.RFC3339)+"), or force it with a reason",
					"尚不能进入 "+string(to)+" 阶段：须等到 "+at.Format(time.RFC3339)+"，或填写理由后强制推进")
			}
			if to == campaign.StateCLOSED && cur.Kind == campaign.KindSELECTION && doc == "" {
				return nil, errs.Invalid("document_number", "closing names the units on the publicity list: give the naming document's number",
					"结束创建周期即命名公示名单上的单位：请填写命名文件文号")
			}
			if s.phase != nil {
				m := Move{To: to, Force: req.GetForce(), Reason: strings.TrimSpace(req.GetReason()), DocumentNumber: doc}
				if err := s.phase(ctx, tx, cur, m); err != nil {
					return nil, err
				}
			}
			return tx.Campaign.UpdateOneID(cur.ID).Where(campaign.Version(cur.Version)).AddVersion(1).SetState(to).Save(ctx)
		},
		// The audit keeps the move as asked, force and reason included.
		Audit: func(cur, _ *ent.Campaign) (audit.Event, error) {
			return campaignEvent("campaign.transition", cur, req), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return campaignToProto(c), nil
}

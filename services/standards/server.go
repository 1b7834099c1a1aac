// Package standards is the standards service: scoring standards (versioned indicator trees,
// drafted, published, retired) and the campaigns that pin them.
package standards

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
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
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Server implements the standards service.
type Server struct {
	standardsv1.UnimplementedStandardsServiceServer

	st    *store.Store
	pages *pagetoken.Codec
	// w runs every change: the transaction, the checks and the audit event (mutate).
	w   *mutate.Writer
	now func() time.Time
	// phase does what moving a campaign into a phase does besides the move.
	phase PhaseFunc
}

// Move is a campaign's move into its next phase, as asked.
type Move struct {
	To                     campaign.State
	Force                  bool
	Reason, DocumentNumber string
}

// PhaseFunc is what moving a campaign into a phase does besides the move, in the move's
// transaction: the review service's recommendation (RANKED), publicity list (PUBLICITY) and
// naming (CLOSED), docs/review.md and docs/publicity.md. c is the campaign before the move.
// It lives with the review service, which reads this package, hence a function given in.
type PhaseFunc func(ctx context.Context, tx *ent.Tx, c *ent.Campaign, m Move) error

var _ standardsv1.StandardsServiceServer = (*Server)(nil)

// NewServer returns the standards server; trail records its changes (docs/audit.md), phase
// runs with every move of a campaign (nil: nothing but the move).
func NewServer(st *store.Store, pages *pagetoken.Codec, trail *audit.Chain, phase PhaseFunc) *Server {
	return &Server{st: st, pages: pages, w: mutate.NewWriter(st, trail), now: time.Now, phase: phase}
}

// mayWrite is the object check of every standards write: the caller administers the
// office that owns the row. Offices below and above read published standards and open
// campaigns; they never change them.
func mayWrite(ctx context.Context, officeID string) error {
	if !viewer.FromContext(ctx).OfficeAdmin(officeID) {
		return errs.ErrPermissionDenied
	}
	return nil
}

// errNotDraft refuses a change to a published or retired standard.
var errNotDraft = errs.New(codes.FailedPrecondition, "STANDARD_NOT_DRAFT",
	"a published standard is immutable: create a new version (:newVersion) to change it",
	"已发布的测评体系不可修改：请创建新版本（:newVersion）后再修改")

// invalidStandard lists a standard's problems as field violations.
func invalidStandard(ps []*standardsv1.Problem) error {
	e := errs.New(codes.InvalidArgument, "STANDARD_INVALID", "the standard has problems", "测评体系存在问题")
	for _, p := range ps {
		name := "standard." + p.GetField()
		desc := p.GetMessage()
		if p.GetIndicatorCode() != "" {
			desc = "indicator " + p.GetIndicatorCode() + ": " + desc
		}
		e.Fields = append(e.Fields, errs.Field{Name: name, EN: desc, ZH: desc})
	}
	return e
}

func standardToProto(r *ent.Standard) (*standardsv1.Standard, error) {
	inds, err := decodeIndicators(r.Indicators)
	if err != nil {
		return nil, err
	}
	out := &standardsv1.Standard{
		Id: r.ID, OfficeId: r.OfficeID, Code: r.Code, DisplayName: r.DisplayName, Version: int32(r.Number),
		State:       standardsv1.StandardState(standardsv1.StandardState_value["STANDARD_STATE_"+string(r.State)]),
		BasePoints:  scoring.Points(r.BasePoints).String(),
		BonusCap:    scoring.Points(r.BonusCap).String(),
		Aggregation: standardsv1.Aggregation(standardsv1.Aggregation_value["AGGREGATION_"+string(r.Aggregation)]),
		ContentHash: r.ContentHash, Indicators: inds, Etag: resource.Etag(r.Version),
		CreateTime: timestamppb.New(r.CreateTime), UpdateTime: timestamppb.New(r.UpdateTime),
	}
	for _, g := range []string{"A", "B", "C", "D", "E", "F"} {
		if pct, ok := r.GradeScale[g]; ok {
			out.GradeScale = append(out.GradeScale, &standardsv1.Grade{Grade: g, Percent: int32(pct)})
		}
	}
	for g, pct := range r.GradeScale {
		if !strings.Contains("ABCDEF", g) || len(g) != 1 {
			out.GradeScale = append(out.GradeScale, &standardsv1.Grade{Grade: g, Percent: int32(pct)})
		}
	}
	if r.PublishTime != nil {
		out.PublishTime = timestamppb.New(*r.PublishTime)
	}
	return out, nil
}

func gradeScale(in []*standardsv1.Grade) map[string]int64 {
	if len(in) == 0 {
		return nil
	}
	m := map[string]int64{}
	for _, g := range in {
		m[g.GetGrade()] = int64(g.GetPercent())
	}
	return m
}

func aggregationOf(a standardsv1.Aggregation) standard.Aggregation {
	if a == standardsv1.Aggregation_AGGREGATION_UNSPECIFIED {
		return standard.AggregationMEAN
	}
	return standard.Aggregation(strings.TrimPrefix(a.String(), "AGGREGATION_"))
}

// pointsField parses a settings field for a draft: bad input is refused at once.
func pointsField(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	p, err := scoring.ParsePoints(s)
	if err != nil || p < 0 {
		return 0, errs.Invalid(field, "a non-negative number with at most two decimal places", "须为不超过两位小数的非负数")
	}
	return int64(p), nil
}

// officePath returns the scope path of an office the caller may see: its own office (also
// for unit users, whose scope is inside it) or one below.
func (s *Server) officePath(ctx context.Context, officeID string) (string, error) {
	v := viewer.FromContext(ctx)
	if officeID == v.OfficeID && v.ScopePath != "" {
		return v.OfficeScope(), nil
	}
	o, err := s.st.Client.Office.Get(ctx, officeID)
	if err != nil {
		return "", resource.NotFound(err, "office")
	}
	return o.ScopePath, nil
}

// Engine is the scoring engine's view of a stored standard, with the standard as the API
// shows it: what the review service scores a campaign by. A standard that fails its
// checks (never a published one) is an error.
func Engine(r *ent.Standard) (*scoring.Standard, *standardsv1.Standard, error) {
	std, err := standardToProto(r)
	if err != nil {
		return nil, nil, err
	}
	eng, problems, _ := Check(std)
	if len(problems) > 0 {
		return nil, nil, invalidStandard(problems)
	}
	return eng, std, nil
}

package review

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/assignment"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

func getSheet(id string) func(context.Context, *ent.Tx) (*ent.Assignment, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.Assignment, error) { return tx.Assignment.Get(ctx, id) }
}

func sheetVersion(a *ent.Assignment) int64 { return a.Version }

// sheetToProto is the API form of a score sheet.
func sheetToProto(a *ent.Assignment) *reviewv1.Assignment {
	out := &reviewv1.Assignment{
		Id: a.ID, CampaignId: a.CampaignID, ApplicationId: a.ApplicationID, UnitId: a.UnitID, ReviewerId: a.ReviewerID,
		State:  reviewv1.AssignmentState(reviewv1.AssignmentState_value["ASSIGNMENT_STATE_"+string(a.State)]),
		Reason: a.Reason, ReopenCount: int32(a.ReopenCount), Etag: resource.Etag(a.Version),
		CreateTime: timestamppb.New(a.CreateTime), UpdateTime: timestamppb.New(a.UpdateTime),
	}
	if a.FinalizeTime != nil {
		out.FinalizeTime = timestamppb.New(*a.FinalizeTime)
	}
	for _, sc := range a.Scores {
		out.Scores = append(out.Scores, &reviewv1.Score{
			IndicatorCode: sc.IndicatorCode, Points: sc.Points, Grade: sc.Grade, Value: sc.Value, Ticked: sc.Ticked,
			Occurrences: sc.Occurrences, Veto: sc.Veto, VetoReason: sc.VetoReason, Comment: sc.Comment,
		})
	}
	return out
}

// sheetEvent records a change of a sheet in its campaign office's chain.
func sheetEvent(action string) func(cur, next *ent.Assignment) (audit.Event, error) {
	return func(cur, next *ent.Assignment) (audit.Event, error) {
		return audit.Event{OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: action, ResourceType: "assignment",
			ResourceID: cur.ID, Before: sheetToProto(cur), After: sheetToProto(next)}, nil
	}
}

// oversees reports whether v reads every sheet it can reach, not only its own: the admins
// and viewers of an office (the store keeps them to their office's line).
func oversees(v *viewer.Viewer) bool {
	return v.PlatformAdmin() || v.UnitID == "" && v.Has(authzv1.Role_ROLE_OFFICE_ADMIN, authzv1.Role_ROLE_OFFICE_VIEWER)
}

// visible reports whether v may see sheet a: reviewers see their own sheets only, so one
// reviewer's marks never lead another's.
func visible(v *viewer.Viewer, a *ent.Assignment) bool {
	return a.ReviewerID == v.Subject || oversees(v)
}

// ownOpen is the check of a reviewer's write on their sheet: theirs, and still ASSIGNED.
func ownOpen(v *viewer.Viewer, a *ent.Assignment) error {
	switch {
	case !visible(v, a):
		return errs.NotFound("assignment")
	case a.ReviewerID != v.Subject:
		return errs.ErrPermissionDenied
	case a.State != assignment.StateASSIGNED:
		return sheetState(a, "change it", "修改")
	}
	return nil
}

func sheetState(a *ent.Assignment, en, zh string) error {
	return errs.New(codes.FailedPrecondition, "ASSIGNMENT_WRONG_STATE",
		"the score sheet is "+string(a.State)+": cannot "+en+" now", "评分表处于 "+string(a.State)+" 状态，现在不能"+zh)
}

// inReview refuses a review write outside the campaign's REVIEW phase: before it nothing is
// to be reviewed, after it the ranking stands.
func inReview(c *ent.Campaign) error {
	if c.State != campaign.StateREVIEW {
		return errs.New(codes.FailedPrecondition, "CAMPAIGN_NOT_IN_REVIEW",
			"the campaign is "+string(c.State)+": reviews are entered and changed only while it is in REVIEW",
			"创建周期处于 "+string(c.State)+" 阶段：仅在评审阶段可以录入和修改评审")
	}
	return nil
}

// underReview refuses a sheet write when the application is not under review.
func underReview(a *ent.Application) error {
	if !slices.Contains(reviewing, a.State) && a.State != application.StateSCORED && a.State != application.StateVETOED {
		return errs.New(codes.FailedPrecondition, "APPLICATION_WRONG_STATE",
			"the application is "+string(a.State)+": it is not under review", "申报处于 "+string(a.State)+" 状态，不在评审中")
	}
	return nil
}

// GetAssignment returns a score sheet.
func (s *Server) GetAssignment(ctx context.Context, req *reviewv1.GetAssignmentRequest) (*reviewv1.Assignment, error) {
	a, err := s.st.Client.Assignment.Get(ctx, req.GetAssignmentId())
	if err != nil {
		return nil, resource.NotFound(err, "assignment")
	}
	if !visible(viewer.FromContext(ctx), a) {
		return nil, errs.NotFound("assignment")
	}
	return sheetToProto(a), nil
}

// ListMyAssignments is the caller's review queue.
func (s *Server) ListMyAssignments(ctx context.Context, req *reviewv1.ListMyAssignmentsRequest) (*reviewv1.ListAssignmentsResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	filters := strings.Join([]string{"my-assignments", v.Subject, req.GetCampaignId(), req.GetState().String()}, "|")
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.Assignment.Query().Where(assignment.ReviewerID(v.Subject), assignment.IDGT(after))
	if id := req.GetCampaignId(); id != "" {
		q = q.Where(assignment.CampaignID(id))
	}
	if st := req.GetState(); st != reviewv1.AssignmentState_ASSIGNMENT_STATE_UNSPECIFIED {
		q = q.Where(assignment.StateEQ(assignment.State(strings.TrimPrefix(st.String(), "ASSIGNMENT_STATE_"))))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Asc(assignment.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(a *ent.Assignment) string { return a.ID })
	out := &reviewv1.ListAssignmentsResponse{NextPageToken: next}
	for _, a := range rows {
		out.Assignments = append(out.Assignments, sheetToProto(a))
	}
	return out, nil
}

// ListApplicationAssignments lists an application's sheets.
func (s *Server) ListApplicationAssignments(ctx context.Context, req *reviewv1.ListApplicationAssignmentsRequest) (*reviewv1.ListAssignmentsResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	if _, err := db.Application.Get(ctx, req.GetApplicationId()); err != nil {
		return nil, resource.NotFound(err, "application")
	}
	rows, err := db.Assignment.Query().Where(assignment.ApplicationID(req.GetApplicationId())).
		Order(ent.Asc(assignment.FieldID)).Limit(1000).All(ctx)
	if err != nil {
		return nil, err
	}
	out := &reviewv1.ListAssignmentsResponse{}
	for _, a := range rows {
		if visible(v, a) {
			out.Assignments = append(out.Assignments, sheetToProto(a))
		}
	}
	return out, nil
}

// SaveScores enters or changes scores on the caller's sheet.
func (s *Server) SaveScores(ctx context.Context, req *reviewv1.SaveScoresRequest) (*reviewv1.Assignment, error) {
	v := viewer.FromContext(ctx)
	a, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Assignment]{
		Resource: "assignment", Etag: req.GetEtag(),
		Get: getSheet(req.GetAssignmentId()), Version: sheetVersion,
		Allow: func(cur *ent.Assignment) error { return ownOpen(v, cur) },
		Apply: func(tx *ent.Tx, cur *ent.Assignment) (*ent.Assignment, error) {
			rv, app, err := s.sheetContext(ctx, tx, cur)
			if err != nil {
				return nil, err
			}
			if err := underReview(app); err != nil {
				return nil, err
			}
			entries, err := parseScores(rv.plan, req.GetScores())
			if err != nil {
				return nil, err
			}
			return tx.Assignment.UpdateOneID(cur.ID).Where(assignment.Version(cur.Version)).AddVersion(1).
				SetScores(merge(cur.Scores, entries, rv.plan.order)).Save(ctx)
		},
		Audit: sheetEvent("assignment.save_scores"),
	})
	if err != nil {
		return nil, err
	}
	return sheetToProto(a), nil
}

// sheetContext loads what a write on sheet cur needs, after taking the lock of its campaign
// office's audit chain, which keeps the writes that settle one application in order: the
// campaign (in REVIEW) and its plan, and the application.
func (s *Server) sheetContext(ctx context.Context, tx *ent.Tx, cur *ent.Assignment) (*review, *ent.Application, error) {
	if err := s.w.Lock(ctx, tx, cur.OfficeID); err != nil {
		return nil, nil, err
	}
	rv, err := s.load(ctx, tx.Client(), cur.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	if err := inReview(rv.campaign); err != nil {
		return nil, nil, err
	}
	app, err := tx.Application.Get(store.System(ctx), cur.ApplicationID)
	if err != nil {
		return nil, nil, err
	}
	return rv, app, nil
}

// merge replaces the entries of old on the indicators in changed, keeping the rest, in
// standard order.
func merge(old, changed []scoreEntry, order map[string]int) []scoreEntry {
	out := slices.Clone(changed)
	for _, e := range old {
		if !slices.ContainsFunc(changed, func(c scoreEntry) bool { return c.IndicatorCode == e.IndicatorCode }) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b scoreEntry) int { return order[a.IndicatorCode] - order[b.IndicatorCode] })
	return out
}

// parseScores checks each entry against its indicator's kind and range, as the engine will
// judge it, and returns them as stored. Every problem is reported, each naming scores[i],
// its field and the indicator.
func parseScores(p *plan, in []*reviewv1.Score) ([]scoreEntry, error) {
	var bad *errs.Error
	fail := func(field, code, en, zh string) {
		en, zh = "indicator "+code+": "+en, "指标 "+code+"："+zh
		if bad == nil {
			bad = errs.Invalid(field, en, zh)
		} else {
			bad = bad.WithField(field, en, zh)
		}
	}
	seen := map[string]bool{}
	var out []scoreEntry
	for i, sc := range in {
		at := fmt.Sprintf("scores[%d].", i)
		code := sc.GetIndicatorCode()
		ind := p.byCode[code]
		switch {
		case ind == nil:
			fail(at+"indicator_code", code, "the campaign's standard has no such indicator", "本创建周期的测评细则中没有该指标")
			continue
		case ind.Kind == scoring.KindGroup:
			fail(at+"indicator_code", code, "is a group: score its leaves", "为分类指标，请对其下级指标评分")
			continue
		case seen[code]:
			fail(at+"indicator_code", code, "appears twice", "重复出现")
			continue
		}
		seen[code] = true
		e, field, en, zh := entry(p.std, ind, sc)
		if field != "" {
			fail(at+field, code, en, zh)
			continue
		}
		out = append(out, e)
	}
	if bad != nil {
		return nil, bad
	}
	return out, nil
}

// kindFields names the one Score field each kind of leaf takes (VETO takes veto and its
// reason; CHECKLIST may tick nothing; DEDUCTION counts from 0).
var kindFields = map[scoring.Kind]string{
	scoring.KindPoints: "points", scoring.KindBonus: "points", scoring.KindGrade: "grade",
	scoring.KindThreshold: "value", scoring.KindLinear: "value", scoring.KindChecklist: "ticked",
	scoring.KindDeduction: "occurrences", scoring.KindVeto: "veto",
}

// entry turns one Score into its stored form, or names the field that does not fit ind.
func entry(std *scoring.Standard, ind *scoring.Indicator, sc *reviewv1.Score) (e scoreEntry, field, en, zh string) {
	want := kindFields[ind.Kind]
	given := map[string]bool{
		"points": sc.GetPoints() != "", "grade": sc.GetGrade() != "", "value": sc.GetValue() != "",
		"ticked": len(sc.GetTicked()) > 0, "occurrences": sc.GetOccurrences() != 0,
		"veto": sc.GetVeto(), "veto_reason": sc.GetVetoReason() != "",
	}
	for _, f := range []string{"points", "grade", "value", "ticked", "occurrences", "veto", "veto_reason"} {
		if given[f] && f != want && !(f == "veto_reason" && want == "veto") {
			return e, f, "a " + ind.Kind.String() + " indicator takes " + want + ", not " + f,
				ind.Kind.String() + " 类指标应填写 " + want + "，不接受 " + f
		}
	}
	e = scoreEntry{IndicatorCode: ind.Code, Grade: sc.GetGrade(), Ticked: sc.GetTicked(), Occurrences: sc.GetOccurrences(),
		Veto: sc.GetVeto(), VetoReason: strings.TrimSpace(sc.GetVetoReason()), Comment: sc.GetComment()}
	in := scoring.Input{Grade: e.Grade, Ticked: e.Ticked, Count: e.Occurrences}
	switch want {
	case "points", "value", "grade":
		if !given[want] {
			return e, want, "a " + ind.Kind.String() + " indicator needs " + want, ind.Kind.String() + " 类指标须填写 " + want
		}
	case "veto":
		if e.Veto && e.VetoReason == "" {
			return e, "veto_reason", "a proposed veto needs its reason", "提议否决须说明理由"
		}
	}
	var err error
	switch want {
	case "points":
		if in.Points, err = scoring.ParsePoints(sc.GetPoints()); err == nil {
			e.Points = in.Points.String()
		}
	case "value":
		if in.Value, err = scoring.ParsePoints(sc.GetValue()); err == nil {
			e.Value = in.Value.String()
		}
	}
	if err != nil {
		return e, want, "is not a decimal with at most two places", "须为最多两位小数的数字"
	}
	if err := std.CheckInput(ind, in); err != nil {
		problem := err.Error()
		if ie, ok := err.(*scoring.InputError); ok {
			problem = ie.Problem
		}
		return e, want, problem, "超出该指标允许的范围（" + problem + "）"
	}
	return e, "", "", ""
}

// FinalizeAssignment closes the caller's sheet and, when it is the application's last,
// settles the result.
func (s *Server) FinalizeAssignment(ctx context.Context, req *reviewv1.FinalizeAssignmentRequest) (*reviewv1.Assignment, error) {
	v := viewer.FromContext(ctx)
	a, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Assignment]{
		Resource: "assignment", Etag: req.GetEtag(),
		Get: getSheet(req.GetAssignmentId()), Version: sheetVersion,
		Allow: func(cur *ent.Assignment) error { return ownOpen(v, cur) },
		Apply: func(tx *ent.Tx, cur *ent.Assignment) (*ent.Assignment, error) {
			rv, app, err := s.sheetContext(ctx, tx, cur)
			if err != nil {
				return nil, err
			}
			if err := underReview(app); err != nil {
				return nil, err
			}
			h, err := s.holds(store.System(ctx), tx.Client(), app.ID, rv)
			if err != nil {
				return nil, err
			}
			if waiting := h.waiting; len(waiting) > 0 {
				return nil, errs.New(codes.FailedPrecondition, "AWAITING_RESUBMISSION",
					"returned evidence is due back from the unit ("+strings.Join(waiting, ", ")+"): finalize after it is resubmitted or its due time passes",
					"退回的材料尚待单位重新报送（"+strings.Join(waiting, "、")+"）：请在重新报送或逾期后再提交评分")
			}
			var missing []errs.Precondition
			for _, l := range rv.plan.leaves {
				has := slices.ContainsFunc(cur.Scores, func(e scoreEntry) bool { return e.IndicatorCode == l.Code })
				if _, zeroed := h.zeroed[l.Code]; l.Kind != scoring.KindVeto && !has && !zeroed {
					missing = append(missing, errs.Precondition{Type: "SCORE", Subject: l.Code,
						EN: "indicator " + l.Code + " has no score", ZH: "指标 " + l.Code + " 未评分"})
				}
			}
			if len(missing) > 0 {
				subjects := make([]string, len(missing))
				for i, m := range missing {
					subjects[i] = m.Subject
				}
				e := errs.New(codes.FailedPrecondition, "SHEET_INCOMPLETE",
					fmt.Sprintf("%d indicators have no score yet: %s", len(missing), strings.Join(subjects, ", ")),
					fmt.Sprintf("还有 %d 项指标未评分：%s", len(missing), strings.Join(subjects, "、")))
				e.Preconditions = missing
				return nil, e
			}
			next, err := tx.Assignment.UpdateOneID(cur.ID).Where(assignment.Version(cur.Version)).AddVersion(1).
				SetState(assignment.StateFINALIZED).SetFinalizeTime(s.now()).Save(ctx)
			if err != nil {
				return nil, err
			}
			if _, err := s.settle(ctx, tx, app.ID, app, rv, h); err != nil {
				return nil, err
			}
			return next, nil
		},
		Audit: sheetEvent("assignment.finalize"),
	})
	if err != nil {
		return nil, err
	}
	return sheetToProto(a), nil
}

// ReopenAssignment reopens a finalized sheet, with a reason.
func (s *Server) ReopenAssignment(ctx context.Context, req *reviewv1.ReopenAssignmentRequest) (*reviewv1.Assignment, error) {
	v := viewer.FromContext(ctx)
	reason := strings.TrimSpace(req.GetReason())
	a, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Assignment]{
		Resource: "assignment", Etag: req.GetEtag(),
		Get: getSheet(req.GetAssignmentId()), Version: sheetVersion,
		Allow: func(cur *ent.Assignment) error {
			if !v.OfficeAdmin(cur.OfficeID) {
				return errs.ErrPermissionDenied
			}
			if cur.State != assignment.StateFINALIZED {
				return sheetState(cur, "reopen it", "重新打开")
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.Assignment) (*ent.Assignment, error) {
			rv, app, err := s.sheetContext(ctx, tx, cur)
			if err != nil {
				return nil, err
			}
			next, err := tx.Assignment.UpdateOneID(cur.ID).Where(assignment.Version(cur.Version)).AddVersion(1).
				SetState(assignment.StateASSIGNED).ClearFinalizeTime().SetReason(reason).AddReopenCount(1).Save(ctx)
			if err != nil {
				return nil, err
			}
			if _, err := s.settle(ctx, tx, app.ID, app, rv, nil); err != nil {
				return nil, err
			}
			return next, nil
		},
		Audit: sheetEvent("assignment.reopen"),
	})
	if err != nil {
		return nil, err
	}
	return sheetToProto(a), nil
}

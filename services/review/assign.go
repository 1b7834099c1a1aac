package review

import (
	"cmp"
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
	"github.com/wenming-platform/wenming/ent/conflict"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// reviewers are the enabled REVIEWER users of an office, by id, read as the system: the
// office's admin assigns them whether or not it may list users itself.
func reviewers(ctx context.Context, tx *ent.Tx, officeID string) (map[string]*ent.User, error) {
	users, err := tx.User.Query().Where(user.OfficeID(officeID), user.Disabled(false), user.UnitIDIsNil()).All(store.System(ctx))
	if err != nil {
		return nil, err
	}
	out := map[string]*ent.User{}
	for _, u := range users {
		if slices.Contains(u.Roles, authzv1.Role_ROLE_OFFICE_REVIEWER.String()) {
			out[u.ID] = u
		}
	}
	return out, nil
}

// conflicted returns each reviewer's declared conflicts, as sets of unit ids.
func conflicted(ctx context.Context, tx *ent.Tx, ids []string) (map[string]map[string]bool, error) {
	rows, err := tx.Conflict.Query().Where(conflict.ReviewerIDIn(ids...)).All(store.System(ctx))
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	for _, c := range rows {
		if out[c.ReviewerID] == nil {
			out[c.ReviewerID] = map[string]bool{}
		}
		out[c.ReviewerID][c.UnitID] = true
	}
	return out, nil
}

// AssignReviewers gives the campaign's applications their reviewers.
func (s *Server) AssignReviewers(ctx context.Context, req *reviewv1.AssignReviewersRequest) (*reviewv1.AssignReviewersResponse, error) {
	v := viewer.FromContext(ctx)
	resp := &reviewv1.AssignReviewersResponse{}
	err := s.st.Tx(ctx, func(tx *ent.Tx) error {
		c, err := tx.Campaign.Get(ctx, req.GetCampaignId())
		if err != nil {
			return resource.NotFound(err, "campaign")
		}
		if !v.OfficeAdmin(c.OfficeID) {
			return errs.ErrPermissionDenied
		}
		if err := s.w.Lock(ctx, tx, c.OfficeID); err != nil {
			return err
		}
		if err := inReview(c); err != nil {
			return err
		}
		sys := store.System(ctx)
		pool, err := reviewers(ctx, tx, c.OfficeID)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(pool))
		for id := range pool {
			ids = append(ids, id)
		}
		conflicts, err := conflicted(ctx, tx, ids)
		if err != nil {
			return err
		}
		sheets, err := tx.Assignment.Query().Where(assignment.CampaignID(c.ID)).All(sys)
		if err != nil {
			return err
		}
		load := map[string]int{}
		for _, id := range ids {
			load[id] = 0
		}
		had := map[string]map[string]bool{} // application → every reviewer it ever had
		active := map[string]int{}          // application → sheets not withdrawn
		for _, sh := range sheets {
			if had[sh.ApplicationID] == nil {
				had[sh.ApplicationID] = map[string]bool{}
			}
			had[sh.ApplicationID][sh.ReviewerID] = true
			if sh.State != assignment.StateWITHDRAWN {
				active[sh.ApplicationID]++
				if _, ok := load[sh.ReviewerID]; ok {
					load[sh.ReviewerID]++
				}
			}
		}
		apps, err := tx.Application.Query().Where(application.CampaignID(c.ID),
			application.StateIn(append([]application.State{application.StateSUBMITTED}, reviewing...)...)).
			Order(ent.Asc(application.FieldID)).All(sys)
		if err != nil {
			return err
		}
		want := c.ReviewersPerApplication
		var creates []*ent.AssignmentCreate
		var short []errs.Precondition
		type given struct {
			app    *ent.Application
			sheets []*reviewv1.Assignment
		}
		var done []given
		for _, a := range apps {
			need := want - active[a.ID]
			if need <= 0 {
				continue
			}
			var candidates []string
			for _, id := range ids {
				if !had[a.ID][id] && !conflicts[id][a.UnitID] {
					candidates = append(candidates, id)
				}
			}
			// Least loaded first; among equals the lower id, so the same data always gives
			// the same assignment.
			slices.SortFunc(candidates, func(x, y string) int { return cmp.Or(cmp.Compare(load[x], load[y]), cmp.Compare(x, y)) })
			if len(candidates) < need {
				short = append(short, errs.Precondition{Type: "REVIEWERS", Subject: a.ID,
					EN: fmt.Sprintf("application %s needs %d more reviewers; %d are free of conflicts", a.ID, need, len(candidates)),
					ZH: fmt.Sprintf("申报 %s 还需 %d 名评审员，无利益冲突的仅 %d 名", a.ID, need, len(candidates))})
				continue
			}
			g := given{app: a}
			for _, id := range candidates[:need] {
				load[id]++
				sheet := resource.NewID()
				g.sheets = append(g.sheets, &reviewv1.Assignment{Id: sheet, CampaignId: c.ID, ApplicationId: a.ID, UnitId: a.UnitID,
					ReviewerId: id, State: reviewv1.AssignmentState_ASSIGNMENT_STATE_ASSIGNED})
				creates = append(creates, tx.Assignment.Create().SetID(sheet).SetOfficeID(c.OfficeID).SetScopePath(c.ScopePath).
					SetCampaignID(c.ID).SetApplicationID(a.ID).SetUnitID(a.UnitID).SetReviewerID(id))
			}
			done = append(done, g)
		}
		if len(short) > 0 {
			e := errs.New(codes.FailedPrecondition, "NOT_ENOUGH_REVIEWERS",
				fmt.Sprintf("%d applications cannot get %d reviewers free of conflicts: add REVIEWER users to the office (see the details)", len(short), want),
				fmt.Sprintf("有 %d 份申报无法分配到 %d 名无利益冲突的评审员：请为本文明办增加评审员（详见说明）", len(short), want))
			e.Preconditions = short
			return e
		}
		for chunk := range slices.Chunk(creates, 500) {
			if err := tx.Assignment.CreateBulk(chunk...).Exec(ctx); err != nil {
				return err
			}
		}
		var moved []string
		for _, g := range done {
			if g.app.State == application.StateSUBMITTED {
				moved = append(moved, g.app.ID)
			}
		}
		for chunk := range slices.Chunk(moved, 500) {
			if err := tx.Application.Update().Where(application.IDIn(chunk...), application.StateEQ(application.StateSUBMITTED)).
				AddVersion(1).SetState(application.StateIN_REVIEW).Exec(ctx); err != nil {
				return err
			}
		}
		for _, g := range done {
			if err := s.w.Record(ctx, tx, audit.Event{OfficeID: c.OfficeID, ScopePath: g.app.ScopePath, Action: "application.assign_reviewers",
				ResourceType: "application", ResourceID: g.app.ID,
				After: &reviewv1.ListAssignmentsResponse{Assignments: g.sheets}}); err != nil {
				return err
			}
		}
		resp.Applications, resp.Assignments = int32(len(moved)), int32(len(creates))
		for _, id := range ids {
			resp.Loads = append(resp.Loads, &reviewv1.ReviewerLoad{ReviewerId: id, Assignments: int32(load[id])})
		}
		slices.SortFunc(resp.Loads, func(x, y *reviewv1.ReviewerLoad) int {
			return cmp.Or(cmp.Compare(x.GetAssignments(), y.GetAssignments()), cmp.Compare(x.GetReviewerId(), y.GetReviewerId()))
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// ReassignReviewer gives an open sheet's application to another reviewer.
func (s *Server) ReassignReviewer(ctx context.Context, req *reviewv1.ReassignReviewerRequest) (*reviewv1.Assignment, error) {
	v := viewer.FromContext(ctx)
	reason := strings.TrimSpace(req.GetReason())
	var created *ent.Assignment
	_, err := mutate.Update(ctx, s.w, mutate.Change[*ent.Assignment]{
		Resource: "assignment", Etag: req.GetEtag(),
		Get: getSheet(req.GetAssignmentId()), Version: sheetVersion,
		Allow: func(cur *ent.Assignment) error {
			if !v.OfficeAdmin(cur.OfficeID) {
				return errs.ErrPermissionDenied
			}
			if cur.State != assignment.StateASSIGNED {
				return sheetState(cur, "reassign it (reopen a finalized sheet first)", "改派（已提交的评分表须先重新打开）")
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.Assignment) (*ent.Assignment, error) {
			if _, _, err := s.sheetContext(ctx, tx, cur); err != nil {
				return nil, err
			}
			to := req.GetReviewerId()
			pool, err := reviewers(ctx, tx, cur.OfficeID)
			if err != nil {
				return nil, err
			}
			if pool[to] == nil {
				return nil, errs.Invalid("reviewer_id", "is not an enabled REVIEWER of the campaign's office", "不是本文明办已启用的评审员")
			}
			conflicts, err := conflicted(ctx, tx, []string{to})
			if err != nil {
				return nil, err
			}
			if conflicts[to][cur.UnitID] {
				return nil, errs.Invalid("reviewer_id", "declared a conflict of interest with the unit", "已声明与该单位存在利益冲突")
			}
			taken, err := tx.Assignment.Query().Where(assignment.ApplicationID(cur.ApplicationID), assignment.ReviewerID(to),
				assignment.StateNEQ(assignment.StateWITHDRAWN)).Exist(store.System(ctx))
			if err != nil {
				return nil, err
			}
			if taken {
				return nil, errs.Invalid("reviewer_id", "already reviews this application", "已在评审该申报")
			}
			next, err := tx.Assignment.UpdateOneID(cur.ID).Where(assignment.Version(cur.Version)).AddVersion(1).
				SetState(assignment.StateWITHDRAWN).SetReason(reason).Save(ctx)
			if err != nil {
				return nil, err
			}
			created, err = tx.Assignment.Create().SetID(resource.NewID()).SetOfficeID(cur.OfficeID).SetScopePath(cur.ScopePath).
				SetCampaignID(cur.CampaignID).SetApplicationID(cur.ApplicationID).SetUnitID(cur.UnitID).SetReviewerID(to).Save(ctx)
			if err != nil {
				return nil, err
			}
			return next, nil
		},
		Audit: func(cur, _ *ent.Assignment) (audit.Event, error) {
			return audit.Event{OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: "assignment.reassign", ResourceType: "assignment",
				ResourceID: cur.ID, Before: sheetToProto(cur), After: sheetToProto(created)}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return sheetToProto(created), nil
}

func conflictToProto(c *ent.Conflict) *reviewv1.Conflict {
	return &reviewv1.Conflict{Id: c.ID, ReviewerId: c.ReviewerID, UnitId: c.UnitID, Reason: c.Reason, CreateTime: timestamppb.New(c.CreateTime)}
}

// CreateConflict declares the caller's conflict of interest with a unit.
func (s *Server) CreateConflict(ctx context.Context, req *reviewv1.CreateConflictRequest) (*reviewv1.Conflict, error) {
	v := viewer.FromContext(ctx)
	in := req.GetConflict()
	c, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Unit, *ent.Conflict]{
		Parent:    "unit",
		GetParent: func(ctx context.Context, tx *ent.Tx) (*ent.Unit, error) { return tx.Unit.Get(ctx, in.GetUnitId()) },
		Allow: func(*ent.Unit) error {
			if v.UnitID != "" || !v.Has(authzv1.Role_ROLE_OFFICE_REVIEWER) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Save: func(tx *ent.Tx, u *ent.Unit) (*ent.Conflict, error) {
			if err := s.w.Lock(ctx, tx, v.OfficeID); err != nil {
				return nil, err
			}
			dup, err := tx.Conflict.Query().Where(conflict.ReviewerID(v.Subject), conflict.UnitID(u.ID)).Exist(ctx)
			if err != nil {
				return nil, err
			}
			if dup {
				return nil, errs.New(codes.AlreadyExists, "CONFLICT_EXISTS",
					"you declared a conflict with this unit already", "您已声明与该单位存在利益冲突")
			}
			c, err := tx.Conflict.Create().SetID(resource.NewID()).SetOfficeID(v.OfficeID).SetScopePath(v.ScopePath).
				SetReviewerID(v.Subject).SetUnitID(u.ID).SetReason(strings.TrimSpace(in.GetReason())).SetCreateTime(s.now()).Save(ctx)
			if err != nil {
				return nil, err
			}
			// The reviewer's open sheets on the unit are withdrawn, each recorded, for the
			// office to assign again; finalized ones stay until an admin reopens them.
			open, err := tx.Assignment.Query().Where(assignment.ReviewerID(v.Subject), assignment.UnitID(u.ID),
				assignment.StateEQ(assignment.StateASSIGNED)).All(ctx)
			if err != nil {
				return nil, err
			}
			for _, sh := range open {
				next, err := tx.Assignment.UpdateOneID(sh.ID).Where(assignment.Version(sh.Version)).AddVersion(1).
					SetState(assignment.StateWITHDRAWN).SetReason("conflict of interest declared (声明回避): " + c.Reason).Save(ctx)
				if err != nil {
					return nil, err
				}
				e, _ := sheetEvent("assignment.withdraw")(sh, next)
				if err := s.w.Record(ctx, tx, e); err != nil {
					return nil, err
				}
			}
			return c, nil
		},
		Audit: func(_ *ent.Unit, c *ent.Conflict) (audit.Event, error) {
			return audit.Event{OfficeID: c.OfficeID, ScopePath: c.ScopePath, Action: "conflict.create", ResourceType: "conflict",
				ResourceID: c.ID, After: conflictToProto(c)}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return conflictToProto(c), nil
}

// ListMyConflicts lists the caller's declared conflicts, oldest first.
func (s *Server) ListMyConflicts(ctx context.Context, _ *reviewv1.ListMyConflictsRequest) (*reviewv1.ListConflictsResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	rows, err := db.Conflict.Query().Where(conflict.ReviewerID(v.Subject)).Order(ent.Asc(conflict.FieldID)).Limit(5000).All(ctx)
	if err != nil {
		return nil, err
	}
	out := &reviewv1.ListConflictsResponse{}
	for _, c := range rows {
		out.Conflicts = append(out.Conflicts, conflictToProto(c))
	}
	return out, nil
}

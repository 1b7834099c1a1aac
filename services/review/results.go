package review

import (
	"context"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/assignment"
	"github.com/wenming-platform/wenming/ent/campaign"
	entevidence "github.com/wenming-platform/wenming/ent/evidence"
	"github.com/wenming-platform/wenming/ent/evidencerevision"
	"github.com/wenming-platform/wenming/ent/negativelistentry"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/spotcheck"
	"github.com/wenming-platform/wenming/ent/vetodecision"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/outbox"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// reviewing are the states in which an application's sheets are open to reviewers.
var reviewing = []application.State{application.StateIN_REVIEW, application.StateRETURNED, application.StateRESUBMITTED}

// scored are the states settle moves an application between as its result comes and goes.
var scored = map[application.State]bool{
	application.StateIN_REVIEW: true, application.StateRETURNED: true, application.StateRESUBMITTED: true,
	application.StateSCORED: true, application.StateVETOED: true,
}

// settle brings application appID's result up to date within tx, after a write it depends
// on. known is the application when the caller has read it in tx after the campaign
// office's lock, h its hold when the caller has read that: either may be nil. The result exists while the application has its campaign's number of sheets and every
// one is finalized; then it is computed by the engine from those sheets, the veto decisions,
// the unit's negative list, the returned and spot-checked evidence, and stored with its
// ranking sort key, and the application is SCORED or VETOED. Otherwise any result is removed
// and a scored application goes back to IN_REVIEW. It reads and writes as the system: the
// caller has authorised the write that made the result change, and the result is derived
// from rows that write's caller may not all read (another office's spot check). The caller
// holds the lock of the campaign office's audit chain, so settles of one application never
// interleave.
func (s *Server) settle(ctx context.Context, tx *ent.Tx, appID string, known *ent.Application, rv *review, h *hold) (*ent.Result, error) {
	sys := store.System(ctx)
	a := known
	if a == nil {
		var err error
		if a, err = tx.Application.Get(sys, appID); err != nil {
			return nil, err
		}
	}
	sheets, err := tx.Assignment.Query().Where(assignment.ApplicationID(a.ID), assignment.StateNEQ(assignment.StateWITHDRAWN)).
		Order(ent.Asc(assignment.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	ready := len(sheets) >= rv.campaign.ReviewersPerApplication
	for _, sh := range sheets {
		ready = ready && sh.State == assignment.StateFINALIZED
	}
	if !ready {
		if _, err := tx.Result.Delete().Where(result.ID(a.ID)).Exec(sys); err != nil {
			return nil, err
		}
		if rv.campaign.State == campaign.StateREVIEW && (a.State == application.StateSCORED || a.State == application.StateVETOED) {
			return nil, tx.Application.UpdateOneID(a.ID).AddVersion(1).SetState(application.StateIN_REVIEW).Exec(sys)
		}
		return nil, nil
	}
	c, err := s.compute(sys, tx.Client(), a, rv, sheets, h)
	if err != nil {
		return nil, err
	}
	// The application moves between its review states only while the campaign is in REVIEW;
	// once ranked, its recommendation stands and a later change (a spot check, a negative-list
	// entry) moves only the result.
	state := string(a.State)
	if scored[a.State] && rv.campaign.State == campaign.StateREVIEW {
		state = string(application.StateSCORED)
		if c.res.Vetoed {
			state = string(application.StateVETOED)
		}
		if state != string(a.State) {
			if err := tx.Application.UpdateOneID(a.ID).AddVersion(1).SetState(application.State(state)).Exec(sys); err != nil {
				return nil, err
			}
			if err := outbox.Emit(ctx, tx, outbox.Event{Type: outbox.ApplicationScored, OfficeID: a.OfficeID, ScopePath: a.ScopePath,
				ResourceType: "application", ResourceID: a.ID,
				Data: &reviewv1.Result{ApplicationId: a.ID, CampaignId: a.CampaignID, UnitId: a.UnitID, State: state,
					Total: scoring.Points(c.res.Total).String(), Vetoed: c.res.Vetoed}}); err != nil {
				return nil, err
			}
		}
	}
	detail, err := proto.Marshal(c.detail)
	if err != nil {
		return nil, err
	}
	r := c.res
	// One statement whether the result is new or not: an insert, or on its id an update of
	// everything the computation gives, its version moved on.
	err = tx.Result.Create().SetID(a.ID).SetOfficeID(a.OfficeID).SetScopePath(a.ScopePath).
		SetCampaignID(a.CampaignID).SetUnitID(a.UnitID).SetUnitOfficeID(a.UnitOfficeID).SetUnitCategory(c.detail.GetUnitCategory()).
		SetUnitDisplayName(c.detail.GetUnitDisplayName()).SetTotal(int64(r.Total)).SetBase(int64(r.Base)).SetBonus(int64(r.Bonus)).
		SetDeductions(int64(r.Deductions)).SetVetoed(r.Vetoed).SetState(state).SetSortKey(c.key).SetSubmitTime(c.submit).SetDetail(detail).
		OnConflictColumns(result.FieldID).Update(func(u *ent.ResultUpsert) {
		u.AddVersion(1).UpdateUpdateTime().UpdateUnitCategory().UpdateUnitDisplayName().UpdateTotal().UpdateBase().UpdateBonus().
			UpdateDeductions().UpdateVetoed().UpdateState().UpdateSortKey().UpdateSubmitTime().UpdateDetail()
	}).Exec(sys)
	if err != nil {
		return nil, err
	}
	return &ent.Result{ID: a.ID, CampaignID: a.CampaignID, Total: int64(r.Total), State: state, SortKey: c.key}, nil
}

// computed is an application's result as the engine gives it, its API form and its
// ranking sort key.
type computed struct {
	res    *scoring.Result
	detail *reviewv1.Result
	key    []byte
	submit time.Time
}

// compute scores application a from its finalized sheets and everything else its result
// depends on (docs/review.md, Results). It only reads: settle stores what it returns, and
// the invariant test compares stored results with it.
func (s *Server) compute(sys context.Context, db *ent.Client, a *ent.Application, rv *review, sheets []*ent.Assignment, h *hold) (*computed, error) {
	in := &scoring.Application{Inputs: map[string][]scoring.Input{}, ConfirmedVetoes: map[string]bool{}}
	comments := map[string]map[string]string{} // code → reviewer → comment
	for _, sh := range sheets {
		for _, sc := range sh.Scores {
			ind := rv.plan.byCode[sc.IndicatorCode]
			if ind == nil {
				continue
			}
			in.Inputs[sc.IndicatorCode] = append(in.Inputs[sc.IndicatorCode], engineInput(ind, sh.ReviewerID, sc))
			if sc.Comment != "" {
				if comments[sc.IndicatorCode] == nil {
					comments[sc.IndicatorCode] = map[string]string{}
				}
				comments[sc.IndicatorCode][sh.ReviewerID] = sc.Comment
			}
		}
	}
	decisions, err := db.VetoDecision.Query().Where(vetodecision.ApplicationID(a.ID)).
		Order(ent.Asc(vetodecision.FieldCreateTime), ent.Asc(vetodecision.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	latest := map[string]*ent.VetoDecision{}
	for _, d := range decisions {
		latest[d.IndicatorCode] = d
		in.ConfirmedVetoes[d.IndicatorCode] = d.Confirmed
	}
	// The unit's negative list counts from the look-back before the end of the campaign's
	// year on, annulled entries never: the same data always gives the same result.
	since := time.Date(rv.campaign.Year+1, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -rv.campaign.LookbackMonths, 0)
	entries, err := db.NegativeListEntry.Query().Where(negativelistentry.UnitID(a.UnitID), negativelistentry.AnnulTimeIsNil(),
		negativelistentry.OccurredOnGTE(since)).Order(ent.Asc(negativelistentry.FieldOccurredOn), ent.Asc(negativelistentry.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		ne := scoring.NegativeEntry{Code: e.ID, Reason: "负面清单 " + e.Category + " " + e.OccurredOn.Format("2006-01-02") + "：" + e.Description}
		if e.Effect == negativelistentry.EffectDISQUALIFY {
			ne.Veto = true
		} else {
			ne.Deduction = scoring.Points(e.Points)
		}
		in.Negative = append(in.Negative, ne)
	}
	if h == nil {
		if h, err = s.holds(sys, db, a.ID, rv); err != nil {
			return nil, err
		}
	}
	in.Zeroed = h.zeroed
	res, err := scoring.Evaluate(rv.plan.std, in)
	if err != nil {
		return nil, err
	}
	if res.Incomplete {
		return nil, errs.New(codes.FailedPrecondition, "SHEETS_INCOMPLETE",
			"no reviewer entered "+strings.Join(res.Missing, ", "), "以下指标没有评审员录入分数："+strings.Join(res.Missing, "、"))
	}
	submit := time.Time{}
	if a.SubmitTime != nil {
		submit = *a.SubmitTime
	}
	// Only an application with resubmitted evidence has a final submission after its own.
	if h.resubmitted {
		last, err := db.EvidenceRevision.Query().Where(evidencerevision.ApplicationID(a.ID), evidencerevision.Resubmission(true)).
			Order(ent.Desc(evidencerevision.FieldSubmitTime)).First(sys)
		switch {
		case err == nil && last.SubmitTime.After(submit):
			submit = last.SubmitTime
		case err != nil && !ent.IsNotFound(err):
			return nil, err
		}
	}
	u, err := db.Unit.Get(sys, a.UnitID)
	if err != nil {
		return nil, err
	}
	detail, key := Stored(res, a, u.DisplayName, u.Category, submit, comments, latest)
	return &computed{res: res, detail: detail, key: key, submit: submit}, nil
}

// Stored is a result the engine computed as the review service stores it: its API form
// (without rank, state and compute time, which are read with it) and its ranking sort key.
// comments are each leaf's reviewers' comments, decided the latest veto decision of each
// VETO leaf; either may be nil. settle stores one result; the seed command loads many.
func Stored(res *scoring.Result, a *ent.Application, unitName, category string, submit time.Time,
	comments map[string]map[string]string, decided map[string]*ent.VetoDecision) (*reviewv1.Result, []byte) {
	detail := &reviewv1.Result{
		ApplicationId: a.ID, CampaignId: a.CampaignID, UnitId: a.UnitID, UnitDisplayName: unitName,
		UnitOfficeId: a.UnitOfficeID, UnitCategory: category,
		Total: res.Total.String(), Base: res.Base.String(), Bonus: res.Bonus.String(), Deductions: res.Deductions.String(),
		Vetoed: res.Vetoed, SubmitTime: timestamppb.New(submit), Explanation: explain(res.Explanation, comments),
	}
	for _, v := range res.Vetoes {
		pv := &reviewv1.Veto{Code: v.Code, Reasons: v.Reasons, ProposerIds: v.Proposers, Confirmed: v.Confirmed}
		if d := decided[v.Code]; d != nil {
			pv.Decided, pv.DecisionReason = true, d.Reason
		}
		detail.Vetoes = append(detail.Vetoes, pv)
	}
	return detail, sortKey(res, submit, a.UnitID)
}

// scoreEntry is a score as a sheet stores it.
type scoreEntry = jsonvalue.Score

// engineInput is a stored score as the engine takes it. Saving checked it against its
// indicator, so the decimals parse.
func engineInput(ind *scoring.Indicator, reviewer string, sc scoreEntry) scoring.Input {
	in := scoring.Input{Reviewer: reviewer, Grade: sc.Grade, Ticked: sc.Ticked, Count: sc.Occurrences, Veto: sc.Veto, Reason: sc.VetoReason}
	in.Points, _ = scoring.ParsePoints(sc.Points)
	in.Value, _ = scoring.ParsePoints(sc.Value)
	return in
}

// explain is the API form of the engine's explanation; comments are each leaf's reviewers'.
func explain(n *scoring.Node, comments map[string]map[string]string) *reviewv1.ExplanationNode {
	out := &reviewv1.ExplanationNode{
		Code: n.Code, Title: n.Title, Kind: n.Kind.String(), Method: n.Method,
		RawPoints: n.Raw.String(), Points: n.Points.String(), Capped: n.Capped, InBase: n.InBase,
		Zeroed: n.Zeroed, Note: n.Note,
	}
	if n.NegativeList {
		out.Kind = "NEGATIVE_LIST"
	}
	if n.Max != 0 {
		out.MaxPoints = n.Max.String()
	}
	for _, in := range n.Inputs {
		out.Inputs = append(out.Inputs, &reviewv1.ReviewerInput{ReviewerId: in.Reviewer, Entered: in.Entered, Value: in.Value,
			Comment: comments[n.Code][in.Reviewer]})
	}
	for _, c := range n.Children {
		out.Children = append(out.Children, explain(c, comments))
	}
	return out
}

// sortKey orders results as scoring.Compare does when compared byte by byte: total, base
// and each category descending, then the final submission ascending, then the unit id.
// Each number is its int64 with the sign bit flipped (so unsigned order is signed order),
// inverted for the descending ones, big-endian.
func sortKey(r *scoring.Result, submit time.Time, unitID string) []byte {
	b := make([]byte, 0, 8*(3+len(r.Categories))+len(unitID))
	desc := func(p scoring.Points) { b = binary.BigEndian.AppendUint64(b, ^(uint64(p) ^ 1<<63)) }
	desc(r.Total)
	desc(r.Base)
	for _, c := range r.Categories {
		desc(c)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(submit.UnixNano())^1<<63)
	return append(b, unitID...)
}

// ranked are the campaign states in which units see their results.
var ranked = map[campaign.State]bool{campaign.StateRANKED: true, campaign.StatePUBLICITY: true, campaign.StateCLOSED: true}

// GetResult returns an application's result with its explanation and rank.
func (s *Server) GetResult(ctx context.Context, req *reviewv1.GetResultRequest) (*reviewv1.Result, error) {
	v := viewer.FromContext(ctx)
	row, err := s.st.Client.Result.Get(ctx, req.GetApplicationId())
	if err != nil {
		return nil, resource.NotFound(err, "result")
	}
	if v.UnitID != "" {
		c, err := s.st.Client.Campaign.Get(store.System(ctx), row.CampaignID)
		if err != nil {
			return nil, err
		}
		// Before the ranking a unit sees nothing of its result, not even that it exists.
		if !ranked[c.State] {
			return nil, errs.NotFound("result")
		}
	}
	out, err := decodeResult(row)
	if err != nil {
		return nil, err
	}
	n, err := s.st.Client.Result.Query().Where(result.CampaignID(row.CampaignID), result.SortKeyLT(row.SortKey)).Count(store.System(ctx))
	if err != nil {
		return nil, err
	}
	out.Rank = int32(n + 1)
	switch {
	case v.UnitID != "":
		anonymize(out)
	case !oversees(v):
		// A reviewer sees their own entries only: one reviewer's marks never lead another's,
		// a reopened sheet included.
		walkNodes(out.GetExplanation(), func(n *reviewv1.ExplanationNode) {
			n.Inputs = slices.DeleteFunc(n.Inputs, func(in *reviewv1.ReviewerInput) bool { return in.GetReviewerId() != v.Subject })
		})
	}
	return out, nil
}

// decodeResult is a stored result in its API form, without its rank.
func decodeResult(row *ent.Result) (*reviewv1.Result, error) {
	out := &reviewv1.Result{}
	if err := proto.Unmarshal(row.Detail, out); err != nil {
		return nil, err
	}
	out.State, out.ComputeTime = row.State, timestamppb.New(row.UpdateTime)
	return out, nil
}

// anonymize hides who reviewed from the unit: reviewers become 评审员1, 评审员2, … in the
// order they first appear, the same names throughout one result.
func anonymize(r *reviewv1.Result) {
	names := map[string]string{}
	name := func(id string) string {
		if _, ok := names[id]; !ok {
			names[id] = "评审员" + strconv.Itoa(len(names)+1)
		}
		return names[id]
	}
	var walk func(*reviewv1.ExplanationNode)
	walk = func(n *reviewv1.ExplanationNode) {
		for _, in := range n.GetInputs() {
			in.ReviewerId = name(in.GetReviewerId())
		}
		for _, c := range n.GetChildren() {
			walk(c)
		}
	}
	walk(r.GetExplanation())
	for _, v := range r.GetVetoes() {
		for i, id := range v.GetProposerIds() {
			v.ProposerIds[i] = name(id)
		}
	}
}

// ListRanking pages through a campaign's results in ranking order.
func (s *Server) ListRanking(ctx context.Context, req *reviewv1.ListRankingRequest) (*reviewv1.ListRankingResponse, error) {
	filters := strings.Join([]string{"ranking", req.GetCampaignId(), req.GetOfficeId(), req.GetUnitCategory()}, "|")
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	// A page is kept by the head of the campaign office's audit chain, which every change of
	// the campaign and its results moves, and by the caller's scope, which decides what the
	// page holds: asked again before any change, it is served without reading the ranking.
	v := viewer.FromContext(ctx)
	// One database for the whole page, the heads included, so a page is kept under a head
	// of the database it was read from (docs/operations.md, "Read replicas").
	db := s.st.Reader(ctx)
	pageKey := func(head int64) string {
		return strings.Join([]string{filters, strconv.FormatInt(head, 10), v.ScopePath, strconv.Itoa(int(req.GetPageSize())), req.GetPageToken()}, "\x00")
	}
	head, known := int64(0), false
	if office, ok := s.campaignOffices.Load(req.GetCampaignId()); ok {
		if head, err = s.head(ctx, db, office.(string)); err != nil {
			return nil, err
		}
		known = true
		if hit, ok := s.rankingPages.Get(pageKey(head)); ok {
			return proto.Clone(hit).(*reviewv1.ListRankingResponse), nil
		}
	}
	c, err := db.Campaign.Get(ctx, req.GetCampaignId())
	if err != nil {
		return nil, resource.NotFound(err, "campaign")
	}
	// The campaign's office never changes: the next request reads its head without the campaign.
	if !known {
		s.campaignOffices.Store(c.ID, c.OfficeID)
		if head, err = s.head(ctx, db, c.OfficeID); err != nil {
			return nil, err
		}
	}
	// The cursor is the previous page's last rank and sort key: "rank/key".
	rankAfter, key, _ := strings.Cut(after, "/")
	cursorRank, _ := strconv.Atoi(rankAfter)
	q := db.Result.Query().Where(result.CampaignID(req.GetCampaignId()), result.SortKeyGT([]byte(key)))
	// A viewer who reads less than the whole campaign (an office below the campaign's) pages
	// through its own units, as a filter would: their ranks are still the campaign's.
	filtered := !v.PlatformAdmin() && !strings.HasPrefix(c.ScopePath, v.ScopePath)
	if id := req.GetOfficeId(); id != "" {
		o, err := db.Office.Get(ctx, id)
		if err != nil {
			return nil, resource.NotFound(err, "office")
		}
		q, filtered = q.Where(result.ScopePathHasPrefix(o.ScopePath)), true
	}
	if c := req.GetUnitCategory(); c != "" {
		q, filtered = q.Where(result.UnitCategory("UNIT_CATEGORY_"+strings.TrimPrefix(c, "UNIT_CATEGORY_"))), true
	}
	size := pagetoken.Size(req.GetPageSize())
	// Every column but the explanation, which the ranking leaves out and which is most of a
	// result's bytes.
	rows, err := q.Order(ent.Asc(result.FieldSortKey)).Limit(size+1).Select(result.FieldID, result.FieldScopePath, result.FieldCampaignID,
		result.FieldUnitID, result.FieldUnitDisplayName, result.FieldUnitOfficeID, result.FieldUnitCategory, result.FieldTotal,
		result.FieldBase, result.FieldBonus, result.FieldDeductions, result.FieldVetoed, result.FieldState, result.FieldSortKey,
		result.FieldSubmitTime, result.FieldUpdateTime).All(ctx)
	if err != nil {
		return nil, err
	}
	sys := store.System(ctx)
	all := db.Result.Query().Where(result.CampaignID(req.GetCampaignId()))
	resp := &reviewv1.ListRankingResponse{}
	if after == "" {
		if resp.Ranked, err = s.ranked(ctx, db, c, head); err != nil {
			return nil, err
		}
	}
	// ranks[i] is rows[i]'s place. Unfiltered, the page is a run of the ranking that starts
	// after the previous page's last rank; filtered, the keys before the first row and
	// between the first and the last tell each place.
	ranks := make([]int32, len(rows))
	if !filtered {
		for i := range rows {
			ranks[i] = int32(cursorRank + i + 1)
		}
	} else if len(rows) > 0 {
		first, last := rows[0].SortKey, rows[len(rows)-1].SortKey
		before, err := all.Clone().Where(result.SortKeyLT(first)).Count(sys)
		if err != nil {
			return nil, err
		}
		keys, err := all.Clone().Where(result.SortKeyGTE(first), result.SortKeyLTE(last)).Order(ent.Asc(result.FieldSortKey)).
			Select(result.FieldSortKey).Strings(sys)
		if err != nil {
			return nil, err
		}
		at := map[string]int32{}
		for i, k := range keys {
			at[k] = int32(before + i + 1)
		}
		for i, r := range rows {
			ranks[i] = at[string(r.SortKey)]
		}
	}
	rows, resp.NextPageToken = pagetoken.Page(s.pages, filters, rows, size, func(r *ent.Result) string {
		return strconv.Itoa(int(ranks[size-1])) + "/" + string(r.SortKey)
	})
	for i, r := range rows {
		resp.Results = append(resp.Results, &reviewv1.Result{
			ApplicationId: r.ID, CampaignId: r.CampaignID, UnitId: r.UnitID, UnitDisplayName: r.UnitDisplayName, UnitOfficeId: r.UnitOfficeID,
			UnitCategory: r.UnitCategory, Total: scoring.Points(r.Total).String(), Base: scoring.Points(r.Base).String(),
			Bonus: scoring.Points(r.Bonus).String(), Deductions: scoring.Points(r.Deductions).String(), Vetoed: r.Vetoed,
			Rank: ranks[i], State: r.State, SubmitTime: timestamppb.New(r.SubmitTime), ComputeTime: timestamppb.New(r.UpdateTime),
		})
	}
	// Pages of up to 100 rows are kept (50 is the default): the cache's 1 024 pages then stay
	// within a few tens of megabytes; a client paging 500 at a time reads afresh.
	if len(resp.Results) <= 100 {
		s.rankingPages.Add(pageKey(head), proto.Clone(resp).(*reviewv1.ListRankingResponse))
	}
	return resp, nil
}

// head is the head of an office's audit chain (audit.Heads).
func (s *Server) head(ctx context.Context, db store.Reads, officeID string) (int64, error) {
	heads, err := audit.Heads(ctx, db.DB, s.st.Dialect, []string{officeID})
	return heads[officeID], err
}

// ranked is how many results a campaign holds. Results are created and removed only by
// writes recorded in the campaign office's audit chain, so the count is kept per head of that
// chain (head, read by the caller) and counted again only after such a write.
func (s *Server) ranked(ctx context.Context, db store.Reads, c *ent.Campaign, head int64) (int32, error) {
	key := c.ID + "@" + strconv.FormatInt(head, 10)
	if n, ok := s.counts.Get(key); ok {
		return n, nil
	}
	n, err := db.Result.Query().Where(result.CampaignID(c.ID)).Count(store.System(ctx))
	if err != nil {
		return 0, err
	}
	s.counts.Add(key, int32(n))
	return int32(n), nil
}

// hold is what an application's evidence says about scoring it.
type hold struct {
	// zeroed are the indicators that score 0 whatever is entered, with the reason: returned
	// past the campaign's resubmissions, not resubmitted by the due time, vetoed by a spot check.
	zeroed map[string]string
	// waiting are the returned items still due back from the unit, as indicator/period.
	waiting []string
	// resubmitted says some evidence was resubmitted: the final submission is a revision's.
	resubmitted bool
}

// holds reads the application's hold: its evidence returned or resubmitted, and its spot
// checks that vetoed an item.
func (s *Server) holds(sys context.Context, db *ent.Client, appID string, rv *review) (*hold, error) {
	items, err := db.Evidence.Query().Where(entevidence.ApplicationID(appID),
		entevidence.Or(entevidence.StateEQ(entevidence.StateRETURNED), entevidence.ResubmissionsGT(0))).All(sys)
	if err != nil {
		return nil, err
	}
	h := &hold{zeroed: map[string]string{}}
	now := s.now()
	for _, ev := range items {
		h.resubmitted = h.resubmitted || ev.Resubmissions > 0
		switch {
		case ev.State != entevidence.StateRETURNED:
		case ev.Locked:
			h.zeroed[ev.IndicatorCode] = "evidence " + ev.Period + " returned more often than the campaign's " +
				strconv.Itoa(rv.campaign.MaxResubmissions) + " resubmissions (退回次数超过允许的重新报送次数)"
		case ev.ReturnDueTime != nil && !now.Before(*ev.ReturnDueTime):
			h.zeroed[ev.IndicatorCode] = "evidence " + ev.Period + " not resubmitted by " + ev.ReturnDueTime.Format(time.RFC3339) + " (逾期未重新报送)"
		default:
			h.waiting = append(h.waiting, ev.IndicatorCode+"/"+ev.Period)
		}
	}
	checks, err := db.SpotCheck.Query().Where(spotcheck.ApplicationID(appID), spotcheck.Veto(true)).Order(ent.Asc(spotcheck.FieldCreateTime)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, sc := range checks {
		h.zeroed[sc.IndicatorCode] = "vetoed by the spot check " + sc.ID + " (抽查否决): " + sc.Finding
	}
	return h, nil
}

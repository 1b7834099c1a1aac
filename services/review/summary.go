package review

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// summaryQuery is what a summary counts: a year's campaigns of one title level (or all) in
// an office's subtree, and how many of the best units it lists.
type summaryQuery struct {
	officeID string
	year     int32
	level    standardsv1.TitleLevel
	top      int
}

// errNotModified answers an If-None-Match that names the summary's current ETag.
var errNotModified = errs.New(codes.FailedPrecondition, "NOT_MODIFIED",
	"the summary has not changed since the ETag given", "汇总数据自所给 ETag 以来没有变化")

// GetOfficeSummary summarises a year's applications in an office's subtree.
func (s *Server) GetOfficeSummary(ctx context.Context, req *reviewv1.GetOfficeSummaryRequest) (*reviewv1.OfficeSummary, error) {
	q := summaryQuery{officeID: req.GetOfficeId(), year: req.GetYear(), level: req.GetTargetLevel(), top: int(req.GetTop())}
	sum, err := s.summary(ctx, q, ifNoneMatch(ctx))
	if err != nil {
		return nil, err
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("etag", sum.GetEtag()))
	return sum, nil
}

// ifNoneMatch is the request's If-None-Match, as the gateway forwards it.
func ifNoneMatch(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("if-none-match"); len(v) > 0 {
		return v[0]
	}
	return ""
}

// summary computes the summary q asks for, as the caller sees it. Its ETag is a digest of
// the query, the caller's scope, and the heads of the audit chains (audit.Heads) of the
// campaigns' offices, the office, its children and the offices above it: every write that
// changes what a summary counts moves one of those. (A rename of an office below the children
// shows in the best units' office paths at the next change.) When held names that ETag the answer is NOT_MODIFIED; when a summary with it
// was computed before, that one is returned; either way nothing is counted again.
func (s *Server) summary(ctx context.Context, q summaryQuery, held string) (*reviewv1.OfficeSummary, error) {
	if q.top <= 0 {
		q.top = 20
	}
	db := s.st.Reader(ctx)
	sum, err := s.summaryOn(ctx, db, q, held)
	if held != "" && err == nil && db.DB != s.st.DB {
		// The caller holds another summary than the replica's: maybe a newer one, read on
		// the primary. Answer from the primary, so a caller never goes back in time.
		return s.summaryOn(ctx, s.st.Primary(), q, held)
	}
	return sum, err
}

// summaryOn is summary, read from db.
func (s *Server) summaryOn(ctx context.Context, db store.Reads, q summaryQuery, held string) (*reviewv1.OfficeSummary, error) {
	root, err := db.Office.Get(ctx, q.officeID)
	if err != nil {
		return nil, resource.NotFound(err, "office")
	}
	cq := db.Campaign.Query().Where(campaign.Year(int(q.year)), campaign.ScopePathHasPrefix(root.ScopePath))
	if q.level != standardsv1.TitleLevel_TITLE_LEVEL_UNSPECIFIED {
		cq = cq.Where(campaign.TargetLevelEQ(campaign.TargetLevel(strings.TrimPrefix(q.level.String(), "TITLE_LEVEL_"))))
	}
	campaigns, err := cq.Select(campaign.FieldID, campaign.FieldOfficeID).All(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(campaigns))
	for i, c := range campaigns {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	apps := db.Application.Query().Where(application.CampaignIDIn(ids...))
	results := db.Result.Query().Where(result.CampaignIDIn(ids...))
	// What a summary counts changes only with a change recorded in the audit chain of a
	// campaign's office (its applications and results: docs/review.md), of the office or a
	// child (their names, a new child), or of an office above (nothing yet, but cheap to
	// include): those chains' heads are the summary's fingerprint.
	childIDs, err := db.Office.Query().Where(office.ParentID(root.ID)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	chains := append([]string{root.ID}, childIDs...)
	for _, above := range viewer.Above(root.ScopePath) {
		trimmed := strings.TrimSuffix(above, "/")
		chains = append(chains, trimmed[strings.LastIndexByte(trimmed, '/')+1:])
	}
	for _, c := range campaigns {
		chains = append(chains, c.OfficeID)
	}
	slices.Sort(chains)
	chains = slices.Compact(chains)
	heads, err := audit.Heads(ctx, db.DB, s.st.Dialect, chains)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%s|%d|%s|%s", root.ID, q.year, q.level, q.top, viewer.FromContext(ctx).ScopePath, strings.Join(ids, ","))
	for _, id := range chains {
		fmt.Fprintf(h, "|%s=%d", id, heads[id])
	}
	etag := `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
	if held != "" && strings.TrimPrefix(held, "W/") == etag {
		return nil, errNotModified
	}
	if hit, ok := s.summaries.Get(etag); ok {
		return proto.Clone(hit).(*reviewv1.OfficeSummary), nil
	}
	offices, err := db.Office.Query().Where(office.ScopePathHasPrefix(root.ScopePath)).All(ctx)
	if err != nil {
		return nil, err
	}

	byID := map[string]*ent.Office{}
	var children []*ent.Office
	for _, o := range offices {
		byID[o.ID] = o
		if o.ParentID == root.ID {
			children = append(children, o)
		}
	}
	slices.SortFunc(children, func(a, b *ent.Office) int {
		return cmp.Or(cmp.Compare(a.DisplayName, b.DisplayName), cmp.Compare(a.ID, b.ID))
	})
	// rows are the summary's rows: the children, then the office itself for the units
	// registered with it directly.
	rows := map[string]*reviewv1.OfficeCounts{}
	for _, c := range children {
		rows[c.ID] = &reviewv1.OfficeCounts{OfficeId: c.ID, DisplayName: c.DisplayName}
	}
	// rowOf is the row of a unit registered with office id: the child whose subtree holds it.
	rowOf := func(id string) *reviewv1.OfficeCounts {
		o := byID[id]
		for o != nil && o.ParentID != root.ID && o.ID != root.ID {
			o = byID[o.ParentID]
		}
		switch {
		case o == nil:
			return nil
		case o.ID == root.ID:
			if rows[root.ID] == nil {
				rows[root.ID] = &reviewv1.OfficeCounts{OfficeId: root.ID, DisplayName: root.DisplayName + "（本级）"}
			}
		}
		return rows[o.ID]
	}
	total := &reviewv1.OfficeCounts{OfficeId: root.ID, DisplayName: root.DisplayName}
	var counted []struct {
		UnitOfficeID string `json:"unit_office_id"`
		State        string `json:"state"`
		Count        int    `json:"count"`
	}
	if err := apps.Clone().GroupBy(application.FieldUnitOfficeID, application.FieldState).Aggregate(ent.Count()).Scan(ctx, &counted); err != nil {
		return nil, err
	}
	for _, c := range counted {
		for _, r := range []*reviewv1.OfficeCounts{rowOf(c.UnitOfficeID), total} {
			if r == nil {
				continue
			}
			n := int32(c.Count)
			switch application.State(c.State) {
			case application.StateWITHDRAWN:
				continue
			case application.StateRETURNED:
				r.Returned += n
			case application.StateVETOED:
				r.Vetoed += n
			case application.StateRECOMMENDED:
				r.Recommended += n
			}
			r.Applied += n
			if application.State(c.State) != application.StateDRAFT {
				r.Submitted += n
			}
		}
	}
	var totals []struct {
		UnitOfficeID string `json:"unit_office_id"`
		Total        int64  `json:"total"`
	}
	if err := results.Clone().Select(result.FieldUnitOfficeID, result.FieldTotal).Scan(ctx, &totals); err != nil {
		return nil, err
	}
	per := map[*reviewv1.OfficeCounts][]int64{}
	for _, t := range totals {
		for _, r := range []*reviewv1.OfficeCounts{rowOf(t.UnitOfficeID), total} {
			if r != nil {
				per[r] = append(per[r], t.Total)
			}
		}
	}
	out := &reviewv1.OfficeSummary{OfficeId: root.ID, Year: q.year, TargetLevel: q.level, Total: total, Etag: etag}
	for _, c := range children {
		out.Children = append(out.Children, rows[c.ID])
	}
	if r := rows[root.ID]; r != nil {
		out.Children = append(out.Children, r)
	}
	for _, r := range append(slices.Clone(out.Children), total) {
		r.Scored = int32(len(per[r]))
		r.MeanTotal, r.MedianTotal = mean(per[r]).String(), median(per[r]).String()
	}
	best, err := results.Clone().Order(ent.Desc(result.FieldTotal), ent.Desc(result.FieldBase), ent.Asc(result.FieldUnitID)).Limit(q.top).
		Select(result.FieldID, result.FieldCampaignID, result.FieldUnitID, result.FieldUnitDisplayName, result.FieldUnitOfficeID,
			result.FieldTotal, result.FieldBase, result.FieldState).All(ctx)
	if err != nil {
		return nil, err
	}
	for i, r := range best {
		t := &reviewv1.TopUnit{Place: int32(i + 1), UnitId: r.UnitID, UnitDisplayName: r.UnitDisplayName, ApplicationId: r.ID,
			CampaignId: r.CampaignID, Total: scoring.Points(r.Total).String(), Base: scoring.Points(r.Base).String(), State: r.State}
		for o := byID[r.UnitOfficeID]; o != nil; o = byID[o.ParentID] {
			t.OfficePath = append([]string{o.DisplayName}, t.OfficePath...)
			t.OfficePathIds = append([]string{o.ID}, t.OfficePathIds...)
			if o.ID == root.ID {
				break
			}
		}
		out.Top = append(out.Top, t)
	}
	s.summaries.Add(etag, proto.Clone(out).(*reviewv1.OfficeSummary))
	return out, nil
}

// mean is the mean of totals, rounded half away from zero to a hundredth; 0 for none.
func mean(totals []int64) scoring.Points {
	if len(totals) == 0 {
		return 0
	}
	var sum int64
	for _, t := range totals {
		sum += t
	}
	return scoring.Round(sum, int64(len(totals)))
}

// median is the middle total, or the mean of the two middle ones; 0 for none.
func median(totals []int64) scoring.Points {
	if len(totals) == 0 {
		return 0
	}
	s := slices.Clone(totals)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return scoring.Points(s[mid])
	}
	return scoring.Round(s[mid-1]+s[mid], 2)
}

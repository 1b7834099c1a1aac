package evidence

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Limits bound what a unit may upload.
type Limits struct {
	// FileBytes is the largest file (default 50 MiB).
	FileBytes int64
	// ApplicationBytes is the most all files of one application may hold (default 2 GiB).
	ApplicationBytes int64
}

// Deps are what the evidence server is built from.
type Deps struct {
	Store  *store.Store
	Pages  *pagetoken.Codec
	Audit  *audit.Chain
	Blobs  blob.Store
	Limits Limits
	// Clock is the time reporting windows are judged by; nil means the wall clock.
	Clock func() time.Time
}

// Server implements the evidence service.
type Server struct {
	evidencev1.UnimplementedEvidenceServiceServer

	st     *store.Store
	pages  *pagetoken.Codec
	w      *mutate.Writer
	blobs  blob.Store
	limits Limits
	now    func() time.Time
}

var _ evidencev1.EvidenceServiceServer = (*Server)(nil)

// NewServer returns the evidence server.
func NewServer(d Deps) *Server {
	if d.Limits.FileBytes <= 0 {
		d.Limits.FileBytes = 50 << 20
	}
	if d.Limits.ApplicationBytes <= 0 {
		d.Limits.ApplicationBytes = 2 << 30
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	return &Server{st: d.Store, pages: d.Pages, w: mutate.NewWriter(d.Store, d.Audit), blobs: d.Blobs, limits: d.Limits, now: d.Clock}
}

// assessment is what an application is judged against: its campaign, the campaign's
// standard and the time zone of the campaign's office, which its windows are counted in.
type assessment struct {
	campaign *ent.Campaign
	std      *ent.Standard
	loc      *time.Location
	// leaves are the standard's leaf indicators by code, in standard order in order.
	leaves map[string]*standardsv1.Indicator
	order  []*standardsv1.Indicator
}

// assess loads what the application of a campaign is judged against, reading db (the
// store's client, or a transaction's: tx.Client()). The caller has
// already read the application (or the campaign) with its own context, so reading the
// campaign's standard and office is a named system path: they are what the application
// rests on, whether or not the caller could list them itself.
func (s *Server) assess(ctx context.Context, db *ent.Client, campaignID string) (*assessment, error) {
	sys := store.System(ctx)
	c, err := db.Campaign.Get(sys, campaignID)
	if err != nil {
		return nil, resource.NotFound(err, "campaign")
	}
	std, err := db.Standard.Get(sys, c.StandardID)
	if err != nil {
		return nil, err
	}
	o, err := db.Office.Get(sys, c.OfficeID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		loc, _ = time.LoadLocation("Asia/Shanghai")
	}
	var tree standardsv1.Standard
	if err := proto.Unmarshal(std.Indicators, &tree); err != nil {
		return nil, err
	}
	a := &assessment{campaign: c, std: std, loc: loc, leaves: map[string]*standardsv1.Indicator{}}
	parents := map[string]bool{}
	for _, ind := range tree.GetIndicators() {
		parents[ind.GetParentCode()] = true
	}
	for _, ind := range tree.GetIndicators() {
		if !parents[ind.GetCode()] && ind.GetKind() != standardsv1.IndicatorKind_INDICATOR_KIND_GROUP {
			a.leaves[ind.GetCode()] = ind
			a.order = append(a.order, ind)
		}
	}
	return a, nil
}

// takesEvidence reports whether units report evidence for an indicator: every scored leaf
// and a bonus claim; deductions and vetoes are the reviewers' findings, not the unit's.
func takesEvidence(ind *standardsv1.Indicator) bool {
	switch ind.GetKind() {
	case standardsv1.IndicatorKind_INDICATOR_KIND_DEDUCTION, standardsv1.IndicatorKind_INDICATOR_KIND_VETO:
		return false
	}
	return true
}

// requiresEvidence reports whether an application is incomplete without the indicator's
// evidence: every leaf that counts toward the base (a bonus is claimed only when earned).
func requiresEvidence(ind *standardsv1.Indicator) bool {
	return takesEvidence(ind) && ind.GetKind() != standardsv1.IndicatorKind_INDICATOR_KIND_BONUS
}

// measured reports whether the indicator scores a measured value the unit reports.
func measured(ind *standardsv1.Indicator) bool {
	k := ind.GetKind()
	return k == standardsv1.IndicatorKind_INDICATOR_KIND_THRESHOLD || k == standardsv1.IndicatorKind_INDICATOR_KIND_LINEAR
}

// narrativeMax is the indicator's narrative limit in characters.
func narrativeMax(ind *standardsv1.Indicator) int {
	if n := ind.GetEvidenceSpec().GetNarrativeMaxChars(); n > 0 {
		return int(n)
	}
	return 500
}

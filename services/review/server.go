package review

import (
	"context"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/standard"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/standards"
)

// Deps are what the review server is built from.
type Deps struct {
	Store *store.Store
	Pages *pagetoken.Codec
	Audit *audit.Chain
	// Clock is the time returns are due by; nil means the wall clock.
	Clock func() time.Time
	// Limits counts the public endpoints' requests (docs/publicity.md); nil: no limits.
	Limits *cache.Limiter
}

// Server implements the review service.
type Server struct {
	reviewv1.UnimplementedReviewServiceServer

	st     *store.Store
	pages  *pagetoken.Codec
	w      *mutate.Writer
	now    func() time.Time
	limits *cache.Limiter
	stds   *standardCache
	// summaries keeps computed summaries by ETag: a pull that finds nothing changed since
	// another caller's with the same scope counts nothing (summary).
	summaries *lru.Cache[string, *reviewv1.OfficeSummary]
	// counts keeps each campaign's number of results by the head of its office's audit
	// chain (ranked).
	counts *lru.Cache[string, int32]
	// rankingPages keeps ranking pages by the head of the campaign office's audit chain
	// (ListRanking); campaignOffices maps campaigns to their (never changing) offices.
	rankingPages    *lru.Cache[string, *reviewv1.ListRankingResponse]
	campaignOffices sync.Map
}

var _ reviewv1.ReviewServiceServer = (*Server)(nil)

// NewServer returns the review server.
func NewServer(d Deps) *Server {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	summaries, _ := lru.New[string, *reviewv1.OfficeSummary](256)
	counts, _ := lru.New[string, int32](1024)
	rankingPages, _ := lru.New[string, *reviewv1.ListRankingResponse](1024)
	return &Server{st: d.Store, pages: d.Pages, w: mutate.NewWriter(d.Store, d.Audit), now: d.Clock, limits: d.Limits, stds: &standardCache{},
		summaries: summaries, counts: counts, rankingPages: rankingPages}
}

// plan is the engine's view of a published standard, with its indicators by code.
type plan struct {
	std    *scoring.Standard
	leaves []*scoring.Indicator          // in standard order
	byCode map[string]*scoring.Indicator // every indicator, groups included
	proto  map[string]*standardsv1.Indicator
	order  map[string]int // a leaf's position in standard order
}

// standardCache keeps the plans of published standards. A published standard never
// changes (docs/scoring.md), and a campaign pins a published one, so its plan is built
// once per process.
type standardCache struct{ m sync.Map }

// review is what one application is reviewed against: its campaign and the plan of the
// campaign's standard.
type review struct {
	campaign *ent.Campaign
	plan     *plan
}

// load reads a campaign and its standard's plan through db as the system: the caller has
// already read the row that led here (an application, a sheet) with its own context.
func (s *Server) load(ctx context.Context, db *ent.Client, campaignID string) (*review, error) {
	sys := store.System(ctx)
	c, err := db.Campaign.Get(sys, campaignID)
	if err != nil {
		return nil, resource.NotFound(err, "campaign")
	}
	p, err := s.stds.plan(sys, db, c.StandardID)
	if err != nil {
		return nil, err
	}
	return &review{campaign: c, plan: p}, nil
}

func (c *standardCache) plan(ctx context.Context, db *ent.Client, id string) (*plan, error) {
	if p, ok := c.m.Load(id); ok {
		return p.(*plan), nil
	}
	std, err := db.Standard.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	eng, tree, err := standards.Engine(std)
	if err != nil {
		return nil, err
	}
	p := &plan{std: eng, leaves: eng.Leaves(), byCode: map[string]*scoring.Indicator{},
		proto: map[string]*standardsv1.Indicator{}, order: map[string]int{}}
	var walk func([]*scoring.Indicator)
	walk = func(ns []*scoring.Indicator) {
		for _, n := range ns {
			p.byCode[n.Code] = n
			walk(n.Children)
		}
	}
	walk(eng.Categories)
	for i, l := range p.leaves {
		p.order[l.Code] = i
	}
	for _, ind := range tree.GetIndicators() {
		p.proto[ind.GetCode()] = ind
	}
	if std.State != standard.StateDRAFT {
		c.m.Store(id, p)
	}
	return p, nil
}

package review

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/objection"
	"github.com/wenming-platform/wenming/ent/publicityentry"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/titlerecord"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/titles"
	"github.com/wenming-platform/wenming/services/platform/viewer"
	"github.com/wenming-platform/wenming/services/standards"
)

// Phases returns what moving a campaign into a phase does besides the move, for the
// standards service to run in the move's transaction: RANKED recommends (Recommendation in
// docs/review.md), PUBLICITY publishes the list, CLOSED names the units that remain on it
// (docs/publicity.md). A reinspection instead enters the holders when it OPENs, ranks
// without recommending, publishes nothing, and closes once every holder is decided. now
// stamps what the moves write.
func Phases(st *store.Store, trail *audit.Chain, now func() time.Time) standards.PhaseFunc {
	w := mutate.NewWriter(st, trail)
	if now == nil {
		now = time.Now
	}
	return func(ctx context.Context, tx *ent.Tx, c *ent.Campaign, m standards.Move) error {
		reinspection := c.Kind == campaign.KindREINSPECTION
		switch {
		case m.To == campaign.StateOPEN && reinspection:
			return enterHolders(ctx, w, tx, c, now())
		case m.To == campaign.StateRANKED:
			return recommend(ctx, w, tx, c, m.Force, now())
		case m.To == campaign.StatePUBLICITY && !reinspection:
			return publish(ctx, w, tx, c)
		case m.To == campaign.StateCLOSED && reinspection:
			return closeReinspection(ctx, w, tx, c)
		case m.To == campaign.StateCLOSED:
			return name(ctx, w, st.Dialect, tx, c, m.DocumentNumber, now())
		}
		return nil
	}
}

// name names the units that remain on a campaign's publicity list as it closes: each
// application becomes NAMED and the unit gets a title record (the campaign office's level,
// the model tier when the campaign says so, a term of the campaign's years from now, the
// naming document's number), which becomes its current title. Objections must all be
// handled first.
func name(ctx context.Context, w *mutate.Writer, dialect string, tx *ent.Tx, c *ent.Campaign, doc string, now time.Time) error {
	sys := store.System(ctx)
	if err := w.Lock(ctx, tx, c.OfficeID); err != nil {
		return err
	}
	pending, err := tx.Objection.Query().Where(objection.CampaignID(c.ID), objection.StateEQ(objection.StateRECEIVED)).Count(sys)
	if err != nil {
		return err
	}
	if pending > 0 {
		return errs.New(codes.FailedPrecondition, "OBJECTIONS_PENDING",
			fmt.Sprintf("%d objections are not handled yet: decide them before naming", pending),
			fmt.Sprintf("还有 %d 条公示异议尚未处理：请处理后再命名", pending))
	}
	o, err := tx.Office.Get(sys, c.OfficeID)
	if err != nil {
		return err
	}
	lines, err := tx.PublicityEntry.Query().Where(publicityentry.CampaignID(c.ID), publicityentry.RemovedTimeIsNil()).
		Order(ent.Asc(publicityentry.FieldNumber)).All(sys)
	if err != nil {
		return err
	}
	start := now.UTC()
	end := start.AddDate(c.TermYears, 0, 0)
	for _, l := range lines {
		n, err := tx.Application.Update().Where(application.ID(l.ApplicationID), application.StateEQ(application.StateRECOMMENDED)).
			AddVersion(1).SetState(application.StateNAMED).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			continue // withdrawn meanwhile: nothing to name
		}
		if err := tx.Result.Update().Where(result.ID(l.ApplicationID)).AddVersion(1).SetState(string(application.StateNAMED)).Exec(sys); err != nil {
			return err
		}
		if err := titles.Lock(ctx, tx, dialect, l.UnitID); err != nil {
			return err
		}
		r, err := tx.TitleRecord.Create().SetID(resource.NewID()).SetOfficeID(c.OfficeID).SetScopePath(l.ScopePath).
			SetUnitID(l.UnitID).SetLevel(titlerecord.Level(o.Level)).SetModel(c.TitleModel).SetTermStart(start).SetTermEnd(end).
			SetState(titlerecord.StateNAMED).SetDocumentNumber(doc).SetSource(titlerecord.SourceNAMED).SetCampaignID(c.ID).
			SetMoves([]jsonvalue.TitleMove{{State: string(titlerecord.StateNAMED), Reason: "named by " + c.DisplayName,
				Actor: audit.Actor(ctx), Time: start, Document: doc}}).
			Save(sys)
		if err != nil {
			return err
		}
		if _, err := titles.Mirror(ctx, tx, r); err != nil {
			return err
		}
		if err := w.Record(ctx, tx, audit.Event{OfficeID: c.OfficeID, ScopePath: l.ScopePath, Action: "title.name",
			ResourceType: "title", ResourceID: r.ID, After: titles.ToProto(r, true, now)}); err != nil {
			return err
		}
	}
	return nil
}

// ExportNamingList streams the naming list as XLSX: the lines that remain on the publicity
// list in their order, and, once the campaign is CLOSED, the titles it named.
func (s *Server) ExportNamingList(req *reviewv1.ExportNamingListRequest, stream grpc.ServerStreamingServer[httpbody.HttpBody]) error {
	ctx := stream.Context()
	db := s.st.Reader(ctx)
	c, err := db.Campaign.Get(ctx, req.GetCampaignId())
	// Campaigns are read down the tree; the naming list, with every unit's total and rank,
	// belongs to the campaign's office and the offices above it.
	if err != nil || !viewer.FromContext(ctx).CanRead(c.ScopePath) {
		return resource.NotFound(err, "campaign")
	}
	if c.State != campaign.StatePUBLICITY && c.State != campaign.StateCLOSED {
		return errs.New(codes.FailedPrecondition, "CAMPAIGN_WRONG_PHASE",
			"the campaign is "+string(c.State)+": its naming list exists from PUBLICITY on",
			"该创建周期处于 "+string(c.State)+" 阶段：公示后才有命名名单")
	}
	sys := store.System(ctx)
	lines, err := db.PublicityEntry.Query().Where(publicityentry.CampaignID(c.ID), publicityentry.RemovedTimeIsNil()).
		Order(ent.Asc(publicityentry.FieldNumber)).All(sys)
	if err != nil {
		return err
	}
	named := map[string]*ent.TitleRecord{}
	if c.State == campaign.StateCLOSED {
		rs, err := db.TitleRecord.Query().Where(titlerecord.CampaignID(c.ID)).All(sys)
		if err != nil {
			return err
		}
		for _, r := range rs {
			named[r.UnitID] = r
		}
	}
	zh := errs.PreferZH(ctx)
	o, err := db.Office.Get(sys, c.OfficeID)
	if err != nil {
		return err
	}
	// Terms are days in the naming office's time zone, as its documents give them.
	zone, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	levelName := map[string]string{"DISTRICT": "区县级", "MUNICIPAL": "市级", "PROVINCIAL": "省级", "NATIONAL": "全国"}
	t := table{
		nameZH: "命名名单", nameEN: "Naming list",
		headZH: []string{"序号", "单位名称", "所属文明办", "单位类别", "总分", "排名", "称号级别", "标兵", "任期开始", "任期结束", "命名文号"},
		headEN: []string{"No.", "Unit", "Office", "Category", "Total", "Rank", "Title level", "Model tier", "Term start", "Term end", "Document number"},
		rows: func(emit func([]any) error) error {
			for _, l := range lines {
				level := string(o.Level)
				if zh {
					level = levelName[level]
				}
				row := []any{l.Number, l.UnitDisplayName, l.UnitOfficeName, l.UnitCategory, scoring.Points(l.Total).String(), l.Rank,
					level, yesNo(c.TitleModel, zh), "", "", ""}
				if r := named[l.UnitID]; r != nil {
					row[8] = r.TermStart.In(zone).Format(time.DateOnly)
					if r.TermEnd != nil {
						row[9] = r.TermEnd.In(zone).Format(time.DateOnly)
					}
					row[10] = r.DocumentNumber
				}
				if err := emit(row); err != nil {
					return err
				}
			}
			return nil
		},
	}
	file := strings.NewReplacer("/", "_", "\\", "_").Replace(c.DisplayName) + " 命名名单"
	return export(ctx, stream, reviewv1.ExportFormat_EXPORT_FORMAT_XLSX, 0, file, []table{t})
}

package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	entapp "github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/assignment"
	entevidence "github.com/wenming-platform/wenming/ent/evidence"
	"github.com/wenming-platform/wenming/ent/evidencerevision"
	"github.com/wenming-platform/wenming/ent/result"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
	"github.com/wenming-platform/wenming/ent/unit"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
	"github.com/wenming-platform/wenming/services/review"
	"github.com/wenming-platform/wenming/services/standards"
	"github.com/wenming-platform/wenming/services/tenancy"
)

// SeedOptions shape a synthetic province (docs/review.md, A synthetic province).
type SeedOptions struct {
	Units     int    // applicant units, spread over the districts (default 20 000)
	Cities    int    // cities under the province (default 10)
	Districts int    // districts under each city (default 10)
	Seed      uint64 // the random source: the same seed gives the same data
	Year      int    // the campaign's year (default this year)
	// Progress receives a progress bar (Terminal) or a line per tenth of the work.
	Progress io.Writer
	Terminal bool
}

// SeedReport is what Seed made, and how long the bulk load took.
type SeedReport struct {
	Province, Campaign, Standard string
	// Accounts are login or client id, secret and what the account is, one per line.
	Accounts []string
	Rows     int64
	Bulk     time.Duration
	Total    time.Duration
}

// Seed fills an empty platform with a synthetic province: one province, its cities and
// districts, Units units, a published 100-indicator standard, the province's campaign in
// REVIEW with every unit's application and annual evidence, three reviewers' finalized
// score sheets, and each application's result and ranking. Offices, accounts, the standard
// and the campaign go through the services' own handlers; the bulk rows are computed with
// the same code (the scoring engine and review.Stored, the schema's columns) and loaded with
// COPY on PostgreSQL, multi-row INSERTs on SQLite, in one transaction.
func Seed(ctx context.Context, st *store.Store, trail *audit.Chain, o SeedOptions) (*SeedReport, error) {
	start := time.Now()
	if o.Units <= 0 {
		o.Units = 20000
	}
	if o.Cities <= 0 {
		o.Cities = 10
	}
	if o.Districts <= 0 {
		o.Districts = 10
	}
	if o.Cities > 99 || o.Districts > 99 {
		return nil, fmt.Errorf("seed: at most 99 cities and 99 districts per city")
	}
	if o.Year == 0 {
		o.Year = time.Now().Year()
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	sys := store.System(ctx)
	if n, err := st.Client.Office.Query().Count(sys); err != nil || n > 0 {
		return nil, fmt.Errorf("seed: the platform must be empty (it holds %d offices): seed a fresh database (%v)", n, err)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	newID := func() string { return uuid.Must(uuid.NewRandomFromReader(rngReader{rng})).String() }

	ten := tenancy.NewServer(tenancy.Deps{Store: st, Audit: trail})
	std := standards.NewServer(st, nil, trail, review.Phases(st, trail, nil))
	as := func(officeID, path string, roles ...authzv1.Role) context.Context {
		return viewer.NewContext(ctx, &viewer.Viewer{Subject: "seed", Kind: viewer.KindUser, Login: "seed", OfficeID: officeID, ScopePath: path, Roles: roles})
	}
	admin := authzv1.Role_ROLE_OFFICE_ADMIN
	rep := &SeedReport{}
	office := func(ctx context.Context, parent, parentPath, name string, level tenancyv1.Level, region string) (string, string, error) {
		x, err := ten.CreateOffice(ctx, &tenancyv1.CreateOfficeRequest{Office: &tenancyv1.Office{ParentId: parent, DisplayName: name, Level: level, RegionCode: region}})
		if err != nil {
			return "", "", fmt.Errorf("seed: office %s: %w", name, err)
		}
		return x.GetId(), viewer.OfficePath(parentPath, x.GetId()), nil
	}
	prov, provPath, err := office(as("", "", authzv1.Role_ROLE_PLATFORM_ADMIN), "", "", "合成省文明办", tenancyv1.Level_LEVEL_PROVINCIAL, "330000")
	if err != nil {
		return nil, err
	}
	rep.Province = prov
	asProv := as(prov, provPath, admin)
	type district struct{ id, path string }
	var districts []district
	for c := 1; c <= o.Cities; c++ {
		city, cityPath, err := office(asProv, prov, provPath, fmt.Sprintf("合成省第%02d市文明办", c), tenancyv1.Level_LEVEL_MUNICIPAL, fmt.Sprintf("33%02d00", c))
		if err != nil {
			return nil, err
		}
		for d := 1; d <= o.Districts; d++ {
			id, path, err := office(as(city, cityPath, admin), city, cityPath, fmt.Sprintf("第%02d市第%02d区文明办", c, d), tenancyv1.Level_LEVEL_DISTRICT, fmt.Sprintf("33%02d%02d", c, d))
			if err != nil {
				return nil, err
			}
			districts = append(districts, district{id, path})
		}
	}
	user := func(login, name string, role authzv1.Role) (string, error) {
		pw := auth.RandomToken(12)
		u, err := ten.CreateUser(asProv, &tenancyv1.CreateUserRequest{Parent: &tenancyv1.CreateUserRequest_OfficeId{OfficeId: prov},
			User: &tenancyv1.User{Login: login, DisplayName: name, Password: pw, Roles: []authzv1.Role{role}}})
		if err != nil {
			return "", fmt.Errorf("seed: user %s: %w", login, err)
		}
		rep.Accounts = append(rep.Accounts, fmt.Sprintf("%-16s %s  %s", login, pw, name))
		return u.GetId(), nil
	}
	if _, err := user("seed-province", "合成省管理员", admin); err != nil {
		return nil, err
	}
	var reviewers []string
	for i := 1; i <= 3; i++ {
		id, err := user(fmt.Sprintf("seed-reviewer%d", i), fmt.Sprintf("评审员%d", i), authzv1.Role_ROLE_OFFICE_REVIEWER)
		if err != nil {
			return nil, err
		}
		reviewers = append(reviewers, id)
	}
	sa, err := ten.CreateServiceAccount(asProv, &tenancyv1.CreateServiceAccountRequest{OfficeId: prov, ServiceAccount: &tenancyv1.ServiceAccount{
		DisplayName: "省级汇总同步", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_VIEWER}}})
	if err != nil {
		return nil, fmt.Errorf("seed: service account: %w", err)
	}
	rep.Accounts = append(rep.Accounts, fmt.Sprintf("%-16s %s  %s (client credentials)", sa.GetClientId(), sa.GetClientSecret(), sa.GetDisplayName()))

	s, err := std.CreateStandard(asProv, &standardsv1.CreateStandardRequest{OfficeId: prov, Standard: &standardsv1.Standard{
		Code: "SEED-100", DisplayName: "合成省文明单位测评体系（100 项）", BasePoints: "100.00", BonusCap: "5.00",
		Aggregation: standardsv1.Aggregation_AGGREGATION_TRIMMED_MEAN, Indicators: seedIndicators(),
	}})
	if err != nil {
		return nil, fmt.Errorf("seed: standard: %w", err)
	}
	if s, err = std.PublishStandard(asProv, &standardsv1.PublishStandardRequest{StandardId: s.GetId(), Etag: s.GetEtag()}); err != nil {
		return nil, fmt.Errorf("seed: publish: %w", err)
	}
	rep.Standard = s.GetId()
	now := time.Now().UTC().Truncate(time.Second)
	day := 24 * time.Hour
	win := func(from, to time.Duration) *standardsv1.Window {
		return &standardsv1.Window{StartTime: timestamppb.New(now.Add(from * day)), EndTime: timestamppb.New(now.Add(to * day))}
	}
	c, err := std.CreateCampaign(asProv, &standardsv1.CreateCampaignRequest{OfficeId: prov, Campaign: &standardsv1.Campaign{
		StandardId: s.GetId(), Year: int32(o.Year), TargetLevel: standardsv1.TitleLevel_TITLE_LEVEL_PROVINCIAL,
		DisplayName:       fmt.Sprintf("%d 年度合成省文明单位测评", o.Year),
		ApplicationWindow: win(-60, -40), SubmissionWindow: win(-39, -10), ReviewWindow: win(-9, 20), PublicityWindow: win(21, 28),
		Quota: &standardsv1.Quota{Limit: &standardsv1.Quota_Percent{Percent: 10}}, Eligibility: &standardsv1.Eligibility{NoTitleRequired: true},
	}})
	if err != nil {
		return nil, fmt.Errorf("seed: campaign: %w", err)
	}
	for _, to := range []standardsv1.CampaignState{standardsv1.CampaignState_CAMPAIGN_STATE_OPEN, standardsv1.CampaignState_CAMPAIGN_STATE_SUBMISSION,
		standardsv1.CampaignState_CAMPAIGN_STATE_REVIEW} {
		if _, err := std.TransitionCampaign(asProv, &standardsv1.TransitionCampaignRequest{CampaignId: c.GetId(), To: to, Force: true, Reason: "合成数据"}); err != nil {
			return nil, fmt.Errorf("seed: campaign to %v: %w", to, err)
		}
	}
	rep.Campaign = c.GetId()
	row, err := st.Client.Standard.Get(sys, s.GetId())
	if err != nil {
		return nil, err
	}
	eng, _, err := standards.Engine(row)
	if err != nil {
		return nil, err
	}

	// The bulk rows, a chunk of applications at a time.
	bulkStart := time.Now()
	leaves := eng.Leaves()
	period := strconv.Itoa(o.Year)
	base := time.Date(o.Year, 12, 1, 9, 0, 0, 0, time.UTC)
	categories := []string{"PARTY_GOVERNMENT", "PUBLIC_INSTITUTION", "STATE_ENTERPRISE", "PRIVATE_ENTERPRISE", "SCHOOL", "HOSPITAL", "SERVICE_WINDOW", "SOCIAL_ORGANIZATION", "OTHER"}
	bias := []float64{-0.04, 0, 0.05}
	bar := newBar(o.Progress, o.Terminal, o.Units)
	err = bulk(ctx, st, func(insert func(table string, cols []string, rows [][]any) error) error {
		const chunk = 250
		for first := 0; first < o.Units; first += chunk {
			t := newTables()
			for i := first; i < min(first+chunk, o.Units); i++ {
				d := districts[i%len(districts)]
				unitID, appID := newID(), newID()
				unitPath := viewer.UnitPath(d.path, unitID)
				name := fmt.Sprintf("合成单位%05d", i+1)
				category := "UNIT_CATEGORY_" + categories[rng.IntN(len(categories))]
				submit := base.Add(time.Duration(i*37) * time.Second)
				t.add(unit.Table, unit.Columns, map[string]any{"id": unitID, "office_id": d.id, "scope_path": unitPath, "version": 1,
					"create_time": now, "update_time": now, "display_name": name,
					"credit_code": tenancy.CompleteCreditCode(fmt.Sprintf("91330100%09d", i+1)), "category": category,
					"title_level": nil, "title_model": false, "title_term_start": nil, "title_term_end": nil, "title_state": nil})
				a := &ent.Application{ID: appID, CampaignID: c.GetId(), UnitID: unitID, UnitOfficeID: d.id, OfficeID: prov, ScopePath: unitPath}
				quality := 0.5 + 0.45*rng.Float64()
				in := &scoring.Application{Inputs: map[string][]scoring.Input{}}
				sheets := make([][]jsonvalue.Score, len(reviewers))
				for _, l := range leaves {
					if l.Kind == scoring.KindVeto {
						continue
					}
					if l.Kind != scoring.KindDeduction {
						evID := newID()
						t.add(entevidence.Table, entevidence.Columns, map[string]any{"id": evID, "office_id": prov, "scope_path": unitPath, "version": 1,
							"create_time": submit, "update_time": submit, "application_id": appID, "indicator_code": l.Code, "period": period,
							"state": "SUBMITTED", "has_draft": false, "draft_narrative": "", "draft_value": "", "draft_file_ids": nil, "draft_note": "",
							"revision_count": 1, "resubmissions": 0, "return_reason": "", "return_due_time": nil, "locked": false})
						t.add(evidencerevision.Table, evidencerevision.Columns, map[string]any{"id": newID(), "office_id": prov, "scope_path": unitPath,
							"evidence_id": evID, "application_id": appID, "number": 1, "narrative": name + " " + l.Code + " 年度台账", "value": "",
							"file_ids": nil, "note": "", "resubmission": false, "submitted_by": "seed", "submit_time": submit})
					}
					level := clamp01(quality + 0.1*rng.NormFloat64())
					for r := range reviewers {
						sc, input := seedScore(l, clamp01(level+bias[r]+0.05*rng.NormFloat64()), rng)
						input.Reviewer = reviewers[r]
						sheets[r] = append(sheets[r], sc)
						in.Inputs[l.Code] = append(in.Inputs[l.Code], input)
					}
				}
				res, err := scoring.Evaluate(eng, in)
				if err != nil {
					return fmt.Errorf("seed: scoring %s: %w", name, err)
				}
				detail, key := review.Stored(res, a, name, category, submit, nil, nil)
				blob, err := proto.Marshal(detail)
				if err != nil {
					return err
				}
				t.add(entapp.Table, entapp.Columns, map[string]any{"id": appID, "office_id": prov, "scope_path": unitPath, "version": 1,
					"create_time": submit, "update_time": submit, "campaign_id": c.GetId(), "unit_id": unitID, "unit_office_id": d.id,
					"state": "SCORED", "submit_time": submit, "self_assessment": nil, "withdraw_reason": "", "file_bytes": 0, "source_application_id": "", "reinspected_title_id": ""})
				for r, rid := range reviewers {
					scores, err := json.Marshal(sheets[r])
					if err != nil {
						return err
					}
					t.add(assignment.Table, assignment.Columns, map[string]any{"id": newID(), "office_id": prov, "scope_path": provPath, "version": 3,
						"create_time": submit, "update_time": submit, "campaign_id": c.GetId(), "application_id": appID, "unit_id": unitID,
						"reviewer_id": rid, "state": "FINALIZED", "scores": scores, "finalize_time": submit, "reason": "", "reopen_count": 0})
				}
				t.add(result.Table, result.Columns, map[string]any{"id": appID, "office_id": prov, "scope_path": unitPath, "version": 1,
					"create_time": submit, "update_time": submit, "campaign_id": c.GetId(), "unit_id": unitID, "unit_office_id": d.id,
					"unit_display_name": name, "unit_category": category, "total": int64(res.Total), "base": int64(res.Base),
					"bonus": int64(res.Bonus), "deductions": int64(res.Deductions), "vetoed": res.Vetoed, "state": "SCORED",
					"sort_key": key, "submit_time": submit, "detail": blob})
			}
			// Parents before children: units, applications, evidence, revisions, sheets, results.
			for _, table := range []string{unit.Table, entapp.Table, entevidence.Table, evidencerevision.Table, assignment.Table, result.Table} {
				if err := insert(table, t.cols[table], t.rows[table]); err != nil {
					return fmt.Errorf("seed: %s: %w", table, err)
				}
				rep.Rows += int64(len(t.rows[table]))
			}
			bar.set(min(first+chunk, o.Units))
		}
		return nil
	})
	bar.done()
	if err != nil {
		return nil, err
	}
	rep.Bulk = time.Since(bulkStart)
	// Fresh statistics and visibility maps, as autovacuum would make them in a while: without
	// them the planner guesses a handful of rows and counts cannot use the indexes alone.
	if st.Dialect == dialect.Postgres {
		for _, table := range []string{unit.Table, entapp.Table, entevidence.Table, evidencerevision.Table, assignment.Table, result.Table} {
			if _, err := st.DB.ExecContext(ctx, `VACUUM ANALYZE "`+table+`"`); err != nil {
				return nil, err
			}
		}
	}
	counts, _ := structpb.NewStruct(map[string]any{"units": o.Units, "rows": float64(rep.Rows), "seed": float64(o.Seed), "campaign": c.GetId()})
	if err := st.Tx(ctx, func(tx *ent.Tx) error {
		return mutate.NewWriter(st, trail).Record(ctx, tx, audit.Event{OfficeID: prov, ScopePath: provPath, Action: "seed.load",
			ResourceType: "campaign", ResourceID: c.GetId(), After: counts})
	}); err != nil {
		return nil, err
	}
	rep.Total = time.Since(start)
	return rep, nil
}

// seedIndicators is the synthetic standard: ten categories of 10.00 points, of nine or eight
// leaves each cycling through the five scored kinds (87 leaves), a bonus, a deduction and a
// veto: 100 indicators.
func seedIndicators() []*standardsv1.Indicator {
	annual := &standardsv1.EvidenceSpec{NarrativeMaxChars: 500}
	var out []*standardsv1.Indicator
	for g := 1; g <= 10; g++ {
		code := strconv.Itoa(g)
		out = append(out, &standardsv1.Indicator{Code: code, Title: "测评项目" + code, Kind: standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, MaxPoints: "10.00"})
		n := 9
		if g > 7 {
			n = 8
		}
		for l := 1; l <= n; l++ {
			ind := &standardsv1.Indicator{Code: fmt.Sprintf("%d.%d", g, l), ParentCode: code, Title: fmt.Sprintf("测评内容%d.%d", g, l), EvidenceSpec: annual}
			switch l % 5 {
			case 1:
				ind.Kind, ind.MaxPoints = standardsv1.IndicatorKind_INDICATOR_KIND_POINTS, "1.50"
			case 2:
				ind.Kind, ind.MaxPoints = standardsv1.IndicatorKind_INDICATOR_KIND_GRADE, "1.50"
			case 3:
				ind.Kind, ind.MaxPoints, ind.Target = standardsv1.IndicatorKind_INDICATOR_KIND_THRESHOLD, "1.00", "85.00"
			case 4:
				ind.Kind, ind.MaxPoints, ind.Floor, ind.Target = standardsv1.IndicatorKind_INDICATOR_KIND_LINEAR, "1.50", "50.00", "90.00"
			default:
				ind.Kind, ind.MaxPoints = standardsv1.IndicatorKind_INDICATOR_KIND_CHECKLIST, "1.50"
				for _, it := range []string{"a", "b", "c", "d"} {
					ind.Items = append(ind.Items, &standardsv1.ChecklistItem{Code: it, Title: "子项" + it, Points: "0.50"})
				}
			}
			out = append(out, ind)
		}
	}
	return append(out,
		&standardsv1.Indicator{Code: "11", Title: "创新加分", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_BONUS, MaxPoints: "5.00", EvidenceSpec: annual},
		&standardsv1.Indicator{Code: "12", Title: "违规扣分", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_DEDUCTION, MaxPoints: "10.00", PerItem: "1.00"},
		&standardsv1.Indicator{Code: "13", Title: "一票否决", Kind: standardsv1.IndicatorKind_INDICATOR_KIND_VETO},
	)
}

// seedScore is a reviewer's entry on leaf l for a unit whose level on it is x in [0, 1], as
// the sheet stores it and as the engine takes it.
func seedScore(l *scoring.Indicator, x float64, rng *rand.Rand) (jsonvalue.Score, scoring.Input) {
	sc := jsonvalue.Score{IndicatorCode: l.Code}
	var in scoring.Input
	switch l.Kind {
	case scoring.KindPoints:
		in.Points = scoring.Points(math.Round(x*float64(l.Max)/50) * 50)
		sc.Points = in.Points.String()
	case scoring.KindGrade:
		in.Grade = "D"
		for _, g := range []struct {
			grade string
			at    float64
		}{{"A", 0.85}, {"B", 0.6}, {"C", 0.35}} {
			if x >= g.at {
				in.Grade = g.grade
				break
			}
		}
		sc.Grade = in.Grade
	case scoring.KindThreshold, scoring.KindLinear:
		in.Value = scoring.Points(4000 + math.Round(x*6000))
		sc.Value = in.Value.String()
	case scoring.KindChecklist:
		for _, it := range l.Items {
			if rng.Float64() < x {
				in.Ticked = append(in.Ticked, it.Code)
			}
		}
		sc.Ticked = in.Ticked
	case scoring.KindBonus:
		in.Points = scoring.Points(math.Floor(x*x*x*10) * 50)
		sc.Points = in.Points.String()
	case scoring.KindDeduction:
		if r := rng.Float64(); r > 0.97 {
			in.Count = 2
		} else if r > 0.85 {
			in.Count = 1
		}
		sc.Occurrences = in.Count
	}
	return sc, in
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }

// rngReader reads random bytes from a seeded source, so ids are the same for the same seed.
type rngReader struct{ r *rand.Rand }

func (r rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}

// tables collects one chunk's rows per table, each in its table's column order.
type tables struct {
	cols map[string][]string
	rows map[string][][]any
}

func newTables() *tables { return &tables{cols: map[string][]string{}, rows: map[string][][]any{}} }

// add appends a row given by column name; every column must be named, and only columns.
func (t *tables) add(table string, cols []string, values map[string]any) {
	if len(values) != len(cols) {
		panic(fmt.Sprintf("seed: %s row has %d values for %d columns", table, len(values), len(cols)))
	}
	row := make([]any, len(cols))
	for i, c := range cols {
		v, ok := values[c]
		if !ok {
			panic("seed: no value for " + table + "." + c)
		}
		row[i] = v
	}
	t.cols[table] = cols
	t.rows[table] = append(t.rows[table], row)
}

// bulk runs load in one transaction with an insert function: COPY on PostgreSQL, multi-row
// INSERTs on SQLite.
func bulk(ctx context.Context, st *store.Store, load func(insert func(table string, cols []string, rows [][]any) error) error) error {
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if st.Dialect == dialect.Postgres {
		return conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			tx, err := pc.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx) //nolint:errcheck // after Commit it does nothing
			err = load(func(table string, cols []string, rows [][]any) error {
				_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
				return err
			})
			if err != nil {
				return err
			}
			return tx.Commit(ctx)
		})
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	err = load(func(table string, cols []string, rows [][]any) error { return insertRows(ctx, tx, table, cols, rows) })
	if err != nil {
		return err
	}
	return tx.Commit()
}

// insertRows inserts rows with as many rows per statement as SQLite's 32 766 variables allow.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	per := max(1, 32000/len(cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var args []any
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := `INSERT INTO "` + table + `" ("` + strings.Join(cols, `","`) + `") VALUES ` + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// bar shows progress: a bar redrawn in place on a terminal, a line per tenth elsewhere.
type bar struct {
	w        io.Writer
	terminal bool
	total    int
	shown    int
	start    time.Time
}

func newBar(w io.Writer, terminal bool, total int) *bar {
	return &bar{w: w, terminal: terminal, total: total, shown: -1, start: time.Now()}
}

func (b *bar) set(n int) {
	pct := n * 100 / max(b.total, 1)
	if b.terminal {
		filled := pct * 40 / 100
		fmt.Fprintf(b.w, "\r[%s%s] %3d%%  %d/%d units  %s", strings.Repeat("=", filled), strings.Repeat(" ", 40-filled), pct, n, b.total,
			time.Since(b.start).Truncate(time.Second))
		return
	}
	if pct/10 != b.shown/10 || n == b.total {
		b.shown = pct
		fmt.Fprintf(b.w, "%3d%%  %d/%d units  %s\n", pct, n, b.total, time.Since(b.start).Truncate(time.Second))
	}
}

func (b *bar) done() {
	if b.terminal {
		fmt.Fprintln(b.w)
	}
}

package notify

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/deadlineextension"
	"github.com/wenming-platform/wenming/ent/evidence"
	"github.com/wenming-platform/wenming/services/platform/periods"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// periodic is one due time of a campaign's monthly or quarterly evidence: the items
// (indicator and period) due then.
type periodic struct {
	due   time.Time
	items [][2]string // {indicator code, period}
}

// periodicDue lists the due times of a campaign's monthly and quarterly evidence, each with
// its items, read from the campaign's published standard. Annual evidence is due with the
// submission, which has reminders of its own.
func periodicDue(std []byte, c *campaignRow, loc *time.Location) ([]periodic, error) {
	var tree standardsv1.Standard
	if err := proto.Unmarshal(std, &tree); err != nil {
		return nil, err
	}
	parents := map[string]bool{}
	for _, ind := range tree.GetIndicators() {
		parents[ind.GetParentCode()] = true
	}
	byDue := map[time.Time]*periodic{}
	for _, ind := range tree.GetIndicators() {
		switch ind.GetKind() {
		case standardsv1.IndicatorKind_INDICATOR_KIND_GROUP, standardsv1.IndicatorKind_INDICATOR_KIND_DEDUCTION, standardsv1.IndicatorKind_INDICATOR_KIND_VETO:
			continue
		}
		cadence := periods.CadenceOf(ind.GetEvidenceSpec())
		if parents[ind.GetCode()] || cadence == standardsv1.Cadence_CADENCE_ANNUAL {
			continue
		}
		for _, p := range periods.All(cadence, c.year) {
			due := p.Due(loc, int(ind.GetEvidenceSpec().GetDueDay()), c.submissionEnd)
			if byDue[due] == nil {
				byDue[due] = &periodic{due: due}
			}
			byDue[due].items = append(byDue[due].items, [2]string{ind.GetCode(), p.String()})
		}
	}
	out := make([]periodic, 0, len(byDue))
	for _, p := range byDue {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].due.Before(out[j].due) })
	return out, nil
}

// periodicDue is a campaign's periodic due times, kept between scans: a published standard
// never changes, so they change only with the campaign's year, submission deadline or zone.
func (s *Server) periodicDue(ctx context.Context, c *ent.Campaign, loc *time.Location) ([]periodic, error) {
	k := c.StandardID + "|" + strconv.Itoa(c.Year) + "|" + loc.String()
	if c.SubmissionEnd != nil {
		k += "|" + strconv.FormatInt(c.SubmissionEnd.Unix(), 10)
	}
	if d, ok := s.dues[k]; ok {
		return d, nil
	}
	std, err := s.st.Client.Standard.Get(store.System(ctx), c.StandardID)
	if err != nil {
		return nil, err
	}
	d, err := periodicDue(std.Indicators, &campaignRow{year: c.Year, submissionEnd: c.SubmissionEnd}, loc)
	if err != nil {
		return nil, err
	}
	if len(s.dues) >= 1000 {
		clear(s.dues)
	}
	s.dues[k] = d
	return d, nil
}

// campaignRow is what periodicDue needs of a campaign.
type campaignRow struct {
	year          int
	submissionEnd *time.Time
}

// evidenceReminders: around each due time of a campaign's periodic evidence, the users of
// every unit whose application still lacks a submitted revision of one of the items due
// then are reminded, unless the office extended its deadline past that time.
func (s *Server) evidenceReminders(ctx context.Context, now time.Time, cache map[string]*officeRules) ([]reminderSpec, error) {
	sys := store.System(ctx)
	cs, err := s.st.Client.Campaign.Query().Where(campaign.StateIn(campaign.StateOPEN, campaign.StateSUBMISSION)).All(sys)
	if err != nil {
		return nil, err
	}
	var out []reminderSpec
	for _, c := range cs {
		r, err := s.rules(ctx, cache, c.OfficeID)
		if err != nil {
			return nil, err
		}
		dues, err := s.periodicDue(ctx, c, r.loc)
		if err != nil {
			return nil, err
		}
		for _, d := range dues {
			off := due(d.due, now, r.loc, r.before, r.after)
			if off == 0 || s.sent(ctx, key("evidence", c.ID, d.due, off)) {
				continue
			}
			apps, err := s.st.Client.Application.Query().Where(application.CampaignID(c.ID), application.StateIn(application.StateDRAFT,
				application.StateSUBMITTED, application.StateIN_REVIEW, application.StateRETURNED, application.StateRESUBMITTED)).All(sys)
			if err != nil || len(apps) == 0 {
				if err != nil {
					return nil, err
				}
				continue
			}
			ids := make([]string, len(apps))
			for i, a := range apps {
				ids[i] = a.ID
			}
			done := map[string]map[[2]string]bool{}
			evs, err := s.st.Client.Evidence.Query().Where(evidence.ApplicationIDIn(ids...),
				evidence.StateIn(evidence.StateSUBMITTED, evidence.StateACCEPTED)).All(sys)
			if err != nil {
				return nil, err
			}
			for _, e := range evs {
				if done[e.ApplicationID] == nil {
					done[e.ApplicationID] = map[[2]string]bool{}
				}
				done[e.ApplicationID][[2]string{e.IndicatorCode, e.Period}] = true
			}
			exts, err := s.st.Client.DeadlineExtension.Query().Where(deadlineextension.ApplicationIDIn(ids...),
				deadlineextension.DueTimeGT(d.due)).All(sys)
			if err != nil {
				return nil, err
			}
			extended := func(app string, it [2]string) bool {
				for _, x := range exts {
					if x.ApplicationID == app && (x.IndicatorCode == "" || x.IndicatorCode == it[0]) && (x.Period == "" || x.Period == it[1]) {
						return true
					}
				}
				return false
			}
			late := map[string]string{} // unit → application
			for _, a := range apps {
				for _, it := range d.items {
					if !done[a.ID][it] && !extended(a.ID, it) {
						late[a.UnitID] = a.ID
						break
					}
				}
			}
			if len(late) == 0 {
				continue
			}
			units := make([]string, 0, len(late))
			for u := range late {
				units = append(units, u)
			}
			users, err := s.unitUsers(ctx, units, authzv1.Role_ROLE_UNIT_ADMIN, authzv1.Role_ROLE_UNIT_SUBMITTER)
			if err != nil {
				return nil, err
			}
			names := map[string]bool{}
			var list []string
			for _, it := range d.items {
				if !names[it[1]] {
					names[it[1]] = true
					list = append(list, it[1])
				}
			}
			date := d.due.In(r.loc).Format("2006-01-02 15:04")
			subject := "《" + c.DisplayName + "》" + strings.Join(list, "、") + " 期台账材料须于 " + date + " 前报送，本单位尚有指标未报送"
			if off > 0 {
				subject = "《" + c.DisplayName + "》" + strings.Join(list, "、") + " 期台账材料已于 " + date + " 截止，本单位仍有指标未报送"
			}
			spec := reminderSpec{kind: kindOf(off, "EVIDENCE_DUE", "EVIDENCE_OVERDUE"), subject: subject, officeID: c.OfficeID, scope: c.ScopePath,
				resourceType: "campaign", resourceID: c.ID, deadline: d.due, offset: off, what: "evidence", recipients: map[string][2]string{}}
			for unit, us := range users {
				for _, id := range us {
					spec.recipients[id] = [2]string{"application", late[unit]}
				}
			}
			out = append(out, spec)
		}
	}
	return out, nil
}

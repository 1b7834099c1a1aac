package standards

import (
	"context"
	"fmt"
	"slices"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// CampaignMove reports whether a campaign may move from one state to another: one phase
// on, as TransitionCampaign allows (docs/standard-formats.md).
func CampaignMove(from, to campaign.State) bool {
	i := slices.Index(phases, from)
	return i >= 0 && i+1 < len(phases) && phases[i+1] == to
}

// VerifyCampaignTrail replays every campaign's audit events against its lifecycle, for
// `wenming check` (docs/operations.md, Checking the data): the trail must begin with the
// campaign's creation in DRAFT, every campaign.transition must be a legal move from the
// state the trail reached, recorded once, and the trail must end in the row's state. A
// campaign `wenming seed` loaded moved without a trail: after its seed.load event any
// state is accepted. It reads as the system, a page of campaigns at a time, and calls
// report for each violation.
func VerifyCampaignTrail(ctx context.Context, db *ent.Client, report func(subject, problem string)) (map[string]int64, error) {
	sys := store.System(ctx)
	counts := map[string]int64{"campaigns": 0, "transitions": 0}
	last := ""
	for {
		rows, err := db.Campaign.Query().Where(campaign.IDGT(last)).Order(ent.Asc(campaign.FieldID)).Limit(500).
			Select(campaign.FieldID, campaign.FieldState).All(sys)
		if err != nil || len(rows) == 0 {
			return counts, err
		}
		ids := make([]string, len(rows))
		for i, c := range rows {
			ids[i] = c.ID
		}
		events, err := audit.EventsOf(ctx, db, "campaign", ids)
		if err != nil {
			return counts, err
		}
		for _, c := range rows {
			counts["campaigns"]++
			counts["transitions"] += replayCampaign(c, events[c.ID], report)
		}
		last = rows[len(rows)-1].ID
	}
}

// replayCampaign checks one campaign's trail and returns how many transitions it holds.
func replayCampaign(c *ent.Campaign, events []*ent.AuditEvent, report func(subject, problem string)) int64 {
	subject := "campaign/" + c.ID
	state := campaign.State("") // "" before the creation; "*" once a seed loaded it
	var n int64
	var prev *ent.AuditEvent
	for _, e := range events {
		at := fmt.Sprintf("event %s (%s, sequence %d of office %s)", e.ID, e.Action, e.Sequence, e.OfficeID)
		switch e.Action {
		case "campaign.create":
			if state != "" {
				report(subject, at+": a second creation")
			}
			state = campaign.State(audit.Field(e.After, "state"))
			if state != campaign.StateDRAFT {
				report(subject, at+": created in "+string(state)+", not DRAFT")
			}
		case audit.ActionSeedLoad:
			state = "*"
		case "campaign.transition":
			n++
			from, to := campaign.State(audit.Field(e.Before, "state")), campaign.State(audit.Field(e.After, "to"))
			switch {
			case !CampaignMove(from, to):
				report(subject, fmt.Sprintf("%s: %s → %s is not a move of the lifecycle", at, from, to))
			case state == "*":
			case from != state && prev != nil && prev.Action == e.Action && prev.Before == e.Before && prev.After == e.After:
				report(subject, fmt.Sprintf("%s: the move %s → %s is recorded twice", at, from, to))
			case from != state:
				report(subject, fmt.Sprintf("%s: moves from %s, but the trail left it in %s (a transition without an event)", at, from, state))
			}
			state = to
		}
		prev = e
	}
	switch {
	case state == "":
		report(subject, "no audit event records its creation")
	case state != "*" && state != c.State:
		report(subject, fmt.Sprintf("the campaign is %s, but its trail ends in %s (a transition without an event)", c.State, state))
	}
	return n
}

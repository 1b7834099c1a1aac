package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/evidencefile"
	"github.com/wenming-platform/wenming/ent/evidencerevision"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// verifyPage is how many rows the verifications read at once: memory stays flat however
// many files and applications a province holds.
const verifyPage = 500

// VerifyFiles checks the promise of docs/evidence.md for `wenming check`
// (docs/operations.md, Checking the data): every file row's blob exists and holds exactly
// the bytes the row names, by size and SHA-256 (read through, never held in memory), and
// every file a revision names is a file row of the revision's application. It reads as the
// system and calls report for each violation.
func VerifyFiles(ctx context.Context, db *ent.Client, blobs blob.Store, report func(subject, problem string)) (map[string]int64, error) {
	sys := store.System(ctx)
	counts := map[string]int64{"files": 0, "bytes": 0, "revisions": 0, "revision_files": 0}
	last := ""
	for {
		rows, err := db.EvidenceFile.Query().Where(evidencefile.IDGT(last)).Order(ent.Asc(evidencefile.FieldID)).Limit(verifyPage).All(sys)
		if err != nil {
			return counts, err
		}
		for _, f := range rows {
			counts["files"]++
			counts["bytes"] += f.Size
			if problem, err := checkBlob(ctx, blobs, f); err != nil {
				return counts, err
			} else if problem != "" {
				report("evidence_file/"+f.ID, problem)
			}
		}
		if len(rows) < verifyPage {
			break
		}
		last = rows[len(rows)-1].ID
	}
	last = ""
	for {
		revs, err := db.EvidenceRevision.Query().Where(evidencerevision.IDGT(last)).Order(ent.Asc(evidencerevision.FieldID)).
			Limit(verifyPage).Select(evidencerevision.FieldID, evidencerevision.FieldApplicationID, evidencerevision.FieldFileIds).All(sys)
		if err != nil {
			return counts, err
		}
		var ids []string
		for _, r := range revs {
			ids = append(ids, r.FileIds...)
		}
		owner := map[string]string{}
		if len(ids) > 0 {
			files, err := db.EvidenceFile.Query().Where(evidencefile.IDIn(ids...)).
				Select(evidencefile.FieldID, evidencefile.FieldApplicationID).All(sys)
			if err != nil {
				return counts, err
			}
			for _, f := range files {
				owner[f.ID] = f.ApplicationID
			}
		}
		for _, r := range revs {
			counts["revisions"]++
			for _, id := range r.FileIds {
				counts["revision_files"]++
				switch app, ok := owner[id]; {
				case !ok:
					report("evidence_revision/"+r.ID, "names file "+id+", which has no row")
				case app != r.ApplicationID:
					report("evidence_revision/"+r.ID, "names file "+id+" of application "+app+", not its own "+r.ApplicationID)
				}
			}
		}
		if len(revs) < verifyPage {
			return counts, nil
		}
		last = revs[len(revs)-1].ID
	}
}

// checkBlob returns what is wrong with file f's blob, "" when nothing is; err only when
// the store fails otherwise than by lacking the blob.
func checkBlob(ctx context.Context, blobs blob.Store, f *ent.EvidenceFile) (string, error) {
	r, err := blobs.Open(ctx, f.Sha256, 0, 0)
	if errors.Is(err, blob.ErrNotFound) {
		return "its blob " + f.Sha256 + " is missing", nil
	}
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", fmt.Errorf("reading blob %s: %w", f.Sha256, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != f.Size || sum != f.Sha256 {
		return fmt.Sprintf("its blob holds %d bytes with SHA-256 %s; the row says %d bytes, %s", n, sum, f.Size, f.Sha256), nil
	}
	return "", nil
}

// ApplicationMoves are the legal moves of an application (docs/evidence.md,
// docs/review.md): each state and the states it may move to. Unrecorded marks the moves
// made as a consequence of another resource's change, whose audit event names that
// resource (a sheet finalized, reviewers assigned, evidence returned, a campaign closed)
// rather than the application's states; every other move is recorded by an event of the
// application with its state before and after.
var ApplicationMoves = map[application.State][]application.State{
	application.StateDRAFT:       {application.StateSUBMITTED, application.StateWITHDRAWN},
	application.StateSUBMITTED:   {application.StateIN_REVIEW, application.StateWITHDRAWN, application.StateNOT_RECOMMENDED},
	application.StateIN_REVIEW:   {application.StateRETURNED, application.StateSCORED, application.StateVETOED, application.StateNOT_RECOMMENDED},
	application.StateRETURNED:    {application.StateRESUBMITTED, application.StateSCORED, application.StateVETOED, application.StateNOT_RECOMMENDED},
	application.StateRESUBMITTED: {application.StateRETURNED, application.StateSCORED, application.StateVETOED, application.StateNOT_RECOMMENDED},
	application.StateSCORED: {application.StateIN_REVIEW, application.StateVETOED, application.StateRECOMMENDED,
		application.StateNOT_RECOMMENDED},
	application.StateVETOED:      {application.StateIN_REVIEW, application.StateSCORED},
	application.StateRECOMMENDED: {application.StateNAMED, application.StateNOT_RECOMMENDED},
}

// Unrecorded are the moves of ApplicationMoves no application event states: the review
// service's settling of results (in and out of SCORED and VETOED), the assignment of
// reviewers, a return of evidence, and the naming when a campaign closes.
var Unrecorded = map[[2]application.State]bool{
	{application.StateSUBMITTED, application.StateIN_REVIEW}:  true,
	{application.StateIN_REVIEW, application.StateRETURNED}:   true,
	{application.StateRESUBMITTED, application.StateRETURNED}: true,
	{application.StateIN_REVIEW, application.StateSCORED}:     true,
	{application.StateIN_REVIEW, application.StateVETOED}:     true,
	{application.StateRETURNED, application.StateSCORED}:      true,
	{application.StateRETURNED, application.StateVETOED}:      true,
	{application.StateRESUBMITTED, application.StateSCORED}:   true,
	{application.StateRESUBMITTED, application.StateVETOED}:   true,
	{application.StateSCORED, application.StateIN_REVIEW}:     true,
	{application.StateVETOED, application.StateIN_REVIEW}:     true,
	{application.StateSCORED, application.StateVETOED}:        true,
	{application.StateVETOED, application.StateSCORED}:        true,
	{application.StateRECOMMENDED, application.StateNAMED}:    true,
}

// ApplicationMove reports whether an application may move from one state to another.
func ApplicationMove(from, to application.State) bool {
	for _, s := range ApplicationMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// silently reports whether an application can get from one state to another through
// unrecorded moves only (none at all included).
func silently(from, to application.State) bool {
	seen := map[application.State]bool{from: true}
	next := []application.State{from}
	for len(next) > 0 {
		s := next[0]
		next = next[1:]
		if s == to {
			return true
		}
		for _, t := range ApplicationMoves[s] {
			if Unrecorded[[2]application.State{s, t}] && !seen[t] {
				seen[t] = true
				next = append(next, t)
			}
		}
	}
	return false
}

// VerifyApplicationTrail replays every application's audit events against its lifecycle
// (ApplicationMoves), for `wenming check` (docs/operations.md, Checking the data): the
// trail begins with the application's creation; every event that states a move names a
// legal one, starting from the state the trail reached (else a recorded move has no event,
// or one event was recorded twice); and the row's state is the trail's last, or one
// unrecorded moves lead to. Applications `wenming seed` loaded have no trail of their own:
// they are counted as untracked when their campaign has a seed.load event. It reads as the
// system, a page of applications at a time, and calls report for each violation.
func VerifyApplicationTrail(ctx context.Context, db *ent.Client, report func(subject, problem string)) (map[string]int64, error) {
	sys := store.System(ctx)
	counts := map[string]int64{"applications": 0, "moves": 0, "untracked": 0}
	seeded := map[string]bool{}
	last := ""
	for {
		rows, err := db.Application.Query().Where(application.IDGT(last)).Order(ent.Asc(application.FieldID)).Limit(verifyPage).
			Select(application.FieldID, application.FieldState, application.FieldCampaignID).All(sys)
		if err != nil || len(rows) == 0 {
			return counts, err
		}
		ids := make([]string, len(rows))
		var campaigns []string
		for i, a := range rows {
			ids[i] = a.ID
			if _, ok := seeded[a.CampaignID]; !ok {
				campaigns = append(campaigns, a.CampaignID)
				seeded[a.CampaignID] = false
			}
		}
		if len(campaigns) > 0 {
			loads, err := audit.EventsOf(ctx, db, "campaign", campaigns)
			if err != nil {
				return counts, err
			}
			for id, es := range loads {
				for _, e := range es {
					seeded[id] = seeded[id] || e.Action == audit.ActionSeedLoad
				}
			}
		}
		events, err := audit.EventsOf(ctx, db, "application", ids)
		if err != nil {
			return counts, err
		}
		for _, a := range rows {
			counts["applications"]++
			if len(events[a.ID]) == 0 && seeded[a.CampaignID] {
				counts["untracked"]++
				continue
			}
			counts["moves"] += replayApplication(a, events[a.ID], report)
		}
		last = rows[len(rows)-1].ID
	}
}

// creations are the events that create an application, and the state each leaves it in
// when the event does not say.
var creations = map[string]application.State{
	"application.create":         application.StateDRAFT,
	"application.recommend_into": application.StateSUBMITTED,
	"application.enter":          application.StateDRAFT,
}

// replayApplication checks one application's trail and returns how many recorded moves it
// holds.
func replayApplication(a *ent.Application, events []*ent.AuditEvent, report func(subject, problem string)) int64 {
	subject := "application/" + a.ID
	var state application.State // "" before the creation
	var n int64
	var prev [2]application.State
	for _, e := range events {
		at := fmt.Sprintf("event %s (%s, sequence %d of office %s)", e.ID, e.Action, e.Sequence, e.OfficeID)
		if def, ok := creations[e.Action]; ok {
			if state != "" {
				report(subject, at+": a second creation")
			}
			state = def
			if s := application.State(audit.Field(e.After, "state")); s != "" {
				state = s
			}
			continue
		}
		from, to := application.State(audit.Field(e.Before, "state")), application.State(audit.Field(e.After, "state"))
		if from == "" || to == "" || from == to {
			continue // an event that moves nothing, or states no move
		}
		n++
		move := [2]application.State{from, to}
		switch {
		case !ApplicationMove(from, to):
			report(subject, fmt.Sprintf("%s: %s → %s is not a move of the lifecycle", at, from, to))
		case state == "":
			report(subject, at+": a move before any event records the application's creation")
		case !silently(state, from) && move == prev:
			report(subject, fmt.Sprintf("%s: the move %s → %s is recorded twice", at, from, to))
		case !silently(state, from):
			report(subject, fmt.Sprintf("%s: moves from %s, but the trail left it in %s (a transition without an event)", at, from, state))
		}
		state, prev = to, move
	}
	switch {
	case state == "":
		report(subject, "no audit event records its creation")
	case !silently(state, a.State):
		report(subject, fmt.Sprintf("the application is %s, but its trail ends in %s (a transition without an event)", a.State, state))
	}
	return n
}

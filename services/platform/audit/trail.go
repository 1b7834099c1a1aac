package audit

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// ActionSeedLoad is the one event `wenming seed` records for everything it bulk-loads into
// a campaign: the rows it wrote carry no trail of their own (docs/review.md).
const ActionSeedLoad = "seed.load"

// EventsOf returns the events of resources ids of resourceType, by resource id, each
// resource's in the order they were recorded. The invariant checks replay them
// (docs/operations.md, Checking the data); the caller bounds how many ids it asks for at once.
func EventsOf(ctx context.Context, client *ent.Client, resourceType string, ids []string) (map[string][]*ent.AuditEvent, error) {
	rows, err := client.AuditEvent.Query().Where(auditevent.ResourceType(resourceType), auditevent.ResourceIDIn(ids...)).
		All(store.System(ctx))
	if err != nil {
		return nil, err
	}
	// Within one chain the sequence is the order of commits; a resource's events live in
	// its owning office's chain, and across chains the time is all there is.
	slices.SortFunc(rows, func(a, b *ent.AuditEvent) int {
		if a.OfficeID == b.OfficeID {
			return int(a.Sequence - b.Sequence)
		}
		return a.CreateTime.Compare(b.CreateTime)
	})
	out := map[string][]*ent.AuditEvent{}
	for _, e := range rows {
		out[e.ResourceID] = append(out[e.ResourceID], e)
	}
	return out, nil
}

// Field returns the top-level string field name of an event's stored Before or After
// text (JSON with the proto field names), without an enum's prefix up to and including
// "_STATE_": "" when it is absent.
func Field(text, name string) string {
	if text == "" {
		return ""
	}
	var m map[string]any
	if json.Unmarshal([]byte(text), &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	if _, after, ok := strings.Cut(s, "_STATE_"); ok {
		return after
	}
	return s
}

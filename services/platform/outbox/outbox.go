// Package outbox turns changes into webhook deliveries inside the transaction that makes
// the change (docs/notifications.md): a delivery row exists exactly when the change
// committed, so no event is lost in a crash and none is sent for a change that rolled
// back. The notify service delivers the rows.
package outbox

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/webhook"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// The event types a webhook subscribes to.
const (
	ApplicationSubmitted = "application.submitted"
	ApplicationReturned  = "application.returned"
	ApplicationScored    = "application.scored"
	CampaignPhaseChanged = "campaign.phase_changed"
	ObjectionReceived    = "objection.received"
	TitleChanged         = "title.changed"
	ReminderSent         = "reminder.sent"
)

// Types are every event type, in the order the docs list them.
var Types = []string{ApplicationSubmitted, ApplicationReturned, ApplicationScored, CampaignPhaseChanged, ObjectionReceived, TitleChanged, ReminderSent}

// byAction maps the audit actions that are webhook events to their types. Scoring has no
// action of its own (the last finalize settles the result), so the review service emits
// ApplicationScored itself.
var byAction = map[string]string{
	"application.submitted":       ApplicationSubmitted,
	"application.resubmitted":     ApplicationSubmitted,
	"application.return_evidence": ApplicationReturned,
	"campaign.transition":         CampaignPhaseChanged,
	"objection.create":            ObjectionReceived,
	"title.record":                TitleChanged,
	"title.name":                  TitleChanged,
	"title.transition":            TitleChanged,
	"title.propose_revocation":    TitleChanged,
	"title.dismiss_revocation":    TitleChanged,
}

// TypeOf is the event type of an audit action, or "" when it is none.
func TypeOf(action string) string { return byAction[action] }

// Event is a change the offices of its line may subscribe to.
type Event struct {
	Type         string
	OfficeID     string // the office whose trail records the change
	ScopePath    string // the changed resource's: webhooks of the offices above it receive it
	ResourceType string
	ResourceID   string
	// Data is the resource after the change, as the trail records it.
	Data proto.Message
	Time time.Time
}

// Payload is the JSON body every delivery carries.
type Payload struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	CreateTime   time.Time       `json:"createTime"`
	OfficeID     string          `json:"officeId"`
	ResourceType string          `json:"resourceType"`
	ResourceID   string          `json:"resourceId"`
	Data         json.RawMessage `json:"data,omitempty"`
}

// Emit writes one delivery of e, within tx, for every enabled webhook of an office at or
// above e.ScopePath that subscribes to e.Type. It reads and writes as the system: the
// webhooks belong to other offices than the caller's.
func Emit(ctx context.Context, tx *ent.Tx, e Event) error {
	sys := store.System(ctx)
	scopes := append(viewer.Above(e.ScopePath), e.ScopePath)
	hooks, err := tx.Webhook.Query().Where(webhook.ScopePathIn(scopes...), webhook.Disabled(false)).
		Select(webhook.FieldID, webhook.FieldOfficeID, webhook.FieldScopePath, webhook.FieldEvents).All(sys)
	if err != nil || len(hooks) == 0 {
		return err
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	p := Payload{ID: resource.NewID(), Type: e.Type, CreateTime: e.Time.UTC(), OfficeID: e.OfficeID,
		ResourceType: e.ResourceType, ResourceID: e.ResourceID}
	if e.Data != nil {
		if p.Data, err = protojson.Marshal(e.Data); err != nil {
			return err
		}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	// Deliveries run on the wall clock, whatever time the event carries.
	now := time.Now()
	for _, h := range hooks {
		if !slices.Contains(h.Events, e.Type) {
			continue
		}
		err := tx.WebhookDelivery.Create().SetID(resource.NewID()).SetOfficeID(h.OfficeID).SetScopePath(h.ScopePath).
			SetWebhookID(h.ID).SetEventID(p.ID).SetEventType(e.Type).SetPayload(body).SetNextAttemptTime(now).
			SetCreateTime(now).Exec(sys)
		if err != nil {
			return err
		}
	}
	return nil
}

// Package audit appends AuditEvents (留痕) inside the transaction of the change they record,
// chained per office by SHA-256 so that editing or deleting an event breaks the chain, and
// verifies the chains.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// PlatformOffice is the chain of platform-level events (bootstrap, key rotation).
const PlatformOffice = "platform"

// Event is a change to record.
type Event struct {
	OfficeID     string
	ScopePath    string
	Action       string // e.g. "office.create"
	ResourceType string
	ResourceID   string
	Before       proto.Message // nil for a create
	After        proto.Message // nil for a delete
	RequestID    string
}

// Record appends e to its office's chain within tx. Chain order is serialized per office:
// on PostgreSQL by a transaction-scoped advisory lock, on SQLite by its single writer.
func Record(ctx context.Context, tx *ent.Tx, dialectName string, e Event) error {
	ctx = store.System(ctx)
	if dialectName == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "audit:"+e.OfficeID); err != nil {
			return fmt.Errorf("audit: lock: %w", err)
		}
	}
	last, err := tx.AuditEvent.Query().Where(auditevent.OfficeID(e.OfficeID)).
		Order(ent.Desc(auditevent.FieldSequence)).First(ctx)
	seq, prev := int64(1), ""
	switch {
	case err == nil:
		seq, prev = last.Sequence+1, last.Hash
	case !ent.IsNotFound(err):
		return fmt.Errorf("audit: last event: %w", err)
	}
	actor := "system"
	if v := viewer.FromContext(ctx); v != nil {
		actor = string(v.Kind) + ":" + v.Subject
		if v.Login != "" {
			actor += ":" + v.Login
		}
	}
	row := &ent.AuditEvent{
		ID: uuid.Must(uuid.NewV7()).String(), OfficeID: e.OfficeID, ScopePath: e.ScopePath,
		Sequence: seq, Actor: actor, Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID,
		Before: marshal(e.Before), After: marshal(e.After), RequestID: e.RequestID,
		CreateTime: time.Now().UTC().Truncate(time.Microsecond), PrevHash: prev,
	}
	row.Hash = Hash(row)
	return tx.AuditEvent.Create().SetID(row.ID).SetOfficeID(row.OfficeID).SetScopePath(row.ScopePath).
		SetSequence(row.Sequence).SetActor(row.Actor).SetAction(row.Action).
		SetResourceType(row.ResourceType).SetResourceID(row.ResourceID).
		SetBefore(row.Before).SetAfter(row.After).SetRequestID(row.RequestID).
		SetCreateTime(row.CreateTime).SetPrevHash(row.PrevHash).SetHash(row.Hash).Exec(ctx)
}

func marshal(m proto.Message) string {
	if m == nil {
		return ""
	}
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return ""
	}
	// Re-encode through encoding/json so the stored text is compact and stable.
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// Hash is the chain hash of an event: SHA-256 over its fields and its predecessor's hash.
func Hash(e *ent.AuditEvent) string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, e.ID, e.OfficeID, e.ScopePath, strconv.FormatInt(e.Sequence, 10), e.Actor, e.Action,
		e.ResourceType, e.ResourceID, e.Before, e.After, e.RequestID,
		e.CreateTime.UTC().Format(time.RFC3339Nano),
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Break is the first broken link of a chain.
type Break struct {
	OfficeID string
	Sequence int64
	EventID  string
	Reason   string
}

// Verify walks every office's chain in order and returns the first broken link of each
// broken chain, and how many events it checked.
func Verify(ctx context.Context, c *ent.Client) ([]Break, int, error) {
	ctx = store.System(ctx)
	var (
		breaks  []Break
		checked int
		after   string
	)
	prev := map[string]*ent.AuditEvent{}
	broken := map[string]bool{}
	for {
		// Page through in (office, sequence) order to keep memory flat.
		q := c.AuditEvent.Query().Order(ent.Asc(auditevent.FieldOfficeID), ent.Asc(auditevent.FieldSequence)).Limit(1000)
		rows, err := q.Offset(checked).All(ctx)
		if err != nil {
			return nil, checked, err
		}
		for _, e := range rows {
			checked++
			if broken[e.OfficeID] {
				continue
			}
			p := prev[e.OfficeID]
			wantSeq, wantPrev := int64(1), ""
			if p != nil {
				wantSeq, wantPrev = p.Sequence+1, p.Hash
			}
			reason := ""
			switch {
			case e.Sequence != wantSeq:
				reason = fmt.Sprintf("sequence %d follows %d (an event is missing)", e.Sequence, wantSeq-1)
			case e.PrevHash != wantPrev:
				reason = "prev_hash does not match the previous event's hash"
			case Hash(e) != e.Hash:
				reason = "hash does not match the event's content (the event was altered)"
			}
			if reason != "" {
				broken[e.OfficeID] = true
				breaks = append(breaks, Break{OfficeID: e.OfficeID, Sequence: e.Sequence, EventID: e.ID, Reason: reason})
			}
			if after != e.OfficeID {
				delete(prev, after)
				after = e.OfficeID
			}
			prev[e.OfficeID] = e
		}
		if len(rows) < 1000 {
			return breaks, checked, nil
		}
	}
}

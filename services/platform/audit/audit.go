package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// PlatformOffice is the chain of platform-level events (bootstrap, key rotation, and the
// creation of top-level offices).
const PlatformOffice = "platform"

// PlatformScope is the scope path of the platform chain's events.
const PlatformScope = "/" + PlatformOffice + "/"

// ActionOfficeCreate is the action of an office's creation. It is recorded twice: first in
// the parent's chain (the platform chain for a top-level office) with the new office as
// its resource, then as the first event of the new office's own chain. Verify expects a
// chain for every office named by such an event.
const ActionOfficeCreate = "office.create"

// Event is a change to record.
type Event struct {
	OfficeID     string
	ScopePath    string
	Action       string // e.g. "office.create"
	ResourceType string
	ResourceID   string
	Before       proto.Message // nil for a create
	After        proto.Message // nil for a delete
	// RequestID is the id of the request that made the change, empty on the command line.
	// Handlers leave it empty: mutate.Writer.Record fills it from the request's context.
	RequestID string
}

// Chain records and verifies the audit chains of one deployment. It holds the HMAC key of
// the chains and the key that signs checkpoints, both derived from the master key. Build
// one per process (NewChain) and hand it to the code that records.
type Chain struct {
	key     []byte
	signer  ed25519.PrivateKey
	dialect string
	// held are the chain locks each open transaction holds, so a write that took one
	// before recording does not ask the database for it again.
	held sync.Map // *ent.Tx → map[string]bool
}

// NewChain returns the Chain keyed by m, recording on a database of dialectName.
func NewChain(m *secrets.Master, dialectName string) *Chain {
	return &Chain{key: m.AuditHMACKey(), signer: m.AuditSigningKey(), dialect: dialectName}
}

// Pseudonym is a keyed, one-way name for text the trail must not hold but should still
// link (a login that matched no account may be a mistyped password): the same text always
// gives the same pseudonym, and without the audit key it cannot be reversed or guessed.
func (c *Chain) Pseudonym(text string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("pseudonym\x00" + text))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// Lock takes the lock that orders officeID's chain, for the rest of tx (Record takes it
// too). A write that may wait on another's rows takes it first, so that two writes of one
// office always lock in the same order and never deadlock: the chain, then the rows.
func (c *Chain) Lock(ctx context.Context, tx *ent.Tx, officeID string) error {
	v, loaded := c.held.LoadOrStore(tx, map[string]bool{})
	held := v.(map[string]bool)
	if !loaded {
		// The locks end with the transaction, and so does the memo of them.
		forget := func() { c.held.Delete(tx) }
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error { defer forget(); return next.Commit(ctx, tx) })
		})
		tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
			return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error { defer forget(); return next.Rollback(ctx, tx) })
		})
	}
	if held[officeID] {
		return nil
	}
	if err := store.Lock(ctx, tx, c.dialect, "audit:"+officeID); err != nil {
		return err
	}
	held[officeID] = true
	return nil
}

// Record appends e to its office's chain within tx. Chain order is serialized per office:
// on PostgreSQL by a transaction-scoped advisory lock, on SQLite by its single writer.
func (c *Chain) Record(ctx context.Context, tx *ent.Tx, e Event) error {
	ctx = store.System(ctx)
	if err := c.Lock(ctx, tx, e.OfficeID); err != nil {
		return err
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
	row := &ent.AuditEvent{
		ID: uuid.Must(uuid.NewV7()).String(), OfficeID: e.OfficeID, ScopePath: e.ScopePath,
		Sequence: seq, Actor: Actor(ctx), Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID,
		Before: marshal(e.Before), After: marshal(e.After), RequestID: e.RequestID,
		CreateTime: time.Now().UTC().Truncate(time.Microsecond), PrevHash: prev,
	}
	row.Hash = c.Hash(row)
	return tx.AuditEvent.Create().SetID(row.ID).SetOfficeID(row.OfficeID).SetScopePath(row.ScopePath).
		SetSequence(row.Sequence).SetActor(row.Actor).SetAction(row.Action).
		SetResourceType(row.ResourceType).SetResourceID(row.ResourceID).
		SetBefore(row.Before).SetAfter(row.After).SetRequestID(row.RequestID).
		SetCreateTime(row.CreateTime).SetPrevHash(row.PrevHash).SetHash(row.Hash).Exec(ctx)
}

// Actor names the caller of ctx as the trail records it: "user:<id>:<login>",
// "service_account:<id>", or "system" outside a request. Histories kept beside the trail
// (a title's moves) name their actors the same way.
func Actor(ctx context.Context) string {
	v := viewer.FromContext(ctx)
	if v == nil {
		return "system"
	}
	actor := string(v.Kind) + ":" + v.Subject
	if v.Login != "" {
		actor += ":" + v.Login
	}
	return actor
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

// Hash is the chain hash of an event: HMAC-SHA256 under the chain key over its fields
// (each prefixed with its length) and its predecessor's hash. Without the key no one can
// compute it, so a rewritten event cannot be given a hash that verifies.
func (c *Chain) Hash(e *ent.AuditEvent) string {
	h := hmac.New(sha256.New, c.key)
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

// valid reports whether e's stored hash is its HMAC, compared in constant time.
func (c *Chain) valid(e *ent.AuditEvent) bool {
	return hmac.Equal([]byte(c.Hash(e)), []byte(e.Hash))
}

// Break is the first broken link of a chain. Sequence is 0 and EventID empty for a chain
// that is missing altogether.
type Break struct {
	OfficeID string
	Sequence int64
	EventID  string
	Reason   string
}

// Verify walks every office's chain in order and returns the first broken link of each
// broken chain, and how many events it checked. A chain is broken when an event's
// sequence, link to its predecessor or HMAC is wrong, when it does not begin at sequence
// 1, or when it is missing although the office exists or its creation is recorded in
// another chain. Deleting the newest events of a chain is not detected here: see
// CheckCheckpoint.
func (c *Chain) Verify(ctx context.Context, client *ent.Client) ([]Break, int, error) {
	ctx = store.System(ctx)
	var (
		breaks  []Break
		checked int
		after   string
	)
	prev := map[string]*ent.AuditEvent{}
	seen := map[string]bool{}
	broken := map[string]bool{}
	// expected names the chains that must exist, with why.
	expected := map[string]string{}
	for {
		// Page through in (office, sequence) order to keep memory flat.
		q := client.AuditEvent.Query().Order(ent.Asc(auditevent.FieldOfficeID), ent.Asc(auditevent.FieldSequence)).Limit(1000)
		rows, err := q.Offset(checked).All(ctx)
		if err != nil {
			return nil, checked, err
		}
		for _, e := range rows {
			checked++
			seen[e.OfficeID] = true
			if e.Action == ActionOfficeCreate && e.ResourceType == "office" && e.ResourceID != e.OfficeID {
				if _, ok := expected[e.ResourceID]; !ok {
					expected[e.ResourceID] = fmt.Sprintf("its creation is event %d of chain %s", e.Sequence, e.OfficeID)
				}
			}
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
			case p == nil && e.Sequence != 1:
				reason = fmt.Sprintf("the chain begins at sequence %d, not 1 (its first events are missing)", e.Sequence)
			case e.Sequence != wantSeq:
				reason = fmt.Sprintf("sequence %d follows %d (an event is missing)", e.Sequence, wantSeq-1)
			case e.PrevHash != wantPrev:
				reason = "prev_hash does not match the previous event's hash"
			case !c.valid(e):
				reason = "hash does not match the event's content (the event was altered, or hashed without the audit key)"
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
			break
		}
	}
	// Every office has a chain: its creation is its first event.
	offices, err := client.Office.Query().Select(office.FieldID, office.FieldParentID).All(ctx)
	if err != nil {
		return nil, checked, err
	}
	for _, o := range offices {
		expected[o.ID] = "the office exists"
		if o.ParentID == "" {
			expected[PlatformOffice] = "top-level office " + o.ID + " exists"
		}
	}
	// The first signing key's creation is recorded in the platform chain.
	if _, ok := expected[PlatformOffice]; !ok {
		keys, err := client.SigningKey.Query().Exist(ctx)
		if err != nil {
			return nil, checked, err
		}
		if keys {
			expected[PlatformOffice] = "signing keys exist, and their rotation is recorded there"
		}
	}
	for id, why := range expected {
		if !seen[id] {
			breaks = append(breaks, Break{OfficeID: id, Reason: "the chain is missing (deleted): " + why})
		}
	}
	slices.SortFunc(breaks, func(a, b Break) int { return strings.Compare(a.OfficeID, b.OfficeID) })
	return breaks, checked, nil
}

// Heads returns the sequence of the newest event of each office's chain (0 for an office
// with none). Every change of an office's rows appends to its chain in the same transaction,
// and the chain's lock orders the appends in commit order, so a head only grows and moves with
// every committed change: a fingerprint of the offices' data that costs one index probe each
// (the review service's summary ETags are made of it).
func Heads(ctx context.Context, db *sql.DB, dialectName string, officeIDs []string) (map[string]int64, error) {
	out := make(map[string]int64, len(officeIDs))
	for chunk := range slices.Chunk(officeIDs, 200) {
		parts := make([]string, len(chunk))
		args := make([]any, 0, 2*len(chunk))
		for i, id := range chunk {
			p1, p2 := "?", "?"
			if dialectName == dialect.Postgres {
				p1, p2 = "$"+strconv.Itoa(2*i+1)+"::text", "$"+strconv.Itoa(2*i+2)
			}
			parts[i] = "SELECT " + p1 + ", (SELECT max(sequence) FROM audit_events WHERE office_id = " + p2 + ")"
			args = append(args, id, id)
		}
		rows, err := db.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
		if err != nil {
			return nil, fmt.Errorf("audit: heads: %w", err)
		}
		for rows.Next() {
			var id string
			var seq sql.NullInt64
			if err := rows.Scan(&id, &seq); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = seq.Int64
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

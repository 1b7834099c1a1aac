package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

// fixture is a small tree with its chains: the platform chain records province p's
// creation; p's chain records its own creation, then district d's, then edits; d's chain
// records its creation and edits.
type fixture struct {
	st    *store.Store
	chain *audit.Chain
}

const (
	province = "p-office"
	district = "d-office"
)

func setup(t *testing.T, kind storetest.Kind) *fixture {
	t.Helper()
	m, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: storetest.Open(t, kind)}
	f.chain = audit.NewChain(m, f.st.Dialect)
	f.createOffice(t, province, "", "/"+province+"/")
	f.createOffice(t, district, province, "/"+province+"/"+district+"/")
	for i := range 3 {
		f.record(t, province, "/"+province+"/", "office.update", province, i)
		f.record(t, district, "/"+province+"/"+district+"/", "unit.create", "unit-"+strconv.Itoa(i), i)
	}
	return f
}

// createOffice creates an office the way tenancy does: the row, its creation in the
// parent's chain and its creation as the first event of its own chain, in one transaction.
func (f *fixture) createOffice(t *testing.T, id, parent, path string) {
	t.Helper()
	ctx := store.System(context.Background())
	err := f.st.Tx(ctx, func(tx *ent.Tx) error {
		level := office.LevelPROVINCIAL
		if parent != "" {
			level = office.LevelDISTRICT
		}
		if err := tx.Office.Create().SetID(id).SetOfficeID(id).SetScopePath(path).SetParentID(parent).
			SetDisplayName(id).SetLevel(level).SetRegionCode("330000").Exec(ctx); err != nil {
			return err
		}
		parentChain, parentPath := audit.PlatformOffice, audit.PlatformScope
		if parent != "" {
			parentChain, parentPath = parent, strings.TrimSuffix(path, id+"/")
		}
		for _, c := range [][2]string{{parentChain, parentPath}, {id, path}} {
			if err := f.chain.Record(ctx, tx, audit.Event{
				OfficeID: c[0], ScopePath: c[1], Action: audit.ActionOfficeCreate, ResourceType: "office", ResourceID: id,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) record(t *testing.T, officeID, path, action, resource string, n int) {
	t.Helper()
	after, _ := structpb.NewStruct(map[string]any{"n": n, "name": "名称"})
	ctx := context.Background()
	err := f.st.Tx(store.System(ctx), func(tx *ent.Tx) error {
		return f.chain.Record(ctx, tx, audit.Event{
			OfficeID: officeID, ScopePath: path, Action: action, ResourceType: "thing", ResourceID: resource, After: after,
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// exec runs SQL written with ? markers on either database.
func (f *fixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if f.st.Dialect == "postgres" {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if _, err := f.st.DB.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) events(t *testing.T, officeID string) []*ent.AuditEvent {
	t.Helper()
	rows, err := f.st.Client.AuditEvent.Query().Where(auditevent.OfficeID(officeID)).
		Order(ent.Asc(auditevent.FieldSequence)).All(store.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func (f *fixture) verify(t *testing.T) []audit.Break {
	t.Helper()
	breaks, _, err := f.chain.Verify(context.Background(), f.st.Client)
	if err != nil {
		t.Fatal(err)
	}
	return breaks
}

func (f *fixture) checkpoint(t *testing.T, officeID string) *tenancyv1.AuditCheckpoint {
	t.Helper()
	cp, err := f.chain.Checkpoint(store.System(context.Background()), f.st.Client, officeID)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func (f *fixture) check(cp *tenancyv1.AuditCheckpoint) error {
	return f.chain.CheckCheckpoint(context.Background(), f.st.Client, cp)
}

// plainSHA256 is the unkeyed hash the chain used before it was keyed: anyone can compute
// it, which is why it no longer verifies.
func plainSHA256(e *ent.AuditEvent) string {
	h := sha256.New()
	for _, s := range []string{
		e.PrevHash, e.ID, e.OfficeID, e.ScopePath, strconv.FormatInt(e.Sequence, 10), e.Actor, e.Action,
		e.ResourceType, e.ResourceID, e.Before, e.After, e.RequestID, e.CreateTime.UTC().Format(time.RFC3339Nano),
	} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rewrite alters the actor of officeID's event seq and re-hashes it and every later event
// with hash, re-linking each to its new predecessor: a rewrite that leaves a consistent
// chain to anyone who does not hold the chain key.
func (f *fixture) rewrite(t *testing.T, officeID string, seq int64, hash func(*ent.AuditEvent) string) {
	t.Helper()
	prev := ""
	for _, e := range f.events(t, officeID) {
		if e.Sequence == seq {
			e.Actor = "user:someone-else"
		}
		if e.Sequence >= seq {
			e.PrevHash = prev
			e.Hash = hash(e)
			f.exec(t, "UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?", e.Actor, e.PrevHash, e.Hash, e.ID)
		}
		prev = e.Hash
	}
}

func wantBreak(t *testing.T, breaks []audit.Break, officeID string, seq int64, reason string) {
	t.Helper()
	if len(breaks) != 1 || breaks[0].OfficeID != officeID || breaks[0].Sequence != seq || !strings.Contains(breaks[0].Reason, reason) {
		t.Errorf("breaks = %+v, want one in %s at %d (%q)", breaks, officeID, seq, reason)
	}
}

func TestVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		t.Run("intact", func(t *testing.T) {
			f := setup(t, kind)
			breaks, n, err := f.chain.Verify(context.Background(), f.st.Client)
			// platform 1 + province 1+1+3 + district 1+3
			if err != nil || len(breaks) != 0 || n != 10 {
				t.Fatalf("Verify = %+v over %d events, %v", breaks, n, err)
			}
			if evs := f.events(t, province); evs[1].Action != audit.ActionOfficeCreate || evs[1].ResourceID != district {
				t.Errorf("the district's creation is not in the province's chain: %+v", evs[1])
			}
		})
		t.Run("altered event", func(t *testing.T) {
			f := setup(t, kind)
			victim := f.events(t, district)[2]
			f.exec(t, "UPDATE audit_events SET after = ? WHERE id = ?", `{"n":99}`, victim.ID)
			wantBreak(t, f.verify(t), district, 3, "hash does not match")
		})
		t.Run("rewritten and re-hashed with plain SHA-256", func(t *testing.T) {
			f := setup(t, kind)
			f.rewrite(t, district, 2, plainSHA256)
			wantBreak(t, f.verify(t), district, 2, "hash does not match")
		})
		t.Run("rewritten and re-hashed under a wrong key", func(t *testing.T) {
			f := setup(t, kind)
			wrong, _ := secrets.Generate()
			f.rewrite(t, district, 2, audit.NewChain(wrong, f.st.Dialect).Hash)
			wantBreak(t, f.verify(t), district, 2, "hash does not match")
		})
		t.Run("event deleted from the middle", func(t *testing.T) {
			f := setup(t, kind)
			f.exec(t, "DELETE FROM audit_events WHERE office_id = ? AND sequence = 2", district)
			wantBreak(t, f.verify(t), district, 3, "an event is missing")
		})
		t.Run("first events deleted", func(t *testing.T) {
			f := setup(t, kind)
			f.exec(t, "DELETE FROM audit_events WHERE office_id = ? AND sequence <= 2", district)
			wantBreak(t, f.verify(t), district, 3, "begins at sequence 3")
		})
		t.Run("whole chain of an existing office deleted", func(t *testing.T) {
			f := setup(t, kind)
			f.exec(t, "DELETE FROM audit_events WHERE office_id = ?", district)
			wantBreak(t, f.verify(t), district, 0, "the chain is missing")
		})
		t.Run("whole chain and office row deleted", func(t *testing.T) {
			// The parent's chain still records the creation.
			f := setup(t, kind)
			f.exec(t, "DELETE FROM audit_events WHERE office_id = ?", district)
			f.exec(t, "DELETE FROM offices WHERE id = ?", district)
			wantBreak(t, f.verify(t), district, 0, "event 2 of chain "+province)
		})
		t.Run("platform chain deleted", func(t *testing.T) {
			f := setup(t, kind)
			f.exec(t, "DELETE FROM audit_events WHERE office_id = ?", audit.PlatformOffice)
			wantBreak(t, f.verify(t), audit.PlatformOffice, 0, "the chain is missing")
		})
		t.Run("newest event deleted", func(t *testing.T) {
			// The chain alone cannot show it: the rest is consistent. A checkpoint can.
			f := setup(t, kind)
			cp := f.checkpoint(t, district)
			if err := f.check(cp); err != nil {
				t.Fatalf("fresh checkpoint: %v", err)
			}
			f.exec(t, "DELETE FROM audit_events WHERE office_id = ? AND sequence = ?", district, cp.GetSequence())
			if b := f.verify(t); len(b) != 0 {
				t.Errorf("Verify found %+v: a tail deletion was not expected to be visible without a checkpoint", b)
			}
			if err := f.check(cp); !errors.Is(err, audit.ErrCheckpointTruncated) {
				t.Errorf("CheckCheckpoint after the deletion = %v", err)
			}
		})
		t.Run("newest event rewritten", func(t *testing.T) {
			f := setup(t, kind)
			cp := f.checkpoint(t, district)
			wrong, _ := secrets.Generate()
			f.rewrite(t, district, cp.GetSequence(), audit.NewChain(wrong, f.st.Dialect).Hash)
			if err := f.check(cp); !errors.Is(err, audit.ErrCheckpointRewritten) {
				t.Errorf("CheckCheckpoint after the rewrite = %v", err)
			}
			// Nor does the platform sign the rewritten head.
			if _, err := f.chain.Checkpoint(store.System(context.Background()), f.st.Client, district); err == nil {
				t.Error("a rewritten head was signed")
			}
		})
		t.Run("event content altered, hash column kept", func(t *testing.T) {
			f := setup(t, kind)
			cp := f.checkpoint(t, district)
			f.exec(t, "UPDATE audit_events SET actor = 'user:x' WHERE office_id = ? AND sequence = ?", district, cp.GetSequence())
			if err := f.check(cp); !errors.Is(err, audit.ErrCheckpointRewritten) {
				t.Errorf("CheckCheckpoint = %v", err)
			}
		})
		t.Run("whole chain deleted below a checkpoint", func(t *testing.T) {
			f := setup(t, kind)
			cp := f.checkpoint(t, district)
			f.exec(t, "DELETE FROM audit_events WHERE office_id = ?", district)
			if err := f.check(cp); !errors.Is(err, audit.ErrCheckpointTruncated) {
				t.Errorf("CheckCheckpoint = %v", err)
			}
		})
	})
}

func TestCheckpoint(t *testing.T) {
	f := setup(t, storetest.SQLite)
	cp := f.checkpoint(t, district)
	if cp.GetSequence() != 4 || cp.GetHeadHash() != f.events(t, district)[3].Hash || cp.GetTime().AsTime().Nanosecond() != 0 {
		t.Fatalf("checkpoint = %v", cp)
	}
	if !strings.HasPrefix(cp.GetKeyId(), "ed25519:") || len(cp.GetPublicKey()) != ed25519.PublicKeySize {
		t.Errorf("key = %s %x", cp.GetKeyId(), cp.GetPublicKey())
	}
	// What an office checks with nothing but the pinned public key and the JSON fields.
	text := "wenming-audit-checkpoint-v1\noffice_id=" + district + "\nsequence=4\nhead_hash=" + cp.GetHeadHash() +
		"\ntime=" + cp.GetTime().AsTime().Format(time.RFC3339) + "\n"
	if !ed25519.Verify(cp.GetPublicKey(), []byte(text), cp.GetSignature()) {
		t.Error("the signature does not cover the documented text")
	}
	j, _ := protojson.Marshal(cp)
	if !strings.Contains(string(j), cp.GetTime().AsTime().Format(time.RFC3339)) {
		t.Errorf("the JSON time is not the signed string: %s", j)
	}

	// A chain without events: sequence 0 and no hash, and it checks.
	empty := f.checkpoint(t, "no-such-office")
	if empty.GetSequence() != 0 || empty.GetHeadHash() != "" || f.check(empty) != nil {
		t.Errorf("empty checkpoint = %v, %v", empty, f.check(empty))
	}

	attackerPub, attackerPriv, _ := ed25519.GenerateKey(rand.Reader)
	for name, c := range map[string]struct {
		mut  func(cp *tenancyv1.AuditCheckpoint)
		want error
	}{
		"signature":   {func(cp *tenancyv1.AuditCheckpoint) { cp.Signature[0] ^= 1 }, audit.ErrCheckpointSignature},
		"sequence":    {func(cp *tenancyv1.AuditCheckpoint) { cp.Sequence = 2 }, audit.ErrCheckpointSignature},
		"head hash":   {func(cp *tenancyv1.AuditCheckpoint) { cp.HeadHash = f.events(t, district)[1].Hash }, audit.ErrCheckpointSignature},
		"office":      {func(cp *tenancyv1.AuditCheckpoint) { cp.OfficeId = province }, audit.ErrCheckpointSignature},
		"time":        {func(cp *tenancyv1.AuditCheckpoint) { cp.Time = timestamppb.New(cp.Time.AsTime().Add(time.Hour)) }, audit.ErrCheckpointSignature},
		"no time":     {func(cp *tenancyv1.AuditCheckpoint) { cp.Time = nil }, audit.ErrCheckpointMalformed},
		"newline":     {func(cp *tenancyv1.AuditCheckpoint) { cp.OfficeId += "\nsequence=9" }, audit.ErrCheckpointMalformed},
		"short sig":   {func(cp *tenancyv1.AuditCheckpoint) { cp.Signature = cp.Signature[:10] }, audit.ErrCheckpointSignature},
		"other key":   {func(cp *tenancyv1.AuditCheckpoint) { cp.PublicKey = attackerPub }, audit.ErrCheckpointKey},
		"no key":      {func(cp *tenancyv1.AuditCheckpoint) { cp.PublicKey = nil }, audit.ErrCheckpointKey},
		"key id only": {func(cp *tenancyv1.AuditCheckpoint) { cp.KeyId = audit.KeyID(attackerPub) }, audit.ErrCheckpointKey},
		// A checkpoint forged by someone with their own key, for a truncated head.
		"forged with another key": {func(cp *tenancyv1.AuditCheckpoint) {
			cp.Sequence, cp.HeadHash, cp.PublicKey = 3, f.events(t, district)[2].Hash, attackerPub
			cp.Signature = ed25519.Sign(attackerPriv, audit.CheckpointText(cp.OfficeId, cp.Sequence, cp.HeadHash, cp.Time.AsTime()))
		}, audit.ErrCheckpointKey},
	} {
		t.Run(name, func(t *testing.T) {
			bad := proto.Clone(cp).(*tenancyv1.AuditCheckpoint)
			c.mut(bad)
			if err := f.check(bad); !errors.Is(err, c.want) {
				t.Errorf("CheckCheckpoint = %v, want %v", err, c.want)
			}
		})
	}
	// Another deployment's checkpoint is refused, even a genuinely signed one.
	otherMaster, _ := secrets.Generate()
	other := audit.NewChain(otherMaster, f.st.Dialect)
	foreign := proto.Clone(cp).(*tenancyv1.AuditCheckpoint)
	foreign.PublicKey, foreign.KeyId = other.PublicKey(), audit.KeyID(other.PublicKey())
	foreign.Signature = ed25519.Sign(otherMaster.AuditSigningKey(), audit.CheckpointText(cp.OfficeId, cp.Sequence, cp.HeadHash, cp.Time.AsTime()))
	if err := audit.VerifyCheckpointSignature(foreign, other.PublicKey()); err != nil {
		t.Fatalf("the foreign checkpoint is not well signed: %v", err)
	}
	if err := f.check(foreign); !errors.Is(err, audit.ErrCheckpointKey) {
		t.Errorf("another deployment's checkpoint: %v", err)
	}
	if err := audit.VerifyCheckpointSignature(cp, f.chain.PublicKey()); err != nil {
		t.Errorf("VerifyCheckpointSignature: %v", err)
	}
	if err := audit.VerifyCheckpointSignature(cp, other.PublicKey()); !errors.Is(err, audit.ErrCheckpointKey) {
		t.Errorf("VerifyCheckpointSignature with another key: %v", err)
	}
	noID := proto.Clone(cp).(*tenancyv1.AuditCheckpoint)
	noID.KeyId = ""
	if err := audit.VerifyCheckpointSignature(noID, other.PublicKey()); !errors.Is(err, audit.ErrCheckpointSignature) {
		t.Errorf("VerifyCheckpointSignature with another key and no key id: %v", err)
	}
}

func TestParseCheckpoints(t *testing.T) {
	f := setup(t, storetest.SQLite)
	a, b := f.checkpoint(t, province), f.checkpoint(t, district)
	ja, _ := protojson.Marshal(a)
	jb, _ := protojson.Marshal(b)
	for name, in := range map[string]string{
		"object":            string(ja),
		"array":             "[" + string(ja) + ",\n" + string(jb) + "]\n",
		"proto field names": `{"office_id":"` + a.GetOfficeId() + `","sequence":"` + strconv.FormatInt(a.GetSequence(), 10) + `"}`,
	} {
		cps, err := audit.ParseCheckpoints([]byte(in))
		if err != nil || len(cps) == 0 || cps[0].GetOfficeId() != a.GetOfficeId() || cps[0].GetSequence() != a.GetSequence() {
			t.Errorf("%s: %v %v", name, cps, err)
		}
	}
	cps, _ := audit.ParseCheckpoints([]byte("[" + string(ja) + "," + string(jb) + "]"))
	for _, cp := range cps {
		if err := f.check(cp); err != nil {
			t.Errorf("parsed checkpoint %s: %v", cp.GetOfficeId(), err)
		}
	}
	for _, in := range []string{"", "[]", "{", `{"unknownField":1}`, `[{"sequence":"x"}]`} {
		if _, err := audit.ParseCheckpoints([]byte(in)); err == nil {
			t.Errorf("ParseCheckpoints(%q) accepted", in)
		}
	}
}

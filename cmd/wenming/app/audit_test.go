package app_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestAuditTamperEvidence plays someone with write access to the database, but not the
// master key, against the audit trail, with checkpoints fetched through the REST gateway,
// on every store (docs/audit.md).
func TestAuditTamperEvidence(t *testing.T) {
	for _, kind := range []storetest.Kind{storetest.SQLite, storetest.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			e := start(t, kind)
			tr := e.buildTree()
			// Each subtest tampers with its own office; later ones expect the earlier breaks.
			t.Run("checkpoint-access", func(t *testing.T) { testCheckpointAccess(t, e, tr) })
			t.Run("creation-in-parent-chain", func(t *testing.T) { testCreationInParentChain(t, e, tr) })
			t.Run("office-verifies-checkpoint", func(t *testing.T) { testOfficeVerifiesCheckpoint(t, e, tr) })
			t.Run("tampered-checkpoint", func(t *testing.T) { testTamperedCheckpoint(t, e, tr) })
			t.Run("signing-keys-sealed", func(t *testing.T) { testSigningKeysSealed(t, e) })
			t.Run("newest-event-deleted", func(t *testing.T) { testNewestEventDeleted(t, e, tr) })
			t.Run("rewritten-and-rehashed", func(t *testing.T) { testRewrittenAndRehashed(t, e, tr) })
			t.Run("district-chain-deleted", func(t *testing.T) { testDistrictChainDeleted(t, e, tr) })
		})
	}
}

// checkpoint fetches an office's checkpoint as token and parses it exactly as returned.
func (e *env) checkpoint(token, officeID string) (*tenancyv1.AuditCheckpoint, []byte) {
	e.t.Helper()
	r := e.must(200, e.do("GET", "/v1/offices/"+officeID+"/audit-checkpoint", token, nil))
	cps, err := audit.ParseCheckpoints(r.Raw)
	if err != nil || len(cps) != 1 {
		e.t.Fatalf("checkpoint %s: %v", r.Raw, err)
	}
	return cps[0], r.Raw
}

func (e *env) checkCheckpoint(cp *tenancyv1.AuditCheckpoint) error {
	return e.app.Audit().CheckCheckpoint(context.Background(), e.app.Store().Client, cp)
}

// brokenOffices verifies every chain and returns the offices whose chain is broken.
func (e *env) brokenOffices() map[string]audit.Break {
	e.t.Helper()
	breaks, _, err := e.app.Audit().Verify(context.Background(), e.app.Store().Client)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]audit.Break{}
	for _, b := range breaks {
		out[b.OfficeID] = b
	}
	return out
}

func (e *env) wantBroken(offices ...string) map[string]audit.Break {
	e.t.Helper()
	got := e.brokenOffices()
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	slices.Sort(offices)
	if !slices.Equal(ids, offices) {
		e.t.Errorf("broken chains %v, want %v: %+v", ids, offices, got)
	}
	return got
}

// exec runs SQL written with ? markers on the env's database.
func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	if e.app.Store().Dialect == "postgres" {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if _, err := e.app.Store().DB.ExecContext(context.Background(), query, args...); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) chainOf(officeID string) []*ent.AuditEvent {
	e.t.Helper()
	rows, err := e.app.Store().Client.AuditEvent.Query().Where(auditevent.OfficeID(officeID)).
		Order(ent.Asc(auditevent.FieldSequence)).All(store.System(context.Background()))
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

func testCheckpointAccess(t *testing.T, e *env, tr *tree) {
	e.t = t
	path := func(office string) string { return "/v1/offices/" + office + "/audit-checkpoint" }
	// Whoever reads the office's audit events reads its checkpoint: its admins and viewers,
	// its ancestors' and the platform admin.
	for name, tok := range map[string]string{"own admin": tr.d1Admin, "own viewer": tr.d1Viewer, "city": tr.cityAdmin, "province": tr.provAdmin, "platform": tr.platform} {
		cp, _ := e.checkpoint(tok, tr.d1)
		if cp.GetOfficeId() != tr.d1 || cp.GetSequence() < 1 || len(cp.GetHeadHash()) != 64 {
			t.Errorf("%s: checkpoint %v", name, cp)
		}
	}
	// Another tenant does not learn the office exists; a unit role is refused.
	for _, c := range []struct {
		name, tok, office string
		want              int
	}{
		{"sibling district", tr.d2Admin, tr.d1, 404},
		{"other province", tr.prov2Admin, tr.d1, 404},
		{"child reading its parent", tr.d1Admin, tr.city, 404},
		{"unknown office", tr.d1Admin, "no-such-office", 404},
		{"unit admin", tr.unit1Admin, tr.d1, 403},
		{"unit submitter", tr.unit1Submitter, tr.d1, 403},
		{"anonymous", "", tr.d1, 401},
		{"platform chain, office admin", tr.provAdmin, audit.PlatformOffice, 404},
	} {
		if r := e.do("GET", path(c.office), c.tok, nil); r.Code != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, r.Code, c.want, r.Raw)
		}
	}
	// The platform admin keeps checkpoints of the platform's own chain.
	if cp, _ := e.checkpoint(tr.platform, audit.PlatformOffice); cp.GetSequence() < 1 {
		t.Errorf("platform checkpoint = %v", cp)
	}
}

func testCreationInParentChain(t *testing.T, e *env, tr *tree) {
	e.t = t
	created := func(token, office string) []string {
		var ids []string
		l := e.must(200, e.do("GET", "/v1/offices/"+office+"/audit-events?pageSize=500", token, nil))
		for _, ev := range l.Body["auditEvents"].([]any) {
			m := ev.(map[string]any)
			if m["action"] == audit.ActionOfficeCreate && m["resourceId"] != office {
				ids = append(ids, m["resourceId"].(string))
			}
		}
		return ids
	}
	if got := created(tr.cityAdmin, tr.city); !slices.Contains(got, tr.d1) || !slices.Contains(got, tr.d2) {
		t.Errorf("the city's chain records the creation of %v, want %s and %s", got, tr.d1, tr.d2)
	}
	if got := created(tr.platform, audit.PlatformOffice); !slices.Contains(got, tr.province) || !slices.Contains(got, tr.province2) {
		t.Errorf("the platform chain records the creation of %v, want both provinces", got)
	}
	// And the new office's own chain begins with it.
	if first := e.chainOf(tr.d1)[0]; first.Sequence != 1 || first.Action != audit.ActionOfficeCreate || first.ResourceID != tr.d1 {
		t.Errorf("d1's first event = %+v", first)
	}
}

// An office needs nothing from Wenming but the checkpoint's JSON to check its signature.
func testOfficeVerifiesCheckpoint(t *testing.T, e *env, tr *tree) {
	e.t = t
	_, raw := e.checkpoint(tr.d1Admin, tr.d1)
	var j map[string]string
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	pub, _ := base64.StdEncoding.DecodeString(j["publicKey"])
	sig, _ := base64.StdEncoding.DecodeString(j["signature"])
	text := "wenming-audit-checkpoint-v1\noffice_id=" + j["officeId"] + "\nsequence=" + j["sequence"] +
		"\nhead_hash=" + j["headHash"] + "\ntime=" + j["time"] + "\n"
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, []byte(text), sig) {
		t.Errorf("the documented check fails on %s", raw)
	}
	if !bytes.Equal(pub, e.app.Audit().PublicKey()) || j["keyId"] != audit.KeyID(pub) {
		t.Errorf("public key %x (%s), the deployment's is %x", pub, j["keyId"], e.app.Audit().PublicKey())
	}
	// The key is the same for every office and every time: offices pin it.
	_, raw2 := e.checkpoint(tr.provAdmin, tr.province)
	var j2 map[string]string
	_ = json.Unmarshal(raw2, &j2)
	if j2["publicKey"] != j["publicKey"] {
		t.Error("two checkpoints name different keys")
	}
}

func testTamperedCheckpoint(t *testing.T, e *env, tr *tree) {
	e.t = t
	cp, raw := e.checkpoint(tr.prov2Admin, tr.province2)
	if err := e.checkCheckpoint(cp); err != nil {
		t.Fatalf("genuine checkpoint: %v", err)
	}
	older := e.chainOf(tr.province2)[0]
	for name, c := range map[string]struct {
		field, value string
		want         error
	}{
		"signature": {"signature", flipBase64(t, jsonField(t, raw, "signature")), audit.ErrCheckpointSignature},
		"sequence":  {"sequence", strconv.FormatInt(cp.GetSequence()+1, 10), audit.ErrCheckpointSignature},
		"sequence0": {"sequence", strconv.FormatInt(older.Sequence, 10), audit.ErrCheckpointSignature},
		"head hash": {"headHash", older.Hash, audit.ErrCheckpointSignature},
		"time":      {"time", cp.GetTime().AsTime().Add(time.Hour).Format(time.RFC3339), audit.ErrCheckpointSignature},
		"office":    {"officeId", tr.province, audit.ErrCheckpointSignature},
		"key":       {"publicKey", base64.StdEncoding.EncodeToString(make([]byte, 32)), audit.ErrCheckpointKey},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			m[c.field] = c.value
			b, _ := json.Marshal(m)
			cps, err := audit.ParseCheckpoints(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.checkCheckpoint(cps[0]); !errors.Is(err, c.want) {
				t.Errorf("checkpoint with %s changed: %v, want %v", c.field, err, c.want)
			}
		})
	}
}

func jsonField(t *testing.T, raw []byte, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	return s
}

func flipBase64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		t.Fatalf("base64 %q: %v", s, err)
	}
	b[0] ^= 1
	return base64.StdEncoding.EncodeToString(b)
}

// The signing_keys table holds no usable private key.
func testSigningKeysSealed(t *testing.T, e *env) {
	e.t = t
	rows, err := e.app.Store().Client.SigningKey.Query().All(store.System(context.Background()))
	if err != nil || len(rows) == 0 {
		t.Fatalf("signing keys: %d, %v", len(rows), err)
	}
	other, _ := secrets.Generate()
	for _, r := range rows {
		priv, err := auth.OpenPrivateKey(e.app.MasterKey(), r.ID, r.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(r.PrivateKey, priv.Seed()) {
			t.Errorf("key %s: the stored bytes hold the private key", r.ID)
		}
		if len(r.PrivateKey) == ed25519.PrivateKeySize && bytes.Equal(ed25519.PrivateKey(r.PrivateKey).Public().(ed25519.PublicKey), r.PublicKey) {
			t.Errorf("key %s: the stored bytes are the private key", r.ID)
		}
		if _, err := auth.OpenPrivateKey(other, r.ID, r.PrivateKey); err == nil {
			t.Errorf("key %s opens without the master key", r.ID)
		}
	}
	// The JWKS still publishes the plain public keys.
	jwks := e.must(200, e.do("GET", "/.well-known/jwks.json", "", nil))
	for _, r := range rows {
		if r.RetireTime == nil && !strings.Contains(string(jwks.Raw), base64.RawURLEncoding.EncodeToString(r.PublicKey)) {
			t.Errorf("JWKS lacks key %s: %s", r.ID, jwks.Raw)
		}
	}
}

// Deleting an office's newest event leaves a consistent chain: the HMAC cannot show it,
// a checkpoint kept from before the deletion does.
func testNewestEventDeleted(t *testing.T, e *env, tr *tree) {
	e.t = t
	before, _ := e.checkpoint(tr.d1Admin, tr.d1)
	e.must(200, e.do("POST", "/v1/offices/"+tr.d1+"/users", tr.d1Admin, map[string]any{
		"login": "audit-victim", "password": "audit-victim-password", "displayName": "audit-victim", "roles": []string{"ROLE_OFFICE_VIEWER"},
	}))
	kept, _ := e.checkpoint(tr.d1Viewer, tr.d1)
	if kept.GetSequence() <= before.GetSequence() {
		t.Fatalf("the user's creation is not in d1's chain: %d then %d", before.GetSequence(), kept.GetSequence())
	}
	for _, cp := range []*tenancyv1.AuditCheckpoint{before, kept} {
		if err := e.checkCheckpoint(cp); err != nil {
			t.Fatalf("checkpoint %d before the deletion: %v", cp.GetSequence(), err)
		}
	}
	e.exec("DELETE FROM audit_events WHERE office_id = ? AND sequence = ?", tr.d1, kept.GetSequence())
	e.wantBroken() // expected: the chain alone is still consistent
	if err := e.checkCheckpoint(kept); !errors.Is(err, audit.ErrCheckpointTruncated) {
		t.Errorf("the kept checkpoint after the deletion: %v", err)
	}
	// An older checkpoint still holds: only what it saw is vouched for.
	if err := e.checkCheckpoint(before); err != nil {
		t.Errorf("an older checkpoint: %v", err)
	}
}

// plainSHA256 is the unkeyed chain hash anyone can compute.
func plainSHA256(ev *ent.AuditEvent) string {
	h := sha256.New()
	for _, s := range []string{
		ev.PrevHash, ev.ID, ev.OfficeID, ev.ScopePath, strconv.FormatInt(ev.Sequence, 10), ev.Actor, ev.Action,
		ev.ResourceType, ev.ResourceID, ev.Before, ev.After, ev.RequestID, ev.CreateTime.UTC().Format(time.RFC3339Nano),
	} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rewrite changes the actor of event seq of an office's chain and re-hashes and re-links it
// and every later event with hash.
func (e *env) rewrite(officeID string, seq int64, actor string, hash func(*ent.AuditEvent) string) {
	e.t.Helper()
	prev := ""
	for _, ev := range e.chainOf(officeID) {
		if ev.Sequence == seq {
			ev.Actor = actor
		}
		if ev.Sequence >= seq {
			ev.PrevHash = prev
			ev.Hash = hash(ev)
			e.exec("UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?", ev.Actor, ev.PrevHash, ev.Hash, ev.ID)
		}
		prev = ev.Hash
	}
}

func testRewrittenAndRehashed(t *testing.T, e *env, tr *tree) {
	e.t = t
	kept, _ := e.checkpoint(tr.d2Admin, tr.d2)
	e.rewrite(tr.d2, 2, "user:someone-else", plainSHA256)
	if b := e.wantBroken(tr.d2)[tr.d2]; b.Sequence != 2 || !strings.Contains(b.Reason, "hash does not match") {
		t.Errorf("re-hashed with SHA-256: %+v", b)
	}
	wrong, _ := secrets.Generate()
	e.rewrite(tr.d2, 2, "user:someone-else-again", audit.NewChain(wrong, e.app.Store().Dialect).Hash)
	if b := e.wantBroken(tr.d2)[tr.d2]; b.Sequence != 2 || !strings.Contains(b.Reason, "hash does not match") {
		t.Errorf("re-hashed under a wrong key: %+v", b)
	}
	if err := e.checkCheckpoint(kept); !errors.Is(err, audit.ErrCheckpointRewritten) {
		t.Errorf("the kept checkpoint after the rewrite: %v", err)
	}
	// Nor is a checkpoint of the rewritten head signed.
	if r := e.do("GET", "/v1/offices/"+tr.d2+"/audit-checkpoint", tr.d2Admin, nil); r.Code != 500 || r.reason() != "AUDIT_CHAIN_BROKEN" {
		t.Errorf("checkpoint of a rewritten chain: %d %s", r.Code, r.Raw)
	}
}

func testDistrictChainDeleted(t *testing.T, e *env, tr *tree) {
	e.t = t
	d3 := e.office(tr.cityAdmin, tr.city, "滨江区文明办", "LEVEL_DISTRICT", "330108")
	kept, _ := e.checkpoint(tr.cityAdmin, d3)
	e.exec("DELETE FROM audit_events WHERE office_id = ?", d3)
	if b := e.wantBroken(tr.d2, d3)[d3]; !strings.Contains(b.Reason, "the chain is missing") {
		t.Errorf("deleted chain: %+v", b)
	}
	// Deleting the office row too: the city's chain still records the creation.
	e.exec("DELETE FROM offices WHERE id = ?", d3)
	if b := e.wantBroken(tr.d2, d3)[d3]; !strings.Contains(b.Reason, "chain "+tr.city) {
		t.Errorf("deleted chain and office: %+v", b)
	}
	if err := e.checkCheckpoint(kept); !errors.Is(err, audit.ErrCheckpointTruncated) {
		t.Errorf("the kept checkpoint of the deleted chain: %v", err)
	}
}

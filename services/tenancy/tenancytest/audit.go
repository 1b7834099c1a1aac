package tenancytest

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
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// checkpoint fetches an office's checkpoint as token and parses it exactly as returned.
func checkpoint(t *testing.T, e *apptest.Env, token, officeID string) (*tenancyv1.AuditCheckpoint, []byte) {
	t.Helper()
	r := apptest.Must(t, 200, e.Do(t, "GET", "/v1/offices/"+officeID+"/audit-checkpoint", token, nil))
	cps, err := audit.ParseCheckpoints(r.Raw)
	if err != nil || len(cps) != 1 {
		t.Fatalf("checkpoint %s: %v", r.Raw, err)
	}
	return cps[0], r.Raw
}

func checkCheckpoint(e *apptest.Env, cp *tenancyv1.AuditCheckpoint) error {
	return e.App.Audit().CheckCheckpoint(context.Background(), e.App.Store().Client, cp)
}

// brokenOffices verifies every chain and returns the offices whose chain is broken.
func brokenOffices(t *testing.T, e *apptest.Env) map[string]audit.Break {
	t.Helper()
	breaks, _, err := e.App.Audit().Verify(context.Background(), e.App.Store().Client)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]audit.Break{}
	for _, b := range breaks {
		out[b.OfficeID] = b
	}
	return out
}

func wantBroken(t *testing.T, e *apptest.Env, offices ...string) map[string]audit.Break {
	t.Helper()
	got := brokenOffices(t, e)
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	slices.Sort(offices)
	if !slices.Equal(ids, offices) {
		t.Errorf("broken chains %v, want %v: %+v", ids, offices, got)
	}
	return got
}

// exec runs SQL written with ? markers on the env's database.
func exec(t *testing.T, e *apptest.Env, query string, args ...any) {
	t.Helper()
	if e.App.Store().Dialect == "postgres" {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if _, err := e.App.Store().DB.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatal(err)
	}
}

func chainOf(t *testing.T, e *apptest.Env, officeID string) []*ent.AuditEvent {
	t.Helper()
	rows, err := e.App.Store().Client.AuditEvent.Query().Where(auditevent.OfficeID(officeID)).
		Order(ent.Asc(auditevent.FieldSequence)).All(store.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// CheckpointAccess checks who reads an office's checkpoint: whoever reads its trail.
func CheckpointAccess(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	path := func(office string) string { return "/v1/offices/" + office + "/audit-checkpoint" }
	// Whoever reads the office's audit events reads its checkpoint: its admins and viewers,
	// its ancestors' and the platform admin.
	for name, tok := range map[string]string{"own admin": tr.D1Admin, "own viewer": tr.D1Viewer, "city": tr.CityAdmin, "province": tr.ProvAdmin, "platform": tr.Platform} {
		cp, _ := checkpoint(t, e, tok, tr.D1)
		if cp.GetOfficeId() != tr.D1 || cp.GetSequence() < 1 || len(cp.GetHeadHash()) != 64 {
			t.Errorf("%s: checkpoint %v", name, cp)
		}
	}
	// Another tenant does not learn the office exists; a unit role is refused.
	for _, c := range []struct {
		name, tok, office string
		want              int
	}{
		{"sibling district", tr.D2Admin, tr.D1, 404},
		{"other province", tr.Prov2Admin, tr.D1, 404},
		{"child reading its parent", tr.D1Admin, tr.City, 404},
		{"unknown office", tr.D1Admin, "no-such-office", 404},
		{"unit admin", tr.Unit1Admin, tr.D1, 403},
		{"unit submitter", tr.Unit1Submitter, tr.D1, 403},
		{"anonymous", "", tr.D1, 401},
		{"platform chain, office admin", tr.ProvAdmin, audit.PlatformOffice, 404},
	} {
		if r := e.Do(t, "GET", path(c.office), c.tok, nil); r.Code != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, r.Code, c.want, r.Raw)
		}
	}
	// The platform admin keeps checkpoints of the platform's own chain.
	if cp, _ := checkpoint(t, e, tr.Platform, audit.PlatformOffice); cp.GetSequence() < 1 {
		t.Errorf("platform checkpoint = %v", cp)
	}
}

// CreationInParentChain checks that an office's creation is in its parent's chain and
// begins its own.
func CreationInParentChain(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	created := func(token, office string) []string {
		var ids []string
		l := apptest.Call[*tenancyv1.ListAuditEventsResponse](t, e, "GET", "/v1/offices/"+office+"/audit-events?pageSize=500", token, nil)
		for _, ev := range l.GetAuditEvents() {
			if ev.GetAction() == audit.ActionOfficeCreate && ev.GetResourceId() != office {
				ids = append(ids, ev.GetResourceId())
			}
		}
		return ids
	}
	if got := created(tr.CityAdmin, tr.City); !slices.Contains(got, tr.D1) || !slices.Contains(got, tr.D2) {
		t.Errorf("the city's chain records the creation of %v, want %s and %s", got, tr.D1, tr.D2)
	}
	if got := created(tr.Platform, audit.PlatformOffice); !slices.Contains(got, tr.Province) || !slices.Contains(got, tr.Province2) {
		t.Errorf("the platform chain records the creation of %v, want both provinces", got)
	}
	// And the new office's own chain begins with it.
	chain := chainOf(t, e, tr.D1)
	if len(chain) == 0 {
		t.Fatal("d1 has no chain")
	}
	if first := chain[0]; first.Sequence != 1 || first.Action != audit.ActionOfficeCreate || first.ResourceID != tr.D1 {
		t.Errorf("d1's first event = %+v", first)
	}
}

// OfficeVerifiesCheckpoint: an office needs nothing from Wenming but the checkpoint's JSON to check its signature.
func OfficeVerifiesCheckpoint(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	_, raw := checkpoint(t, e, tr.D1Admin, tr.D1)
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
	if !bytes.Equal(pub, e.App.Audit().PublicKey()) || j["keyId"] != audit.KeyID(pub) {
		t.Errorf("public key %x (%s), the deployment's is %x", pub, j["keyId"], e.App.Audit().PublicKey())
	}
	// The key is the same for every office and every time: offices pin it.
	_, raw2 := checkpoint(t, e, tr.ProvAdmin, tr.Province)
	var j2 map[string]string
	_ = json.Unmarshal(raw2, &j2)
	if j2["publicKey"] != j["publicKey"] {
		t.Error("two checkpoints name different keys")
	}
}

// TamperedCheckpoint changes each part of a genuine checkpoint: none checks.
func TamperedCheckpoint(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	cp, raw := checkpoint(t, e, tr.Prov2Admin, tr.Province2)
	if err := checkCheckpoint(e, cp); err != nil {
		t.Fatalf("genuine checkpoint: %v", err)
	}
	older := chainOf(t, e, tr.Province2)[0]
	for name, c := range map[string]struct {
		field, value string
		want         error
	}{
		"signature": {"signature", flipBase64(t, jsonField(t, raw, "signature")), audit.ErrCheckpointSignature},
		"sequence":  {"sequence", strconv.FormatInt(cp.GetSequence()+1, 10), audit.ErrCheckpointSignature},
		"sequence0": {"sequence", strconv.FormatInt(older.Sequence, 10), audit.ErrCheckpointSignature},
		"head hash": {"headHash", older.Hash, audit.ErrCheckpointSignature},
		"time":      {"time", cp.GetTime().AsTime().Add(time.Hour).Format(time.RFC3339), audit.ErrCheckpointSignature},
		"office":    {"officeId", tr.Province, audit.ErrCheckpointSignature},
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
			if err := checkCheckpoint(e, cps[0]); !errors.Is(err, c.want) {
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

// SigningKeysSealed: the signing_keys table holds no usable private key.
func SigningKeysSealed(t *testing.T, e *apptest.Env, _ *apptest.Tree) {
	rows, err := e.App.Store().Client.SigningKey.Query().All(store.System(context.Background()))
	if err != nil || len(rows) == 0 {
		t.Fatalf("signing keys: %d, %v", len(rows), err)
	}
	other, _ := secrets.Generate()
	for _, r := range rows {
		priv, err := auth.OpenPrivateKey(e.App.MasterKey(), r.ID, r.PrivateKey)
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
	jwks := apptest.Call[*tenancyv1.GetJwksResponse](t, e, "GET", "/.well-known/jwks.json", "", nil)
	for _, r := range rows {
		x := base64.RawURLEncoding.EncodeToString(r.PublicKey)
		if r.RetireTime == nil && !slices.ContainsFunc(jwks.GetKeys(), func(k *tenancyv1.Jwk) bool { return k.GetX() == x }) {
			t.Errorf("JWKS lacks key %s: %v", r.ID, jwks)
		}
	}
}

// NewestEventDeleted: deleting an office's newest event leaves a consistent chain: the HMAC cannot show it,
// a checkpoint kept from before the deletion does.
func NewestEventDeleted(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	before, _ := checkpoint(t, e, tr.D1Admin, tr.D1)
	apptest.Must(t, 200, e.Do(t, "POST", "/v1/offices/"+tr.D1+"/users", tr.D1Admin, &tenancyv1.User{
		Login: "audit-victim", Password: "audit-victim-password", DisplayName: "audit-victim", Roles: officeViewer,
	}))
	kept, _ := checkpoint(t, e, tr.D1Viewer, tr.D1)
	if kept.GetSequence() <= before.GetSequence() {
		t.Fatalf("the user's creation is not in d1's chain: %d then %d", before.GetSequence(), kept.GetSequence())
	}
	for _, cp := range []*tenancyv1.AuditCheckpoint{before, kept} {
		if err := checkCheckpoint(e, cp); err != nil {
			t.Fatalf("checkpoint %d before the deletion: %v", cp.GetSequence(), err)
		}
	}
	exec(t, e, "DELETE FROM audit_events WHERE office_id = ? AND sequence = ?", tr.D1, kept.GetSequence())
	wantBroken(t, e) // expected: the chain alone is still consistent
	if err := checkCheckpoint(e, kept); !errors.Is(err, audit.ErrCheckpointTruncated) {
		t.Errorf("the kept checkpoint after the deletion: %v", err)
	}
	// An older checkpoint still holds: only what it saw is vouched for.
	if err := checkCheckpoint(e, before); err != nil {
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
func rewrite(t *testing.T, e *apptest.Env, officeID string, seq int64, actor string, hash func(*ent.AuditEvent) string) {
	t.Helper()
	prev := ""
	for _, ev := range chainOf(t, e, officeID) {
		if ev.Sequence == seq {
			ev.Actor = actor
		}
		if ev.Sequence >= seq {
			ev.PrevHash = prev
			ev.Hash = hash(ev)
			exec(t, e, "UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?", ev.Actor, ev.PrevHash, ev.Hash, ev.ID)
		}
		prev = ev.Hash
	}
}

// RewrittenAndRehashed rewrites an event and re-hashes the chain after it, with plain
// SHA-256 and under a wrong key: the chain and a kept checkpoint show it.
func RewrittenAndRehashed(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	kept, _ := checkpoint(t, e, tr.D2Admin, tr.D2)
	rewrite(t, e, tr.D2, 2, "user:someone-else", plainSHA256)
	if b := wantBroken(t, e, tr.D2)[tr.D2]; b.Sequence != 2 || !strings.Contains(b.Reason, "hash does not match") {
		t.Errorf("re-hashed with SHA-256: %+v", b)
	}
	wrong, _ := secrets.Generate()
	rewrite(t, e, tr.D2, 2, "user:someone-else-again", audit.NewChain(wrong, e.App.Store().Dialect).Hash)
	if b := wantBroken(t, e, tr.D2)[tr.D2]; b.Sequence != 2 || !strings.Contains(b.Reason, "hash does not match") {
		t.Errorf("re-hashed under a wrong key: %+v", b)
	}
	if err := checkCheckpoint(e, kept); !errors.Is(err, audit.ErrCheckpointRewritten) {
		t.Errorf("the kept checkpoint after the rewrite: %v", err)
	}
	// Nor is a checkpoint of the rewritten head signed.
	if r := e.Do(t, "GET", "/v1/offices/"+tr.D2+"/audit-checkpoint", tr.D2Admin, nil); r.Code != 500 || r.Reason(t) != "AUDIT_CHAIN_BROKEN" {
		t.Errorf("checkpoint of a rewritten chain: %d %s", r.Code, r.Raw)
	}
}

// DistrictChainDeleted deletes a district's whole chain, then its office row: the
// parent's chain and a kept checkpoint show it.
func DistrictChainDeleted(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	d3 := e.Office(t, tr.CityAdmin, tr.City, "滨江区文明办", tenancyv1.Level_LEVEL_DISTRICT, "330108")
	kept, _ := checkpoint(t, e, tr.CityAdmin, d3)
	exec(t, e, "DELETE FROM audit_events WHERE office_id = ?", d3)
	if b := wantBroken(t, e, tr.D2, d3)[d3]; !strings.Contains(b.Reason, "the chain is missing") {
		t.Errorf("deleted chain: %+v", b)
	}
	// Deleting the office row too: the city's chain still records the creation.
	exec(t, e, "DELETE FROM offices WHERE id = ?", d3)
	if b := wantBroken(t, e, tr.D2, d3)[d3]; !strings.Contains(b.Reason, "chain "+tr.City) {
		t.Errorf("deleted chain and office: %+v", b)
	}
	if err := checkCheckpoint(e, kept); !errors.Is(err, audit.ErrCheckpointTruncated) {
		t.Errorf("the kept checkpoint of the deleted chain: %v", err)
	}
}

package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// CheckpointVersion is the first line of the text a checkpoint signs.
const CheckpointVersion = "wenming-audit-checkpoint-v1"

// CheckpointText is the canonical text a checkpoint's signature covers, one field per line,
// each line ending in "\n":
//
//	wenming-audit-checkpoint-v1
//	office_id=<office id>
//	sequence=<decimal sequence>
//	head_hash=<hex hash of the event at that sequence, empty for sequence 0>
//	time=<RFC 3339 time in UTC, e.g. 2026-11-28T09:30:00Z>
//
// Checkpoints are signed at whole seconds, so the time is exactly the string that the REST
// API returns and an office can rebuild this text from the JSON alone (docs/audit.md).
func CheckpointText(officeID string, sequence int64, headHash string, t time.Time) []byte {
	var b strings.Builder
	b.WriteString(CheckpointVersion + "\n")
	b.WriteString("office_id=" + officeID + "\n")
	b.WriteString("sequence=" + strconv.FormatInt(sequence, 10) + "\n")
	b.WriteString("head_hash=" + headHash + "\n")
	b.WriteString("time=" + t.UTC().Format(time.RFC3339Nano) + "\n")
	return []byte(b.String())
}

// KeyID names a checkpoint public key: "ed25519:" and the first 16 hex digits of the
// SHA-256 of the raw key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}

// PublicKey is the key that verifies this deployment's checkpoints.
func (c *Chain) PublicKey() ed25519.PublicKey { return c.signer.Public().(ed25519.PublicKey) }

// errChainBroken refuses to sign a head that does not verify: a checkpoint must never
// vouch for an event rewritten in the database.
var errChainBroken = errs.New(codes.DataLoss, "AUDIT_CHAIN_BROKEN",
	"the newest audit event does not verify: the audit trail was altered; the platform operator must run `wenming audit verify`",
	"最新的留痕记录校验失败：留痕已被篡改，请平台运维人员运行 wenming audit verify")

// Checkpoint signs the head of officeID's chain as it is now: its newest event's sequence
// and hash (0 and "" for a chain without events). The viewer in ctx limits what it may read,
// as for any query; outside a request, pass store.System(ctx). It refuses (DATA_LOSS) to
// sign a head whose HMAC does not verify.
func (c *Chain) Checkpoint(ctx context.Context, client *ent.Client, officeID string) (*tenancyv1.AuditCheckpoint, error) {
	head, err := client.AuditEvent.Query().Where(auditevent.OfficeID(officeID)).
		Order(ent.Desc(auditevent.FieldSequence)).First(ctx)
	var seq int64
	var hash string
	switch {
	case err == nil:
		if !c.valid(head) {
			return nil, errChainBroken
		}
		seq, hash = head.Sequence, head.Hash
	case !ent.IsNotFound(err):
		return nil, fmt.Errorf("audit: chain head: %w", err)
	}
	if strings.ContainsAny(officeID, "\r\n") {
		return nil, fmt.Errorf("audit: office id %q cannot be signed", officeID)
	}
	now := time.Now().UTC().Truncate(time.Second)
	pub := c.PublicKey()
	return &tenancyv1.AuditCheckpoint{
		OfficeId: officeID, Sequence: seq, HeadHash: hash, Time: timestamppb.New(now),
		KeyId: KeyID(pub), PublicKey: pub,
		Signature: ed25519.Sign(c.signer, CheckpointText(officeID, seq, hash, now)),
	}, nil
}

// The checkpoint errors, each wrapped with the details of the failure.
var (
	// ErrCheckpointMalformed: a field is missing or cannot be part of a signed text.
	ErrCheckpointMalformed = errors.New("the checkpoint is malformed")
	// ErrCheckpointKey: the checkpoint names another public key than this deployment's
	// (it was made by another deployment, or its public key was replaced).
	ErrCheckpointKey = errors.New("the checkpoint is not signed with this deployment's key")
	// ErrCheckpointSignature: the signature does not cover these fields (a field or the
	// signature was altered).
	ErrCheckpointSignature = errors.New("the checkpoint's signature is invalid")
	// ErrCheckpointTruncated: the chain no longer holds the event the checkpoint saw (the
	// chain was truncated below it, or deleted).
	ErrCheckpointTruncated = errors.New("the chain no longer holds the checkpoint's event")
	// ErrCheckpointRewritten: the chain holds an event at the checkpoint's sequence, but not
	// the one the checkpoint saw, or one whose content no longer matches its hash.
	ErrCheckpointRewritten = errors.New("the chain was rewritten at the checkpoint's event")
)

// VerifyCheckpointSignature checks that cp is signed by pub and well formed. It needs no
// database and no master key: an office that pinned the deployment's public key (from its
// first checkpoint, or from the operator) checks every later checkpoint with it.
func VerifyCheckpointSignature(cp *tenancyv1.AuditCheckpoint, pub ed25519.PublicKey) error {
	if cp.GetOfficeId() == "" || cp.GetSequence() < 0 || cp.GetTime() == nil || !cp.GetTime().IsValid() ||
		strings.ContainsAny(cp.GetOfficeId()+cp.GetHeadHash(), "\r\n") || (cp.GetSequence() == 0) != (cp.GetHeadHash() == "") {
		return ErrCheckpointMalformed
	}
	if len(pub) != ed25519.PublicKeySize {
		return ErrCheckpointKey
	}
	if cp.GetKeyId() != "" && cp.GetKeyId() != KeyID(pub) {
		return fmt.Errorf("%w: it names key %s, not %s", ErrCheckpointKey, cp.GetKeyId(), KeyID(pub))
	}
	if len(cp.GetSignature()) != ed25519.SignatureSize {
		return ErrCheckpointSignature
	}
	text := CheckpointText(cp.GetOfficeId(), cp.GetSequence(), cp.GetHeadHash(), cp.GetTime().AsTime())
	if !ed25519.Verify(pub, text, cp.GetSignature()) {
		return ErrCheckpointSignature
	}
	return nil
}

// CheckCheckpoint checks a kept checkpoint against the database: that this deployment's
// checkpoint key signed it, and that the office's chain still holds, at the checkpoint's
// sequence, the very event it saw, unaltered. Together with Verify (which checks that
// every later event links to it) this detects a truncation below the kept head, a deleted
// chain and a rewrite. It returns an error wrapping one of the ErrCheckpoint… sentinels.
func (c *Chain) CheckCheckpoint(ctx context.Context, client *ent.Client, cp *tenancyv1.AuditCheckpoint) error {
	pub := c.PublicKey()
	if !bytes.Equal(cp.GetPublicKey(), pub) {
		return fmt.Errorf("%w: it names key %s, this deployment's is %s", ErrCheckpointKey,
			keyIDOf(cp.GetPublicKey()), KeyID(pub))
	}
	if err := VerifyCheckpointSignature(cp, pub); err != nil {
		return err
	}
	if cp.GetSequence() == 0 {
		return nil // the chain was empty then: there is nothing it must still hold
	}
	e, err := client.AuditEvent.Query().
		Where(auditevent.OfficeID(cp.GetOfficeId()), auditevent.Sequence(cp.GetSequence())).Only(store.System(ctx))
	if ent.IsNotFound(err) {
		return fmt.Errorf("%w: office %s had event %d on %s; the chain ends before it or is gone",
			ErrCheckpointTruncated, cp.GetOfficeId(), cp.GetSequence(), cp.GetTime().AsTime().Format(time.RFC3339))
	}
	if err != nil {
		return err
	}
	if e.Hash != cp.GetHeadHash() {
		return fmt.Errorf("%w: office %s event %d has hash %.16s…, the checkpoint saw %.16s…",
			ErrCheckpointRewritten, cp.GetOfficeId(), cp.GetSequence(), e.Hash, cp.GetHeadHash())
	}
	if !c.valid(e) {
		return fmt.Errorf("%w: office %s event %d no longer matches its hash", ErrCheckpointRewritten, cp.GetOfficeId(), cp.GetSequence())
	}
	return nil
}

func keyIDOf(pub []byte) string {
	if len(pub) != ed25519.PublicKeySize {
		return "(none)"
	}
	return KeyID(pub)
}

// ParseCheckpoints reads checkpoints as the REST API returns them (protojson): one JSON
// object, or a JSON array of them.
func ParseCheckpoints(data []byte) ([]*tenancyv1.AuditCheckpoint, error) {
	data = bytes.TrimSpace(data)
	var raws []json.RawMessage
	if bytes.HasPrefix(data, []byte("[")) {
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, fmt.Errorf("checkpoints: %w", err)
		}
	} else {
		raws = []json.RawMessage{data}
	}
	if len(raws) == 0 {
		return nil, errors.New("checkpoints: none in the input")
	}
	out := make([]*tenancyv1.AuditCheckpoint, 0, len(raws))
	for i, r := range raws {
		cp := &tenancyv1.AuditCheckpoint{}
		if err := protojson.Unmarshal(r, cp); err != nil {
			return nil, fmt.Errorf("checkpoint %d: %w", i+1, err)
		}
		out = append(out, cp)
	}
	return out, nil
}

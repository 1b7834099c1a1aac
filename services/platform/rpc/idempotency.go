package rpc

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	gohash "hash"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/idempotencyrecord"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Idempotent reports whether a method honours Idempotency-Key: the creates and imports, and
// the evidence service's submissions and uploads, which a client retries after a lost
// answer just as it retries a create.
func Idempotent(fullMethod string) bool {
	name := fullMethod[strings.LastIndexByte(fullMethod, '/')+1:]
	for _, verb := range []string{"Create", "Import", "Submit", "Upload"} {
		if strings.HasPrefix(name, verb) {
			return true
		}
	}
	return false
}

var (
	errKeyReused = errs.New(codes.InvalidArgument, "IDEMPOTENCY_KEY_REUSED",
		"this Idempotency-Key was used for a different request", "此 Idempotency-Key 已用于另一个不同的请求").
		WithField("idempotency_key", "used for a different request", "已用于另一个请求")
	errKeyInFlight = errs.New(codes.Aborted, "IDEMPOTENCY_KEY_IN_USE",
		"a request with this Idempotency-Key is still being processed; retry shortly", "使用此 Idempotency-Key 的请求仍在处理中，请稍后重试")
	errResultLost = errs.New(codes.AlreadyExists, "IDEMPOTENT_REQUEST_DONE",
		"a request with this Idempotency-Key was already carried out; read the resource to see its result",
		"使用此 Idempotency-Key 的请求已执行，请查询该资源获取结果")
)

// idempotency makes creates retry-safe (docs/architecture.md): a create carrying an
// Idempotency-Key runs at most once per caller and key. The claim on the key commits in the
// create's own transaction (store.Tx), so no crash or race can run it twice; the first
// response is stored after the commit and returned to every retry.
func idempotency(st *store.Store) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		claim, err := newClaim(ctx, st, info.FullMethod)
		if err != nil {
			return nil, err
		}
		if claim == nil {
			return h(ctx, req)
		}
		msg, _ := req.(proto.Message)
		body, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
		if err != nil {
			return nil, err
		}
		claim.RequestHash, claim.RequestBytes = hash(string(body)), int64(len(body))
		if resp, done, err := replay(ctx, st, claim, info.FullMethod); done {
			return resp, err
		}
		resp, err := h(store.WithIdempotency(ctx, claim), req)
		if err != nil && !claim.Written() {
			// A concurrent call with the same key may have won, making this one fail on
			// the key or on the resource's own uniqueness: answer as a retry would.
			if resp, done, rerr := replay(ctx, st, claim, info.FullMethod); done {
				return resp, rerr
			}
			if errors.Is(err, store.ErrIdempotencyConflict) {
				return nil, errKeyInFlight
			}
			return nil, err
		}
		if err != nil || !claim.Written() {
			return resp, err
		}
		if b, merr := storable(resp.(proto.Message)); merr == nil {
			saveResponse(ctx, st, claim, b)
		}
		return resp, nil
	}
}

// streamIdempotency does for client-streaming creates (uploads) what idempotency does for
// unary ones. The request is every message the client sends, so its hash grows as the
// handler receives them and is final when the handler commits after the last one; a
// handler that commits earlier is refused (store.ErrIdempotencyIncomplete), since its
// claim would record a request it has not seen. The handler's SendAndClose response is what is stored and replayed.
// Server and bidirectional streams have no single response to give back, so the header is
// ignored there, as on any method that is not a create.
func streamIdempotency(st *store.Store) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if !info.IsClientStream || info.IsServerStream {
			return h(srv, ss)
		}
		ctx := ss.Context()
		claim, err := newClaim(ctx, st, info.FullMethod)
		if err != nil {
			return err
		}
		if claim == nil {
			return h(srv, ss)
		}
		rs := &recordingStream{ServerStream: ss, ctx: store.WithIdempotency(ctx, claim), st: st, claim: claim, method: info.FullMethod, hash: sha256.New()}
		claim.RequestHash = hex.EncodeToString(rs.hash.Sum(nil))
		claim.Complete = func() bool { return rs.eof }
		if done, err := rs.replay(); done {
			return err
		}
		err = h(srv, rs)
		if err != nil && !claim.Written() {
			// As for unary creates: a concurrent call with the same key may have won.
			if done, rerr := rs.replay(); done {
				return rerr
			}
			if errors.Is(err, store.ErrIdempotencyConflict) {
				return errKeyInFlight
			}
			return err
		}
		if err == nil && claim.Written() && rs.response != nil {
			saveResponse(ctx, st, claim, rs.response)
		}
		return err
	}
}

// recordingStream hashes the messages a client-streaming create receives into its claim
// and keeps the response the handler sends.
type recordingStream struct {
	grpc.ServerStream
	ctx        context.Context
	st         *store.Store
	claim      *store.IdempotencyClaim
	method     string
	hash       gohash.Hash
	eof        bool
	headerSent bool
	response   []byte
}

func (s *recordingStream) Context() context.Context { return s.ctx }

// SendHeader notes that the headers went out: a replay after the handler failed must not
// send them twice, which gRPC refuses.
func (s *recordingStream) SendHeader(md metadata.MD) error {
	s.headerSent = true
	return s.ServerStream.SendHeader(md)
}

func (s *recordingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == io.EOF {
		s.eof = true
	}
	if err != nil {
		return err
	}
	msg, _ := m.(proto.Message)
	body, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
	if err != nil {
		return err
	}
	s.claim.RequestBytes += int64(len(body))
	// Length-prefixed, so that no two sequences of messages hash alike.
	s.hash.Write(binary.BigEndian.AppendUint64(nil, uint64(len(body))))
	s.hash.Write(body)
	s.claim.RequestHash = hex.EncodeToString(s.hash.Sum(nil))
	return nil
}

func (s *recordingStream) SendMsg(m any) error {
	if msg, ok := m.(proto.Message); ok && s.response == nil {
		// Marshalled now: this is the response as sent, whatever the handler does next.
		if b, err := storable(msg); err == nil {
			s.response = b
		}
	}
	return s.ServerStream.SendMsg(m)
}

// replay answers the stream as a retry when its key was already used: it receives the rest
// of the stream, since the stored hash covers every message, then sends the stored
// response or says why not.
func (s *recordingStream) replay() (done bool, err error) {
	rec, err := lookup(s.ctx, s.st, s.claim)
	if rec == nil || err != nil {
		return err != nil, err
	}
	if !s.eof {
		// A client that waits for the server's headers before sending its body (the
		// gateway's uploads) gets them now, or the drain below would wait on it for ever.
		if !s.headerSent {
			if err := s.SendHeader(metadata.Pairs(resource.UploadReadyKey, "1")); err != nil {
				return true, err
			}
		}
		in, _, err := methodTypes(s.method)
		if err != nil {
			return true, err
		}
		for !s.eof {
			if err := s.RecvMsg(in.New().Interface()); err != nil && err != io.EOF {
				return true, err
			}
			// Longer than the request the key was used for: another request, refused
			// without reading the rest (an upload retried with other bytes is not read
			// to its end, whatever its size).
			if rec.RequestBytes > 0 && s.claim.RequestBytes > rec.RequestBytes {
				return true, errKeyReused
			}
		}
	}
	resp, err := answer(rec, s.claim, s.method)
	if err != nil {
		return true, err
	}
	return true, s.ServerStream.SendMsg(resp)
}

// newClaim returns the claim of a call on its Idempotency-Key, or nil when the call carries
// none or the method does not honour it; RequestHash is left to the caller.
func newClaim(ctx context.Context, st *store.Store, method string) (*store.IdempotencyClaim, error) {
	key := ""
	if v := metadata.ValueFromIncomingContext(ctx, "idempotency-key"); len(v) > 0 {
		key = v[0]
	}
	if key == "" || st == nil || !Idempotent(method) {
		return nil, nil
	}
	if err := CheckIdempotencyKey("idempotency_key", key); err != nil {
		return nil, err
	}
	subject := ""
	if v := viewer.FromContext(ctx); v != nil {
		subject = v.Subject
	}
	return &store.IdempotencyClaim{ID: hash(subject, method, key), Method: method, Now: time.Now()}, nil
}

// CheckIdempotencyKey is the one rule for an Idempotency-Key: 1 to 255 visible ASCII
// characters. The gateway checks it too, before gRPC metadata could drop a key it cannot
// carry; field names where the key came from.
func CheckIdempotencyKey(field, key string) error {
	if key == "" || len(key) > 255 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return errs.Invalid(field, "1 to 255 visible ASCII characters", "须为 1 至 255 个可见 ASCII 字符")
	}
	return nil
}

// storable is a response as it is kept for retries: without its secrets. A field marked
// debug_redact in the proto (a service account's client secret, tokens) is shown once, to
// the first answer; a retry gets the resource without it, so no secret sits in the
// idempotency table for a day.
func storable(m proto.Message) ([]byte, error) {
	c := proto.Clone(m)
	redact(c.ProtoReflect())
	return proto.Marshal(c)
}

func redact(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if opts, ok := fd.Options().(*descriptorpb.FieldOptions); ok && opts.GetDebugRedact() {
			m.Clear(fd)
			return true
		}
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool { redact(mv.Message()); return true })
			}
		case fd.IsList() && fd.Message() != nil:
			for i := range v.List().Len() {
				redact(v.List().Get(i).Message())
			}
		case fd.Message() != nil:
			redact(v.Message())
		}
		return true
	})
}

// saveResponse stores the first response of a committed create. Best effort: if this write
// is lost, retries learn the create happened.
func saveResponse(ctx context.Context, st *store.Store, c *store.IdempotencyClaim, resp []byte) {
	_ = st.Client.IdempotencyRecord.UpdateOneID(c.ID).SetResponse(resp).Exec(store.System(ctx))
}

// replay answers a request whose key was already used: the stored response, or why not.
func replay(ctx context.Context, st *store.Store, c *store.IdempotencyClaim, method string) (resp any, done bool, err error) {
	rec, err := lookup(ctx, st, c)
	if rec == nil || err != nil {
		return nil, err != nil, err
	}
	msg, err := answer(rec, c, method)
	if err != nil {
		return nil, true, err
	}
	return msg, true, nil
}

// lookup returns the live record of c's key, or nil when there is none; an expired record
// is deleted.
func lookup(ctx context.Context, st *store.Store, c *store.IdempotencyClaim) (*ent.IdempotencyRecord, error) {
	sys := store.System(ctx)
	rec, err := st.Client.IdempotencyRecord.Get(sys, c.ID)
	switch {
	case ent.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	case rec.ExpireTime.Before(c.Now):
		_, _ = st.Client.IdempotencyRecord.Delete().Where(idempotencyrecord.ID(c.ID), idempotencyrecord.ExpireTimeLT(c.Now)).Exec(sys)
		return nil, nil
	}
	return rec, nil
}

// answer is the reply to a retry of rec: its stored response, or why not.
func answer(rec *ent.IdempotencyRecord, c *store.IdempotencyClaim, method string) (proto.Message, error) {
	switch {
	case rec.RequestHash != c.RequestHash:
		return nil, errKeyReused
	case len(rec.Response) == 0:
		// Committed moments ago and the response not yet stored, or stored never.
		if c.Now.Sub(rec.CreateTime) < 30*time.Second {
			return nil, errKeyInFlight
		}
		return nil, errResultLost
	}
	_, out, err := methodTypes(method)
	if err != nil {
		return nil, err
	}
	msg := out.New().Interface()
	if err := proto.Unmarshal(rec.Response, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// methodTypes returns the request and response message types of a method.
func methodTypes(fullMethod string) (in, out protoreflect.MessageType, err error) {
	svc, m, _ := strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
	if err != nil {
		return nil, nil, err
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return nil, nil, fmt.Errorf("rpc: %s is not a service", svc)
	}
	md := sd.Methods().ByName(protoreflect.Name(m))
	if md == nil {
		return nil, nil, fmt.Errorf("rpc: no method %s", fullMethod)
	}
	if in, err = protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName()); err != nil {
		return nil, nil, err
	}
	if out, err = protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName()); err != nil {
		return nil, nil, err
	}
	return in, out, nil
}

func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

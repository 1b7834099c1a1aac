package rpc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/idempotencyrecord"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// idempotent reports whether a method honours Idempotency-Key: the creates and imports.
func idempotent(fullMethod string) bool {
	name := fullMethod[strings.LastIndexByte(fullMethod, '/')+1:]
	return strings.HasPrefix(name, "Create") || strings.HasPrefix(name, "Import")
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

// idempotency makes creates retry-safe (DESIGN.md §6): a create carrying an
// Idempotency-Key runs at most once per caller and key. The claim on the key commits in the
// create's own transaction (store.Tx), so no crash or race can run it twice; the first
// response is stored after the commit and returned to every retry.
func idempotency(st *store.Store) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		key := ""
		if v := metadata.ValueFromIncomingContext(ctx, "idempotency-key"); len(v) > 0 {
			key = v[0]
		}
		if key == "" || st == nil || !idempotent(info.FullMethod) {
			return h(ctx, req)
		}
		if len(key) > 255 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return nil, errs.Invalid("idempotency_key", "1 to 255 visible ASCII characters", "须为 1 至 255 个可见 ASCII 字符")
		}
		subject := ""
		if v := viewer.FromContext(ctx); v != nil {
			subject = v.Subject
		}
		msg, _ := req.(proto.Message)
		body, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
		if err != nil {
			return nil, err
		}
		claim := &store.IdempotencyClaim{
			ID: hash(subject, info.FullMethod, key), Method: info.FullMethod, RequestHash: hash(string(body)), Now: time.Now(),
		}
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
		if b, merr := proto.Marshal(resp.(proto.Message)); merr == nil {
			// Best effort: if this write is lost, retries learn the create happened.
			_ = st.Client.IdempotencyRecord.UpdateOneID(claim.ID).SetResponse(b).Exec(store.System(ctx))
		}
		return resp, nil
	}
}

// replay answers a request whose key was already used: the stored response, or why not.
func replay(ctx context.Context, st *store.Store, c *store.IdempotencyClaim, method string) (resp any, done bool, err error) {
	sys := store.System(ctx)
	rec, err := st.Client.IdempotencyRecord.Get(sys, c.ID)
	switch {
	case ent.IsNotFound(err):
		return nil, false, nil
	case err != nil:
		return nil, true, err
	case rec.ExpireTime.Before(c.Now):
		_, _ = st.Client.IdempotencyRecord.Delete().Where(idempotencyrecord.ID(c.ID), idempotencyrecord.ExpireTimeLT(c.Now)).Exec(sys)
		return nil, false, nil
	case rec.RequestHash != c.RequestHash:
		return nil, true, errKeyReused
	case len(rec.Response) == 0:
		// Committed moments ago and the response not yet stored, or stored never.
		if c.Now.Sub(rec.CreateTime) < 30*time.Second {
			return nil, true, errKeyInFlight
		}
		return nil, true, errResultLost
	}
	msg, err := newResponse(method)
	if err != nil {
		return nil, true, err
	}
	if err := proto.Unmarshal(rec.Response, msg); err != nil {
		return nil, true, err
	}
	return msg, true, nil
}

// newResponse returns an empty response message of a method.
func newResponse(fullMethod string) (proto.Message, error) {
	svc, m, _ := strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
	if err != nil {
		return nil, err
	}
	md := d.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(m))
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
	if err != nil {
		return nil, err
	}
	return mt.New().Interface(), nil
}

func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

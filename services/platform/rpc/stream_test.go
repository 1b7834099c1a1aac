package rpc

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// The streaming test service is described by a proto file built here rather than by
// protoc: rules live in method options and LoadRules reads them from the registry, so the
// test service declares its rules exactly as a real one does, and production code has no
// test hook. Its package is not "wenming.", so TestEveryRPCDeclaresARule ignores it.
const (
	createUnits = "/rpctest.v1.StreamService/CreateUnits" // client-streaming, office admins
	watchUnits  = "/rpctest.v1.StreamService/WatchUnits"  // server-streaming, anyone signed in
)

var registerStreamProto = sync.OnceValue(func() error {
	method := func(name, in string, client bool, rule *authzv1.Rule) *descriptorpb.MethodDescriptorProto {
		opts := &descriptorpb.MethodOptions{}
		if rule != nil {
			proto.SetExtension(opts, authzv1.E_Rule, rule)
		}
		return &descriptorpb.MethodDescriptorProto{
			Name: proto.String(name), InputType: proto.String(in), OutputType: proto.String(".wenming.tenancy.v1.Unit"),
			ClientStreaming: proto.Bool(client), ServerStreaming: proto.Bool(!client), Options: opts,
		}
	}
	f, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:    proto.String("rpctest/v1/stream.proto"),
		Package: proto.String("rpctest.v1"),
		Syntax:  proto.String("proto3"),
		Dependency: []string{
			tenancyv1.File_wenming_tenancy_v1_tenancy_proto.Path(),
			tenancyv1.File_wenming_tenancy_v1_resources_proto.Path(),
		},
		Service: []*descriptorpb.ServiceDescriptorProto{
			{Name: proto.String("StreamService"), Method: []*descriptorpb.MethodDescriptorProto{
				method("CreateUnits", ".wenming.tenancy.v1.CreateUnitRequest", true, &authzv1.Rule{Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}}),
				method("WatchUnits", ".wenming.tenancy.v1.GetUnitRequest", false, &authzv1.Rule{}),
			}},
			{Name: proto.String("UnruledService"), Method: []*descriptorpb.MethodDescriptorProto{
				method("ImportUnits", ".wenming.tenancy.v1.CreateUnitRequest", true, nil),
			}},
		},
	}, protoregistry.GlobalFiles)
	if err != nil {
		return err
	}
	return protoregistry.GlobalFiles.RegisterFile(f)
})

// streamService implements the test service by hand, as generated code would.
type streamService struct {
	st *store.Store
	// creates counts the CreateUnits handlers that ran.
	creates atomic.Int32
	// careless makes CreateUnits stop at a receive error and answer anyway, as a buggy
	// handler might.
	careless bool
}

// createUnits receives units until the client is done, commits, and answers with the call
// number, the caller and the names it received.
func (s *streamService) createUnits(_ any, ss grpc.ServerStream) error {
	n := s.creates.Add(1)
	var names []string
	for {
		req := new(tenancyv1.CreateUnitRequest)
		err := ss.RecvMsg(req)
		if err == io.EOF || err != nil && s.careless {
			break
		}
		if err != nil {
			return err
		}
		names = append(names, req.GetUnit().GetDisplayName())
	}
	if s.st != nil {
		if err := s.st.Tx(ss.Context(), func(*ent.Tx) error { return nil }); err != nil {
			return err
		}
	}
	return ss.SendMsg(&tenancyv1.Unit{Id: fmt.Sprint(n), OfficeId: viewer.FromContext(ss.Context()).Subject, DisplayName: strings.Join(names, ",")})
}

func (s *streamService) watchUnits(_ any, ss grpc.ServerStream) error {
	req := new(tenancyv1.GetUnitRequest)
	if err := ss.RecvMsg(req); err != nil {
		return err
	}
	if req.GetUnitId() == "panic" {
		panic("handler bug")
	}
	return ss.SendMsg(&tenancyv1.Unit{Id: req.GetUnitId(), OfficeId: viewer.FromContext(ss.Context()).Subject})
}

func (s *streamService) desc() *grpc.ServiceDesc {
	return &grpc.ServiceDesc{
		ServiceName: "rpctest.v1.StreamService",
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{
			{StreamName: "CreateUnits", Handler: s.createUnits, ClientStreams: true},
			{StreamName: "WatchUnits", Handler: s.watchUnits, ServerStreams: true},
		},
		Metadata: "rpctest/v1/stream.proto",
	}
}

// serveStreams starts a server with svc over bufconn and returns a client connection.
func serveStreams(t *testing.T, svc *streamService) *grpc.ClientConn {
	t.Helper()
	if err := registerStreamProto(); err != nil {
		t.Fatal(err)
	}
	tokens := fakeVerifier{
		"admin":  {Subject: "a", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}},
		"admin2": {Subject: "b", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}},
		"viewer": {Subject: "v", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_VIEWER}},
	}
	srv, err := NewServer(Options{Tokens: tokens, Store: svc.st}, func(s *grpc.Server) { s.RegisterService(svc.desc(), svc) })
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// upload calls CreateUnits with the given headers and requests.
func upload(t *testing.T, conn *grpc.ClientConn, md metadata.MD, reqs ...*tenancyv1.CreateUnitRequest) (*tenancyv1.Unit, error) {
	t.Helper()
	cs, err := conn.NewStream(metadata.NewOutgoingContext(t.Context(), md), &grpc.StreamDesc{ClientStreams: true}, createUnits)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		// io.EOF means the server already answered; RecvMsg says how.
		if err := cs.SendMsg(r); err != nil {
			break
		}
	}
	_ = cs.CloseSend()
	resp := new(tenancyv1.Unit)
	if err := cs.RecvMsg(resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// watch calls WatchUnits and returns the units it streams.
func watch(t *testing.T, conn *grpc.ClientConn, md metadata.MD, req *tenancyv1.GetUnitRequest) ([]*tenancyv1.Unit, error) {
	t.Helper()
	cs, err := conn.NewStream(metadata.NewOutgoingContext(t.Context(), md), &grpc.StreamDesc{ServerStreams: true}, watchUnits)
	if err != nil {
		return nil, err
	}
	if err := cs.SendMsg(req); err != nil {
		return nil, err
	}
	_ = cs.CloseSend()
	var out []*tenancyv1.Unit
	for {
		u := new(tenancyv1.Unit)
		if err := cs.RecvMsg(u); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, err
		}
		out = append(out, u)
	}
}

func unit(name string) *tenancyv1.CreateUnitRequest {
	return &tenancyv1.CreateUnitRequest{OfficeId: "o", Unit: &tenancyv1.Unit{DisplayName: name}}
}

func bearer(tok string) metadata.MD { return metadata.Pairs("authorization", "Bearer "+tok) }

// details returns the ErrorInfo reason and the BadRequest fields of err's status.
func details(err error) (reason string, fields []string) {
	for _, d := range status.Convert(err).Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	return reason, fields
}

func TestStreamAuthnAuthz(t *testing.T) {
	svc := &streamService{}
	conn := serveStreams(t, svc)
	for _, c := range []struct {
		name        string
		md          metadata.MD
		create, get codes.Code
	}{
		{"no token", nil, codes.Unauthenticated, codes.Unauthenticated},
		{"forged token", bearer("forged"), codes.Unauthenticated, codes.Unauthenticated},
		{"role missing", bearer("viewer"), codes.PermissionDenied, codes.OK},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := upload(t, conn, c.md, unit("a")); status.Code(err) != c.create {
				t.Fatalf("CreateUnits = %v, want %v", err, c.create)
			}
			if _, err := watch(t, conn, c.md, &tenancyv1.GetUnitRequest{UnitId: "u"}); status.Code(err) != c.get {
				t.Fatalf("WatchUnits = %v, want %v", err, c.get)
			}
		})
	}
	if n := svc.creates.Load(); n != 0 {
		t.Fatalf("a refused stream reached the handler %d times", n)
	}
	t.Run("admitted", func(t *testing.T) {
		got, err := upload(t, conn, bearer("admin"), unit("x"), unit("y"))
		if err != nil {
			t.Fatal(err)
		}
		if got.GetOfficeId() != "a" || got.GetDisplayName() != "x,y" {
			t.Fatalf("CreateUnits = %v, want the admin's viewer and both units", got)
		}
		units, err := watch(t, conn, bearer("viewer"), &tenancyv1.GetUnitRequest{UnitId: "u"})
		if err != nil || len(units) != 1 || units[0].GetOfficeId() != "v" {
			t.Fatalf("WatchUnits = %v, %v, want one unit seen by the viewer", units, err)
		}
		// The request id reaches a stream's response header as it does a unary call's.
		md := metadata.Join(bearer("viewer"), metadata.Pairs("x-request-id", "req-7"))
		cs, err := conn.NewStream(metadata.NewOutgoingContext(t.Context(), md), &grpc.StreamDesc{ServerStreams: true}, watchUnits)
		if err != nil {
			t.Fatal(err)
		}
		if err := cs.SendMsg(&tenancyv1.GetUnitRequest{UnitId: "u"}); err != nil {
			t.Fatal(err)
		}
		if h, err := cs.Header(); err != nil || !slices.Equal(h.Get("x-request-id"), []string{"req-7"}) {
			t.Fatalf("header = %v, %v; want x-request-id req-7", h, err)
		}
	})
}

func TestStreamValidatesEveryMessage(t *testing.T) {
	for _, careless := range []bool{false, true} {
		t.Run(fmt.Sprintf("careless=%v", careless), func(t *testing.T) {
			conn := serveStreams(t, &streamService{careless: careless})
			// The second message is the bad one: each received message is checked, not only the first.
			_, err := upload(t, conn, bearer("admin"), unit("ok"), unit("bad\x00name"))
			if _, fields := details(err); status.Code(err) != codes.InvalidArgument || !slices.Contains(fields, "unit.display_name") {
				t.Fatalf("CreateUnits = %v (fields %v), want INVALID_ARGUMENT on unit.display_name", err, fields)
			}
		})
	}
	t.Run("server stream request", func(t *testing.T) {
		conn := serveStreams(t, &streamService{})
		_, err := watch(t, conn, bearer("viewer"), &tenancyv1.GetUnitRequest{UnitId: "\x00"})
		if _, fields := details(err); status.Code(err) != codes.InvalidArgument || !slices.Contains(fields, "unit_id") {
			t.Fatalf("WatchUnits = %v (fields %v), want INVALID_ARGUMENT on unit_id", err, fields)
		}
	})
}

func TestStreamPanicIsInternal(t *testing.T) {
	conn := serveStreams(t, &streamService{})
	_, err := watch(t, conn, bearer("viewer"), &tenancyv1.GetUnitRequest{UnitId: "panic"})
	if status.Code(err) != codes.Internal || strings.Contains(status.Convert(err).Message(), "handler bug") {
		t.Fatalf("WatchUnits = %v, want a bare INTERNAL", err)
	}
	// The server survives it.
	if _, err := watch(t, conn, bearer("viewer"), &tenancyv1.GetUnitRequest{UnitId: "u"}); err != nil {
		t.Fatal(err)
	}
}

func TestStreamIdempotency(t *testing.T) {
	svc := &streamService{st: storetest.Open(t, storetest.SQLite)}
	conn := serveStreams(t, svc)
	key := func(tok, k string) metadata.MD {
		return metadata.Join(bearer(tok), metadata.Pairs("idempotency-key", k))
	}

	first, err := upload(t, conn, key("admin", "upload-1"), unit("x"), unit("y"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := upload(t, conn, key("admin", "upload-1"), unit("x"), unit("y"))
	if err != nil || !proto.Equal(first, again) || svc.creates.Load() != 1 {
		t.Fatalf("retry = %v, %v after %d runs; want the first response %v and one run", again, err, svc.creates.Load(), first)
	}
	// Same key, different stream: a different request, refused without running.
	_, err = upload(t, conn, key("admin", "upload-1"), unit("x"))
	if reason, _ := details(err); status.Code(err) != codes.InvalidArgument || reason != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("reused key = %v (%s), want INVALID_ARGUMENT IDEMPOTENCY_KEY_REUSED", err, reason)
	}
	// An invalid message in a retry is refused as it would be on the first try.
	if _, err := upload(t, conn, key("admin", "upload-1"), unit("x"), unit("y\x00")); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("invalid retry = %v, want INVALID_ARGUMENT", err)
	}
	if n := svc.creates.Load(); n != 1 {
		t.Fatalf("the handler ran %d times, want 1", n)
	}
	// Keys belong to their caller, and other keys are other requests.
	for _, md := range []metadata.MD{key("admin2", "upload-1"), key("admin", "upload-2"), bearer("admin")} {
		if got, err := upload(t, conn, md, unit("x"), unit("y")); err != nil || got.GetId() == first.GetId() {
			t.Fatalf("%v: %v, %v; want a new run", md, got, err)
		}
	}
	if _, err := upload(t, conn, key("admin", "bad key"), unit("x")); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("malformed key = %v, want INVALID_ARGUMENT", err)
	}
}

func TestStreamingMethodsNeedRules(t *testing.T) {
	if err := registerStreamProto(); err != nil {
		t.Fatal(err)
	}
	noop := func(any, grpc.ServerStream) error { return nil }
	for name, desc := range map[string]*grpc.ServiceDesc{
		// Declared in the proto, without a rule.
		"/rpctest.v1.UnruledService/ImportUnits": {ServiceName: "rpctest.v1.UnruledService", HandlerType: (*any)(nil),
			Streams: []grpc.StreamDesc{{StreamName: "ImportUnits", Handler: noop, ClientStreams: true}}},
		// Served, but missing from the proto, so it has no rule to read.
		"/rpctest.v1.StreamService/Sneak": {ServiceName: "rpctest.v1.StreamService", HandlerType: (*any)(nil),
			Streams: []grpc.StreamDesc{{StreamName: "CreateUnits", Handler: noop, ClientStreams: true}, {StreamName: "Sneak", Handler: noop, ServerStreams: true}}},
	} {
		_, err := NewServer(Options{}, func(s *grpc.Server) { s.RegisterService(desc, struct{}{}) })
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("NewServer = %v, want a missing-rule error for %s", err, name)
		}
	}
	srv, err := NewServer(Options{}, func(s *grpc.Server) { s.RegisterService((&streamService{}).desc(), struct{}{}) })
	if err != nil {
		t.Fatal(err)
	}
	if r := srv.Rules()[createUnits]; r == nil || !slices.Equal(r.GetRoles(), []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}) {
		t.Fatalf("rule of %s = %v", createUnits, r)
	}
}

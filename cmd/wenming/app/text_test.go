package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	grpccodes "google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// TestEveryStringFieldRefusesControlCharacters calls every RPC of every service with a NUL
// byte in every string field it has, nested ones included, as a caller the RPC's rule
// admits. PostgreSQL refuses NUL in text (SQLSTATE 22021), so a field that slipped past
// validation would answer INTERNAL there; every call must answer INVALID_ARGUMENT.
func TestEveryStringFieldRefusesControlCharacters(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		tr := e.BuildTree(t)
		conn, err := grpc.NewClient(e.App.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		e.User(t, tr.D1Admin, "/v1/offices/"+tr.D1+"/users", "text-reviewer", authzv1.Role_ROLE_OFFICE_REVIEWER)
		reviewer, _ := e.Login(t, "text-reviewer", "text-reviewer-password")
		tokens := map[authzv1.Role]string{
			authzv1.Role_ROLE_OFFICE_REVIEWER: reviewer,
			authzv1.Role_ROLE_PLATFORM_ADMIN:  tr.Platform, authzv1.Role_ROLE_OFFICE_ADMIN: tr.D1Admin,
			authzv1.Role_ROLE_OFFICE_VIEWER: tr.D1Viewer, authzv1.Role_ROLE_UNIT_ADMIN: tr.Unit1Admin,
			authzv1.Role_ROLE_UNIT_SUBMITTER: tr.Unit1Submitter,
		}
		called := 0
		protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
			if !strings.HasPrefix(string(fd.Package()), "wenming.") {
				return true
			}
			for i := range fd.Services().Len() {
				sd := fd.Services().Get(i)
				for j := range sd.Methods().Len() {
					md := sd.Methods().Get(j)
					req := dynamicpb.NewMessage(md.Input())
					if !fillStrings(req, "x\x00y", 0) {
						continue // nothing to put a NUL in
					}
					ctx := context.Background()
					rule, _ := proto.GetExtension(md.Options(), authzv1.E_Rule).(*authzv1.Rule)
					if !rule.GetPublic() {
						tok := tr.D1Admin
						if roles := rule.GetRoles(); len(roles) > 0 {
							tok = ""
							for r, tk := range tokens {
								if slices.Contains(roles, r) {
									tok = tk
								}
							}
							if tok == "" {
								t.Errorf("%s: no test caller holds %v", md.FullName(), roles)
								continue
							}
						}
						ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
					}
					method := "/" + string(sd.FullName()) + "/" + string(md.Name())
					err := conn.Invoke(ctx, method, req, dynamicpb.NewMessage(md.Output()))
					called++
					if status.Code(err) != grpccodes.InvalidArgument {
						t.Errorf("%s with NUL in every string field: %v", method, err)
					}
				}
			}
			return true
		})
		if called < 30 {
			t.Errorf("only %d RPCs called: the walk missed the services", called)
		}
		// Through the gateway, bad text in the path, the query or a forwarded header is a
		// 400 naming where, before anything is encoded for the services.
		for _, c := range []struct {
			name, path, field string
			h                 []apptest.Header
		}{
			{"NUL in a path id", "/v1/units/%00", "path", nil},
			{"invalid UTF-8 in a path id", "/v1/offices/%FF", "path", nil},
			{"invalid UTF-8 in a query", "/v1/offices?parentId=%FF", "parentId", nil},
			{"a surrogate in a query", "/v1/offices/" + tr.D1 + "/units?name=%ED%A0%80", "name", nil},
			{"an overlong NUL in a page token", "/v1/offices/" + tr.D1 + "/units?pageToken=%C0%80", "pageToken", nil},
			{"a non-ASCII Idempotency-Key", "/v1/offices/" + tr.D1 + "/units", "Idempotency-Key", []apptest.Header{{"Idempotency-Key": "键-1"}}},
			{"a space in an Idempotency-Key", "/v1/offices/" + tr.D1 + "/units", "Idempotency-Key", []apptest.Header{{"Idempotency-Key": "a b"}}},
			{"invalid UTF-8 in a query name", "/v1/offices?%FF=1", "query", nil},
			{"NUL in a query name", "/v1/offices?a%00=1", "query", nil},
		} {
			if r := e.Do(t, "GET", c.path, tr.D1Admin, nil, c.h...); r.Code != 400 || r.Field(t) != c.field {
				t.Errorf("%s: %d %s", c.name, r.Code, r.Raw)
			}
		}
	})
}

// fillStrings sets every string field of m, and of the messages in it down to a few levels,
// to s; it reports whether it set any.
func fillStrings(m protoreflect.Message, s string, depth int) bool {
	if depth > 3 {
		return false
	}
	set := false
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.ContainingOneof() != nil && !fd.HasOptionalKeyword() && m.WhichOneof(fd.ContainingOneof()) != nil {
			continue
		}
		switch {
		case fd.IsMap():
		case fd.IsList() && fd.Kind() == protoreflect.StringKind:
			m.Mutable(fd).List().Append(protoreflect.ValueOfString(s))
			set = true
		case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
			el := m.Mutable(fd).List().AppendMutable()
			set = fillStrings(el.Message(), s, depth+1) || set
		case fd.Kind() == protoreflect.StringKind:
			m.Set(fd, protoreflect.ValueOfString(s))
			set = true
		case fd.Kind() == protoreflect.MessageKind && !strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf."):
			set = fillStrings(m.Mutable(fd).Message(), s, depth+1) || set
		}
	}
	return set
}

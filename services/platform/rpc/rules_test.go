package rpc

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// registerTenancy registers one real service with its declared rules. That every service
// of the table declares a rule for every method is checked where the table is
// (cmd/wenming/app, TestEveryServiceIsInTheTable).
func registerTenancy(s *grpc.Server) {
	tenancyv1.RegisterTenancyServiceServer(s, tenancyv1.UnimplementedTenancyServiceServer{})
	tenancyv1.RegisterAuthServiceServer(s, tenancyv1.UnimplementedAuthServiceServer{})
}

func TestServerRefusesAServiceWithoutRules(t *testing.T) {
	_, err := NewServer(Options{}, func(s *grpc.Server) {
		registerTenancy(s)
		testgrpc.RegisterTestServiceServer(s, testgrpc.UnimplementedTestServiceServer{})
	})
	if err == nil || !strings.Contains(err.Error(), "grpc.testing.TestService") {
		t.Fatalf("NewServer = %v, want a missing-rule error", err)
	}
}

type fakeVerifier map[string]*viewer.Viewer

func (f fakeVerifier) Verify(_ context.Context, tok string) (*viewer.Viewer, error) {
	if v, ok := f[tok]; ok {
		return v, nil
	}
	return nil, errs.ErrUnauthenticated
}

func TestAuthnAuthz(t *testing.T) {
	rules := &Rules{
		"/s/Public": {Public: true},
		"/s/Any":    {},
		"/s/Admin":  {Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}},
	}
	tokens := fakeVerifier{
		"admin":  {Subject: "a", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}},
		"viewer": {Subject: "v", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_VIEWER}},
	}
	authn, authz := unaryStep(authenticate(rules, tokens)), unaryStep(authorize(rules))
	call := func(method string, auth ...string) codes.Code {
		ctx := context.Background()
		if len(auth) > 0 {
			ctx = metadata.NewIncomingContext(ctx, metadata.MD{"authorization": auth})
		}
		info := &grpc.UnaryServerInfo{FullMethod: method}
		_, err := authn(ctx, nil, info, func(ctx context.Context, req any) (any, error) {
			return authz(ctx, req, info, func(context.Context, any) (any, error) { return "ok", nil })
		})
		return status.Code(errs.Status(ctx, err).Err())
	}
	cases := []struct {
		name   string
		method string
		auth   []string
		want   codes.Code
	}{
		{"public without token", "/s/Public", nil, codes.OK},
		{"public with garbage token", "/s/Public", []string{"Bearer nope"}, codes.OK},
		{"any without token", "/s/Any", nil, codes.Unauthenticated},
		{"any with token", "/s/Any", []string{"Bearer viewer"}, codes.OK},
		{"lowercase scheme", "/s/Any", []string{"bearer viewer"}, codes.OK},
		{"role missing", "/s/Admin", []string{"Bearer viewer"}, codes.PermissionDenied},
		{"role present", "/s/Admin", []string{"Bearer admin"}, codes.OK},
		{"no rule is denied", "/s/Undeclared", []string{"Bearer admin"}, codes.PermissionDenied},
		{"unknown token", "/s/Any", []string{"Bearer forged"}, codes.Unauthenticated},
		{"basic scheme", "/s/Any", []string{"Basic viewer"}, codes.Unauthenticated},
		{"empty bearer", "/s/Any", []string{"Bearer "}, codes.Unauthenticated},
		{"two tokens", "/s/Any", []string{"Bearer viewer x"}, codes.Unauthenticated},
		{"two headers", "/s/Any", []string{"Bearer viewer", "Bearer admin"}, codes.Unauthenticated},
		{"health is open", "/grpc.health.v1.Health/Check", nil, codes.OK},
	}
	for _, c := range cases {
		if got := call(c.method, c.auth...); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// BenchmarkAuthorize measures the rule lookup and role check each RPC pays after its token
// is verified (the verification itself is BenchmarkVerify in services/platform/auth).
func BenchmarkAuthorize(b *testing.B) {
	srv, err := NewServer(Options{}, registerTenancy)
	if err != nil {
		b.Fatal(err)
	}
	rules := srv.Rules()
	authz := unaryStep(authorize(&rules))
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{Subject: "a", Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}})
	info := &grpc.UnaryServerInfo{FullMethod: "/wenming.tenancy.v1.TenancyService/CreateUnit"}
	ok := func(context.Context, any) (any, error) { return nil, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := authz(ctx, nil, info, ok); err != nil {
			b.Fatal(err)
		}
	}
}

func TestValidationMessagesAreWorded(t *testing.T) {
	val := validate
	cases := []struct {
		req       proto.Message
		field, zh string
		en        string
	}{
		{&tenancyv1.CreateServiceAccountRequest{OfficeId: "o", ServiceAccount: &tenancyv1.ServiceAccount{Roles: []authzv1.Role{authzv1.Role_ROLE_PLATFORM_ADMIN}}},
			"service_account.roles[0]", "须为以下之一：ROLE_OFFICE_ADMIN", "must be one of ROLE_OFFICE_ADMIN"},
		{&tenancyv1.ListUnitsRequest{OfficeId: "o", PageSize: 900}, "page_size", "须在 0 与 500 之间", "must be between 0 and 500"},
		{&tenancyv1.GetUnitRequest{}, "unit_id", "必填", "is required"},
		{&tenancyv1.CreateOfficeRequest{Office: &tenancyv1.Office{RegionCode: "33"}}, "office.region_code", "格式不正确", "has the wrong format"},
		// Text rules reach every string field, nested or repeated, before any handler.
		{&tenancyv1.LoginRequest{Login: "adm\x00in", Password: "x"}, "login", "不能包含控制字符", "must not contain control characters"},
		{&tenancyv1.GetUnitRequest{UnitId: "\x00"}, "unit_id", "不能包含控制字符", "must not contain control characters"},
		{&tenancyv1.CreateUnitRequest{OfficeId: "o", Unit: &tenancyv1.Unit{DisplayName: "图书馆\u202e"}}, "unit.display_name", "不能包含不可见", "must not contain invisible"},
		{&tenancyv1.CreateUnitRequest{OfficeId: "o", Unit: &tenancyv1.Unit{DisplayName: "图\u200b书馆"}}, "unit.display_name", "不能包含不可见", "must not contain invisible"},
		{&tenancyv1.CreateUnitRequest{OfficeId: "o", Unit: &tenancyv1.Unit{DisplayName: " \u3000 "}}, "unit.display_name", "不能只包含空白", "must not be only white space"},
		{&tenancyv1.CreateOfficeRequest{Office: &tenancyv1.Office{DisplayName: "a\nb"}}, "office.display_name", "不能包含控制字符", "must not contain control characters"},
	}
	for _, c := range cases {
		_, err := val(context.Background(), c.req, &grpc.UnaryServerInfo{}, func(context.Context, any) (any, error) { return nil, nil })
		var e *errs.Error
		if !errors.As(err, &e) || len(e.Fields) == 0 {
			t.Errorf("%T: %v", c.req, err)
			continue
		}
		i := slices.IndexFunc(e.Fields, func(f errs.Field) bool { return f.Name == c.field })
		if i < 0 || !strings.HasPrefix(e.Fields[i].ZH, c.zh) || !strings.HasPrefix(e.Fields[i].EN, c.en) {
			t.Errorf("%T: want %s in %+v", c.req, c.field, e.Fields)
		}
	}
}

// BenchmarkValidate measures the request check every RPC pays: protovalidate's
// constraints and the text rules over every string field, for a read (one id) and a create
// (a nested resource).
func BenchmarkValidate(b *testing.B) {
	for name, req := range map[string]proto.Message{
		"read":   &tenancyv1.GetUnitRequest{UnitId: "0192f1c2-7e4b-7d1a-9c3e-5a6b7c8d9e0f"},
		"create": &tenancyv1.CreateUnitRequest{OfficeId: "0192f1c2-7e4b-7d1a-9c3e-5a6b7c8d9e0f", Unit: &tenancyv1.Unit{DisplayName: "西湖区图书馆", CreditCode: "91350100M000100Y43", Category: tenancyv1.UnitCategory_UNIT_CATEGORY_PUBLIC_INSTITUTION}},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Validate(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

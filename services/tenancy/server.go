package tenancy

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/services/platform/store"
)

// Server implements the tenancy and auth services.
type Server struct {
	tenancyv1.UnimplementedTenancyServiceServer
	tenancyv1.UnimplementedAuthServiceServer

	st      *store.Store
	keys    *auth.Keyring
	tokens  *auth.Tokens
	revoked *auth.Revocations
	limits  *cache.Limiter
	pages   *pagetoken.Codec
}

var (
	_ tenancyv1.TenancyServiceServer = (*Server)(nil)
	_ tenancyv1.AuthServiceServer    = (*Server)(nil)
)

// Deps are what the server needs.
type Deps struct {
	Store       *store.Store
	Keys        *auth.Keyring
	Tokens      *auth.Tokens
	Revocations *auth.Revocations
	Limiter     *cache.Limiter
	Pages       *pagetoken.Codec
}

// NewServer returns the tenancy server.
func NewServer(d Deps) *Server {
	return &Server{st: d.Store, keys: d.Keys, tokens: d.Tokens, revoked: d.Revocations, limits: d.Limiter, pages: d.Pages}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// record appends an audit event for a change in tx.
func (s *Server) record(ctx context.Context, tx *ent.Tx, officeID, scopePath, action, typ, id string, before, after proto.Message) error {
	return audit.Record(ctx, tx, s.st.Dialect, audit.Event{
		OfficeID: officeID, ScopePath: scopePath, Action: action, ResourceType: typ, ResourceID: id,
		Before: before, After: after, RequestID: rpc.RequestID(ctx),
	})
}

// checkMask returns the mask's paths after checking that each is one of allowed.
func checkMask(m *fieldmaskpb.FieldMask, allowed ...string) ([]string, error) {
	if m == nil || len(m.GetPaths()) == 0 {
		return nil, errs.Invalid("update_mask", "name the fields to change", "请在 update_mask 中列出要修改的字段")
	}
	for _, p := range m.GetPaths() {
		ok := false
		for _, a := range allowed {
			// Accept both the proto name and the JSON name of a field.
			if p == a || p == snakeToCamel(a) {
				ok = true
			}
		}
		if !ok {
			return nil, errs.Invalid("update_mask", "field "+p+" cannot be changed; changeable: "+strings.Join(allowed, ", "),
				"字段 "+p+" 不可修改；可修改的字段："+strings.Join(allowed, "、"))
		}
	}
	return m.GetPaths(), nil
}

func has(paths []string, name string) bool {
	for _, p := range paths {
		if p == name || p == snakeToCamel(name) {
			return true
		}
	}
	return false
}

func snakeToCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// checkEtag compares the caller's etag with the stored version.
func checkEtag(given string, version int64) error {
	if given == "" {
		return errs.Invalid("etag", "give the etag of the version you are changing", "请提供所修改版本的 etag")
	}
	if given != etag(version) {
		return errs.ErrStaleEtag
	}
	return nil
}

var errInvalidCredentials = errs.New(codes.Unauthenticated, "INVALID_CREDENTIALS",
	"the login or password is wrong", "账号或密码错误")

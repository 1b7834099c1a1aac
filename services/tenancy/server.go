package tenancy

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

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
	trail   *audit.Chain
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
	// Audit records every change in its office's chain (docs/audit.md).
	Audit *audit.Chain
}

// NewServer returns the tenancy server.
func NewServer(d Deps) *Server {
	return &Server{st: d.Store, keys: d.Keys, tokens: d.Tokens, revoked: d.Revocations, limits: d.Limiter, pages: d.Pages, trail: d.Audit}
}

// record appends an audit event for a change in tx.
func (s *Server) record(ctx context.Context, tx *ent.Tx, officeID, scopePath, action, typ, id string, before, after proto.Message) error {
	return s.trail.Record(ctx, tx, audit.Event{
		OfficeID: officeID, ScopePath: scopePath, Action: action, ResourceType: typ, ResourceID: id,
		Before: before, After: after, RequestID: rpc.RequestID(ctx),
	})
}

var errInvalidCredentials = errs.New(codes.Unauthenticated, "INVALID_CREDENTIALS",
	"the login or password is wrong", "账号或密码错误")

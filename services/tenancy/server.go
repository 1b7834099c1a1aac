package tenancy

import (
	"context"

	"google.golang.org/grpc/codes"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/cache"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
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
	// w runs every change: the transaction, the checks and the audit event (mutate).
	w       *mutate.Writer
	rescore func(ctx context.Context, tx *ent.Tx, unitID string) error
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
	// Rescore brings a unit's results up to date after a change to its negative list, in
	// that change's transaction: the review service's (docs/review.md), given in because
	// the review service reads this one.
	Rescore func(ctx context.Context, tx *ent.Tx, unitID string) error
}

// NewServer returns the tenancy server.
func NewServer(d Deps) *Server {
	return &Server{
		st: d.Store, keys: d.Keys, tokens: d.Tokens, revoked: d.Revocations, limits: d.Limiter, pages: d.Pages,
		trail: d.Audit, w: mutate.NewWriter(d.Store, d.Audit), rescore: d.Rescore,
	}
}

var errInvalidCredentials = errs.New(codes.Unauthenticated, "INVALID_CREDENTIALS",
	"the login or password is wrong", "账号或密码错误")

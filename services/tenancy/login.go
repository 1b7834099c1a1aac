package tenancy

import (
	"context"
	"crypto/subtle"
	"math"
	"time"

	"google.golang.org/grpc/codes"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/refreshtoken"
	"github.com/wenming-platform/wenming/ent/serviceaccount"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/rpc"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// Login attempt limits: per account, against guessing one password; per client address,
// against spraying many accounts.
const (
	accountAttempts = 10
	accountWindow   = 15 * time.Minute
	addressAttempts = 60
	addressWindow   = time.Minute
)

func tooMany(wait time.Duration) error {
	secs := int64(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &errs.Error{
		Code: codes.ResourceExhausted, Reason: "RATE_LIMITED",
		EN: "too many attempts; try again later", ZH: "尝试次数过多，请稍后再试", RetryAfterSeconds: secs,
	}
}

// limit counts an attempt against each key and refuses the first one over its limit.
func (s *Server) limit(ctx context.Context, account string) error {
	if ok, wait := s.limits.Allow(ctx, "login:addr:"+rpc.ClientAddr(ctx), addressAttempts, addressWindow); !ok {
		return tooMany(wait)
	}
	if ok, wait := s.limits.Allow(ctx, "login:acct:"+account, accountAttempts, accountWindow); !ok {
		return tooMany(wait)
	}
	return nil
}

func userViewer(u *ent.User, family string) *viewer.Viewer {
	return &viewer.Viewer{
		Subject: u.ID, Kind: viewer.KindUser, Login: u.Login, OfficeID: u.OfficeID, UnitID: u.UnitID,
		ScopePath: u.ScopePath, Roles: rolesToProto(u.Roles), FamilyID: family,
	}
}

// Login checks a password and starts a session. Unknown logins, wrong passwords and
// disabled users get the same answer after the same work.
func (s *Server) Login(ctx context.Context, req *tenancyv1.LoginRequest) (*tenancyv1.TokenResponse, error) {
	login := canonicalLogin(req.GetLogin())
	if err := s.limit(ctx, login); err != nil {
		return nil, err
	}
	sys := store.System(ctx)
	u, err := s.st.Client.User.Query().Where(user.Login(login)).Only(sys)
	if ent.IsNotFound(err) {
		auth.CheckNoUser(req.GetPassword())
		return nil, errInvalidCredentials
	} else if err != nil {
		return nil, err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, req.GetPassword())
	if err != nil {
		return nil, err
	}
	if !ok || u.Disabled {
		return nil, errInvalidCredentials
	}
	s.limits.Reset(ctx, "login:acct:"+login)
	family := resource.NewID()
	refresh := auth.RandomToken(32)
	now := time.Now()
	if err := s.st.Client.RefreshToken.Create().SetID(resource.NewID()).SetTokenHash(secretHash(refresh)).
		SetFamilyID(family).SetUserID(u.ID).SetCreateTime(now).SetExpireTime(now.Add(auth.RefreshTokenTTL)).
		Exec(sys); err != nil {
		return nil, err
	}
	return s.issue(ctx, userViewer(u, family), refresh)
}

func (s *Server) issue(ctx context.Context, v *viewer.Viewer, refresh string) (*tenancyv1.TokenResponse, error) {
	access, ttl, err := s.tokens.Issue(ctx, v)
	if err != nil {
		return nil, err
	}
	return &tenancyv1.TokenResponse{AccessToken: access, RefreshToken: refresh, ExpiresIn: int32(ttl.Seconds()), TokenType: "Bearer"}, nil
}

var errInvalidRefresh = errs.New(codes.Unauthenticated, "INVALID_REFRESH_TOKEN",
	"the refresh token is invalid, expired or revoked; log in again", "刷新令牌无效、已过期或已撤销，请重新登录")

// Refresh rotates a refresh token. A token that was already rotated is being replayed
// (stolen, or a client bug): the whole family is revoked, access tokens included.
func (s *Server) Refresh(ctx context.Context, req *tenancyv1.RefreshRequest) (*tenancyv1.TokenResponse, error) {
	sys := store.System(ctx)
	var (
		next   string
		v      *viewer.Viewer
		reused bool
	)
	err := s.st.Tx(sys, func(tx *ent.Tx) error {
		rt, err := tx.RefreshToken.Query().Where(refreshtoken.TokenHash(secretHash(req.GetRefreshToken()))).Only(sys)
		if ent.IsNotFound(err) {
			return errInvalidRefresh
		} else if err != nil {
			return err
		}
		now := time.Now()
		if rt.RevokeTime != nil || now.After(rt.ExpireTime) {
			return errInvalidRefresh
		}
		// Rotate only if nobody has: a concurrent or later replay finds 0 rows updated.
		n, err := tx.RefreshToken.Update().Where(refreshtoken.ID(rt.ID), refreshtoken.RotateTimeIsNil()).
			SetRotateTime(now).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			reused = true
			if err := tx.RefreshToken.Update().Where(refreshtoken.FamilyID(rt.FamilyID), refreshtoken.RevokeTimeIsNil()).
				SetRevokeTime(now).Exec(sys); err != nil {
				return err
			}
			return s.revoked.RevokeFamily(ctx, tx, rt.FamilyID)
		}
		u, err := tx.User.Get(sys, rt.UserID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return errInvalidRefresh
		}
		next = auth.RandomToken(32)
		v = userViewer(u, rt.FamilyID)
		return tx.RefreshToken.Create().SetID(resource.NewID()).SetTokenHash(secretHash(next)).SetFamilyID(rt.FamilyID).
			SetUserID(u.ID).SetCreateTime(now).SetExpireTime(now.Add(auth.RefreshTokenTTL)).Exec(sys)
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, errInvalidRefresh
	}
	return s.issue(ctx, v, next)
}

// Token issues an access token to a service account.
func (s *Server) Token(ctx context.Context, req *tenancyv1.TokenRequest) (*tenancyv1.TokenResponse, error) {
	if err := s.limit(ctx, "sa:"+req.GetClientId()); err != nil {
		return nil, err
	}
	sys := store.System(ctx)
	sa, err := s.st.Client.ServiceAccount.Query().Where(serviceaccount.ClientID(req.GetClientId())).Only(sys)
	if ent.IsNotFound(err) {
		return nil, errInvalidCredentials
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(sa.SecretHash), []byte(secretHash(req.GetClientSecret()))) != 1 || sa.Disabled {
		return nil, errInvalidCredentials
	}
	return s.issue(ctx, &viewer.Viewer{
		Subject: sa.ID, Kind: viewer.KindServiceAccount, Login: sa.ClientID, OfficeID: sa.OfficeID,
		ScopePath: sa.ScopePath, Roles: rolesToProto(sa.Roles),
	}, "")
}

// Logout ends the caller's session: its access token and its refresh-token family.
func (s *Server) Logout(ctx context.Context, _ *tenancyv1.LogoutRequest) (*tenancyv1.LogoutResponse, error) {
	v := viewer.FromContext(ctx)
	sys := store.System(ctx)
	err := s.st.Tx(sys, func(tx *ent.Tx) error {
		if err := s.revoked.RevokeToken(ctx, tx, v.TokenID, time.Now().Add(auth.AccessTokenTTL+time.Minute)); err != nil {
			return err
		}
		if v.FamilyID == "" {
			return nil
		}
		if err := tx.RefreshToken.Update().Where(refreshtoken.FamilyID(v.FamilyID), refreshtoken.UserID(v.Subject), refreshtoken.RevokeTimeIsNil()).
			SetRevokeTime(time.Now()).Exec(sys); err != nil {
			return err
		}
		return s.revoked.RevokeFamily(ctx, tx, v.FamilyID)
	})
	if err != nil {
		return nil, err
	}
	return &tenancyv1.LogoutResponse{}, nil
}

// GetMe describes the caller.
func (s *Server) GetMe(ctx context.Context, _ *tenancyv1.GetMeRequest) (*tenancyv1.Me, error) {
	v := viewer.FromContext(ctx)
	me := &tenancyv1.Me{Subject: v.Subject, Kind: string(v.Kind), Login: v.Login}
	if v.Kind == viewer.KindUser {
		u, err := s.st.Client.User.Get(store.System(ctx), v.Subject)
		if err != nil {
			return nil, resource.NotFound(err, "user")
		}
		me.DisplayName = u.DisplayName
	}
	sc := &tenancyv1.Scope{UnitId: v.UnitID, Roles: v.Roles}
	if !v.PlatformAdmin() {
		sc.OfficeId = v.OfficeID
	}
	me.Scopes = []*tenancyv1.Scope{sc}
	return me, nil
}

// GetJwks publishes the token verification keys.
func (s *Server) GetJwks(ctx context.Context, _ *tenancyv1.GetJwksRequest) (*tenancyv1.GetJwksResponse, error) {
	return &tenancyv1.GetJwksResponse{Keys: s.keys.JWKS(ctx)}, nil
}

// ErrAdminExists is returned by Bootstrap when a platform admin already exists.
var ErrAdminExists = errs.New(codes.FailedPrecondition, "ADMIN_EXISTS", "a platform admin already exists", "平台管理员已存在")

// Bootstrap creates the first platform admin. It refuses when one exists.
func Bootstrap(ctx context.Context, st *store.Store, login, password string) error {
	if len(password) < 10 {
		return errs.Invalid("password", "at least 10 characters", "至少 10 个字符")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	sys := store.System(ctx)
	return st.Tx(sys, func(tx *ent.Tx) error {
		exists, err := tx.User.Query().Where(user.Platform(true)).Exist(sys)
		if err != nil {
			return err
		}
		if exists {
			return ErrAdminExists
		}
		u, err := tx.User.Create().SetID(resource.NewID()).SetOfficeID(audit.PlatformOffice).SetScopePath("/" + audit.PlatformOffice + "/").
			SetLogin(canonicalLogin(login)).SetDisplayName("Platform admin").SetPasswordHash(hash).SetPlatform(true).
			SetRoles([]string{authzv1.Role_ROLE_PLATFORM_ADMIN.String()}).Save(sys)
		if err != nil {
			return err
		}
		return audit.Record(sys, tx, st.Dialect, audit.Event{
			OfficeID: audit.PlatformOffice, ScopePath: "/" + audit.PlatformOffice + "/", Action: "platform.bootstrap",
			ResourceType: "user", ResourceID: u.ID, After: userToProto(u),
		})
	})
}

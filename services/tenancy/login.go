package tenancy

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"maps"
	"math"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"

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

// Login attempt limits. Per client address, against spraying many accounts; per account
// and address, so that one address guessing one account is stopped long before the
// account itself locks its owner out; per account, against guessing from many addresses.
const (
	addressAttempts = 60
	addressWindow   = time.Minute
	pairAttempts    = 5
	accountAttempts = 30
	accountWindow   = 15 * time.Minute
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

// limitKeys are the counters an attempt on account from the caller's address counts
// against, and the mark of an address the account has logged in from. An IPv6 client
// counts by its /64, the block one subscriber holds, so rotating addresses within it buys
// nothing.
func limitKeys(ctx context.Context, account string) (addr, pair, acct, known string) {
	a := rpc.ClientKey(ctx)
	return "login:addr:" + a, "login:pair:" + account + "|" + a, "login:acct:" + account, "login:known:" + account + "|" + a
}

// knownAddressTTL is how long an address an account logged in from stays known to it.
const knownAddressTTL = 30 * 24 * time.Hour

// limit counts an attempt against each counter and refuses the first one over its limit.
// The account-wide counter spares addresses the account has logged in from before, so
// guessing from elsewhere cannot lock the owner out of their usual place. The first
// refusal of a window is a lockout, recorded as a security event.
//
// The attempt is counted before it is judged, so that guesses sent at once cannot all
// pass; refund takes it back when the platform could not judge it (the database was
// down): otherwise a user whose client retries through an outage would find the account
// locked out once it ends.
func (s *Server) limit(ctx context.Context, account string) (refund func(), err error) {
	addr, pair, acct, known := limitKeys(ctx, account)
	var counted []string
	for _, l := range []struct {
		key, scope string
		limit      int64
		per        time.Duration
	}{
		{addr, "address", addressAttempts, addressWindow},
		{pair, "account_and_address", pairAttempts, accountWindow},
		{acct, "account", accountAttempts, accountWindow},
	} {
		if l.key == acct && s.limits.Known(ctx, known) {
			continue
		}
		n, wait := s.limits.Count(ctx, l.key, l.per)
		counted = append(counted, l.key)
		if n <= l.limit {
			continue
		}
		if n == l.limit+1 {
			details := map[string]any{"scope": l.scope, "until": time.Now().Add(wait).UTC().Format(time.RFC3339)}
			if err := s.securityEvent(ctx, nil, account, "auth.lockout", details); err != nil {
				slog.ErrorContext(ctx, "recording a lockout", "err", err)
			}
		}
		return nil, tooMany(wait)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		for _, k := range counted {
			s.limits.Uncount(ctx, k)
		}
	}, nil
}

// resetLimits forgets an account's failures after it proved its password, and remembers
// the address it did so from.
func (s *Server) resetLimits(ctx context.Context, account string) {
	_, pair, acct, known := limitKeys(ctx, account)
	s.limits.Reset(ctx, pair)
	s.limits.Reset(ctx, acct)
	s.limits.Remember(ctx, known, knownAddressTTL)
}

// securityEvent records a login, failure, lockout, logout, refresh-token reuse or token
// grant in the trail of the account's office (the platform chain for platform admins and
// for logins that match no account), in tx or, when tx is nil, in a transaction of its
// own. It records who, from where and what happened; never a password or a token.
func (s *Server) securityEvent(ctx context.Context, tx *ent.Tx, login, action string, details map[string]any) error {
	if tx == nil {
		return s.st.Tx(store.System(ctx), func(tx *ent.Tx) error { return s.securityEvent(ctx, tx, login, action, details) })
	}
	officeID, scopePath, typ, id := audit.PlatformOffice, audit.PlatformScope, "login", ""
	sys := store.System(ctx)
	if clientID, ok := strings.CutPrefix(login, "sa:"); ok {
		if sa, err := tx.ServiceAccount.Query().Where(serviceaccount.ClientID(clientID)).Only(sys); err == nil {
			officeID, scopePath, typ, id = sa.OfficeID, sa.ScopePath, "service_account", sa.ID
		}
	} else if u, err := tx.User.Query().Where(user.Login(login)).Only(sys); err == nil {
		officeID, scopePath, typ, id = u.OfficeID, u.ScopePath, "user", u.ID
	}
	// A login that matches no account may be a password typed into the wrong box, or a
	// client secret: the trail keeps its keyed pseudonym, which still links repeated
	// attempts with the same text, never the text.
	shown := login
	if id == "" {
		shown = "unknown:" + s.trail.Pseudonym(login)
	}
	fields := map[string]any{"login": shown, "client_address": rpc.ClientAddr(ctx)}
	maps.Copy(fields, details)
	after, err := structpb.NewStruct(fields)
	if err != nil {
		return err
	}
	return s.w.Record(ctx, tx, audit.Event{
		OfficeID: officeID, ScopePath: scopePath, Action: action, ResourceType: typ, ResourceID: id, After: after,
	})
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
	refund, err := s.limit(ctx, login)
	if err != nil {
		return nil, err
	}
	sys := store.System(ctx)
	u, err := s.st.Client.User.Query().Where(user.Login(login)).Only(sys)
	if ent.IsNotFound(err) {
		auth.CheckNoUser(req.GetPassword())
		return nil, s.loginFailed(ctx, login, "unknown login")
	} else if err != nil {
		refund()
		return nil, err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, req.GetPassword())
	if err != nil {
		refund()
		return nil, err
	}
	if !ok {
		return nil, s.loginFailed(ctx, login, "wrong password")
	}
	if u.Disabled {
		return nil, s.loginFailed(ctx, login, "account disabled")
	}
	s.resetLimits(ctx, login)
	family := resource.NewID()
	refresh := auth.RandomToken(32)
	now := time.Now()
	err = s.st.Tx(sys, func(tx *ent.Tx) error {
		if err := tx.RefreshToken.Create().SetID(resource.NewID()).SetTokenHash(secretHash(refresh)).
			SetFamilyID(family).SetUserID(u.ID).SetCreateTime(now).SetExpireTime(now.Add(auth.RefreshTokenTTL)).
			Exec(sys); err != nil {
			return err
		}
		return s.securityEvent(ctx, tx, login, "auth.login", map[string]any{"session": family})
	})
	if err != nil {
		return nil, err
	}
	return s.issue(ctx, userViewer(u, family), refresh)
}

// loginFailed records a failed login and returns the one answer every failure gets.
func (s *Server) loginFailed(ctx context.Context, login, why string) error {
	if err := s.securityEvent(ctx, nil, login, "auth.login_failed", map[string]any{"reason": why}); err != nil {
		return err
	}
	return errInvalidCredentials
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
			if err := s.revoked.RevokeFamily(ctx, tx, rt.FamilyID); err != nil {
				return err
			}
			// Suspected theft: a rotated token came back. The trail says whose session died.
			u, err := tx.User.Get(sys, rt.UserID)
			if err != nil {
				return err
			}
			return s.securityEvent(ctx, tx, u.Login, "auth.refresh_reuse", map[string]any{"session": rt.FamilyID})
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
	refund, err := s.limit(ctx, "sa:"+req.GetClientId())
	if err != nil {
		return nil, err
	}
	sys := store.System(ctx)
	sa, err := s.st.Client.ServiceAccount.Query().Where(serviceaccount.ClientID(req.GetClientId())).Only(sys)
	if ent.IsNotFound(err) {
		return nil, s.loginFailed(ctx, "sa:"+req.GetClientId(), "unknown client")
	} else if err != nil {
		refund()
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(sa.SecretHash), []byte(secretHash(req.GetClientSecret()))) != 1 || sa.Disabled {
		return nil, s.loginFailed(ctx, "sa:"+sa.ClientID, "wrong secret or disabled")
	}
	resp, err := s.issue(ctx, &viewer.Viewer{
		Subject: sa.ID, Kind: viewer.KindServiceAccount, Login: sa.ClientID, OfficeID: sa.OfficeID,
		ScopePath: sa.ScopePath, Roles: rolesToProto(sa.Roles),
	}, "")
	if err != nil {
		return nil, err
	}
	if err := s.securityEvent(ctx, nil, "sa:"+sa.ClientID, "auth.token_issued", nil); err != nil {
		return nil, err
	}
	return resp, nil
}

// Logout ends the caller's session: its access token and its refresh-token family.
func (s *Server) Logout(ctx context.Context, _ *tenancyv1.LogoutRequest) (*tenancyv1.LogoutResponse, error) {
	v := viewer.FromContext(ctx)
	sys := store.System(ctx)
	err := s.st.Tx(sys, func(tx *ent.Tx) error {
		if err := s.revoked.RevokeToken(ctx, tx, v.TokenID, time.Now().Add(auth.AccessTokenTTL+time.Minute)); err != nil {
			return err
		}
		if v.FamilyID != "" {
			if err := tx.RefreshToken.Update().Where(refreshtoken.FamilyID(v.FamilyID), refreshtoken.UserID(v.Subject), refreshtoken.RevokeTimeIsNil()).
				SetRevokeTime(time.Now()).Exec(sys); err != nil {
				return err
			}
			if err := s.revoked.RevokeFamily(ctx, tx, v.FamilyID); err != nil {
				return err
			}
		}
		login := v.Login
		if v.Kind == viewer.KindServiceAccount {
			login = "sa:" + v.Login
		}
		return s.securityEvent(ctx, tx, login, "auth.logout", map[string]any{"session": v.FamilyID})
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

// Bootstrap creates the first platform admin, recorded in trail's platform chain. It
// refuses when one exists.
func Bootstrap(ctx context.Context, st *store.Store, trail *audit.Chain, login, password string) error {
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
		u, err := tx.User.Create().SetID(resource.NewID()).SetOfficeID(audit.PlatformOffice).SetScopePath(audit.PlatformScope).
			SetLogin(canonicalLogin(login)).SetDisplayName("Platform admin").SetPasswordHash(hash).SetPlatform(true).
			SetRoles([]string{authzv1.Role_ROLE_PLATFORM_ADMIN.String()}).Save(sys)
		if err != nil {
			return err
		}
		return trail.Record(sys, tx, audit.Event{
			OfficeID: audit.PlatformOffice, ScopePath: audit.PlatformScope, Action: "platform.bootstrap",
			ResourceType: "user", ResourceID: u.ID, After: userToProto(u),
		})
	})
}

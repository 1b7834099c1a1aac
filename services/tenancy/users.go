package tenancy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/ent/refreshtoken"
	"github.com/wenming-platform/wenming/ent/serviceaccount"
	"github.com/wenming-platform/wenming/ent/user"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/auth"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

const roleOfficeAdmin = authzv1.Role_ROLE_OFFICE_ADMIN

var (
	officeRoles = map[authzv1.Role]bool{
		authzv1.Role_ROLE_OFFICE_ADMIN: true, authzv1.Role_ROLE_OFFICE_REVIEWER: true, authzv1.Role_ROLE_OFFICE_VIEWER: true,
	}
	unitRoles = map[authzv1.Role]bool{authzv1.Role_ROLE_UNIT_ADMIN: true, authzv1.Role_ROLE_UNIT_SUBMITTER: true}

	errLoginTaken = &errs.Error{
		Code: codes.AlreadyExists, Reason: "LOGIN_TAKEN", EN: "this login is already in use", ZH: "该登录名已被使用",
		Fields: []errs.Field{{Name: "user.login", EN: "already in use", ZH: "已被使用"}},
	}
)

// checkRoles refuses roles outside allowed; field names the request field in the error.
func checkRoles(field string, roles []authzv1.Role, allowed map[authzv1.Role]bool, where string) error {
	for _, r := range roles {
		if !allowed[r] {
			return errs.Invalid(field, r.String()+" cannot be given to "+where,
				r.String()+" 不能授予"+map[string]string{"a user of an office": "文明办用户", "a user of a unit": "单位用户", "a service account": "服务账号"}[where])
		}
	}
	return nil
}

// canonicalLogin is the form a login is stored and looked up in. Logins are compared
// without letter case, so "Admin" can never stand beside "admin" and pass for it.
func canonicalLogin(login string) string { return strings.ToLower(login) }

var errHumansOnly = errs.New(codes.PermissionDenied, "HUMANS_ONLY",
	"only a person can manage accounts; a service account cannot", "只有人员账号可以管理账号，服务账号不能")

// humansOnly refuses service accounts: a machine client's secret must never be able to make
// or take over the accounts of people (docs/authorization.md).
func humansOnly(v *viewer.Viewer) error {
	if v.Kind != viewer.KindUser {
		return errHumansOnly
	}
	return nil
}

var errOfficeHasAdmin = errs.New(codes.FailedPrecondition, "OFFICE_HAS_ADMIN",
	"this office already has an admin; only its own admins add its users",
	"该文明办已有管理员，只能由其本级管理员添加用户")

// firstAdmin decides whether v, who does not administer office o, may create a user there,
// and returns the audit action. The parent's admin may create the first admin of a direct
// child that has never had one; the platform admin may create an admin of a top-level
// office that has none, or of any office whose admins are all gone or disabled
// (recovery, audited as such).
func (s *Server) firstAdmin(ctx context.Context, tx *ent.Tx, v *viewer.Viewer, o *ent.Office, roles []authzv1.Role) (string, error) {
	parentAdmin := o.ParentID != "" && v.OfficeAdmin(o.ParentID)
	if !parentAdmin && !v.PlatformAdmin() {
		return "", errs.ErrPermissionDenied
	}
	// Two first admins created at once must not both find the office without one: the
	// check and the insert hold the office's lock (SQLite's transactions are serialized).
	sys := store.System(ctx)
	if err := store.Lock(ctx, tx, s.st.Dialect, "first-admin:"+o.ID); err != nil {
		return "", err
	}
	// An office has a handful of users: reading them is plainer than a JSON query per dialect.
	users, err := tx.User.Query().Where(user.OfficeID(o.ID), user.UnitIDIsNil()).All(sys)
	if err != nil {
		return "", err
	}
	has := slices.ContainsFunc(users, func(u *ent.User) bool {
		// The platform admin counts only admins who can still act; a parent any admin ever made.
		return slices.Contains(u.Roles, roleOfficeAdmin.String()) && (parentAdmin || !u.Disabled)
	})
	if has {
		return "", errOfficeHasAdmin
	}
	if !slices.Contains(roles, roleOfficeAdmin) {
		return "", errs.Invalid("user.roles", "only the office's first admin can be created here: include ROLE_OFFICE_ADMIN",
			"此处只能创建该文明办的首位管理员：须包含 ROLE_OFFICE_ADMIN")
	}
	if v.PlatformAdmin() && o.ParentID != "" {
		return "user.create_recovery_admin", nil
	}
	return "user.create", nil
}

// CreateUser creates a user of an office or of a unit. An office admin creates users of its
// own office and of its units, and the first admin of a direct child office that has none;
// a unit admin creates those of its unit; a platform admin the first admin of a top-level
// office, and a new admin for any office left without one (recovery). After its first
// admin an office runs itself: its ancestors read it but never plant users in it.
func (s *Server) CreateUser(ctx context.Context, req *tenancyv1.CreateUserRequest) (*tenancyv1.User, error) {
	v := viewer.FromContext(ctx)
	in := req.GetUser()
	if (req.GetOfficeId() == "") == (req.GetUnitId() == "") {
		return nil, errs.Invalid("office_id", "give exactly one of office_id and unit_id", "office_id 与 unit_id 须且只须提供一个")
	}
	if err := resource.Required("user.login", in.GetLogin()); err != nil {
		return nil, err
	}
	if err := resource.Required("user.password", in.GetPassword()); err != nil {
		return nil, err
	}
	if err := humansOnly(v); err != nil {
		return nil, err
	}
	login := canonicalLogin(in.GetLogin())
	parent, allowed := "unit", unitRoles
	where := "a user of a unit"
	if req.GetOfficeId() != "" {
		parent, allowed, where = "office", officeRoles, "a user of an office"
	}
	if err := checkRoles("user.roles", in.GetRoles(), allowed, where); err != nil {
		return nil, err
	}
	// argon2id takes tens of milliseconds: hashed before the transaction, not holding it.
	hash, err := auth.HashPassword(in.GetPassword())
	if err != nil {
		return nil, err
	}
	action := "user.create"
	u, err := mutate.Create(ctx, s.w, mutate.Creation[userHome, *ent.User]{
		Parent: parent,
		GetParent: func(ctx context.Context, tx *ent.Tx) (userHome, error) {
			if req.GetOfficeId() != "" {
				o, err := tx.Office.Get(ctx, req.GetOfficeId())
				return userHome{office: o}, err
			}
			u, err := tx.Unit.Get(ctx, req.GetUnitId())
			return userHome{unit: u}, err
		},
		Allow: func(h userHome) error {
			if h.unit != nil {
				if !v.PlatformAdmin() && !v.OfficeAdmin(h.unit.OfficeID) && !v.UnitAdmin(h.unit.ID) {
					return errs.ErrPermissionDenied
				}
				return nil // the platform admin only in an office without one: checked in Save
			}
			if v.OfficeAdmin(h.office.ID) || v.PlatformAdmin() || h.office.ParentID != "" && v.OfficeAdmin(h.office.ParentID) {
				return nil // the last two only for a first admin: checked under the office's lock in Save
			}
			return errs.ErrPermissionDenied
		},
		Save: func(tx *ent.Tx, h userHome) (*ent.User, error) {
			if h.unit != nil {
				if err := s.platformRecovery(ctx, tx, v, h.unit.OfficeID); err != nil {
					return nil, err
				}
			}
			if h.office != nil && !v.OfficeAdmin(h.office.ID) {
				act, err := s.firstAdmin(ctx, tx, v, h.office, in.GetRoles())
				if err != nil {
					return nil, err
				}
				action = act
			}
			taken, err := tx.User.Query().Where(user.Login(login)).Exist(store.System(ctx))
			if err != nil {
				return nil, err
			}
			if taken {
				return nil, errLoginTaken
			}
			officeID, scopePath, unitID := h.place()
			c := tx.User.Create().SetID(resource.NewID()).SetOfficeID(officeID).SetScopePath(scopePath).
				SetLogin(login).SetDisplayName(in.GetDisplayName()).SetPasswordHash(hash).
				SetRoles(rolesToStrings(in.GetRoles()))
			if unitID != "" {
				c.SetUnitID(unitID)
			}
			u, err := c.Save(ctx)
			if ent.IsConstraintError(err) {
				return nil, errLoginTaken
			}
			return u, err
		},
		Audit: func(h userHome, u *ent.User) (audit.Event, error) {
			officeID, scopePath, _ := h.place()
			return audit.Event{
				OfficeID: officeID, ScopePath: scopePath, Action: action, ResourceType: "user", ResourceID: u.ID,
				After: userToProto(u),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// userHome is where a new user belongs: an office, or a unit.
type userHome struct {
	office *ent.Office
	unit   *ent.Unit
}

// place returns the office, scope path and unit (empty for an office user) of a new user.
func (h userHome) place() (officeID, scopePath, unitID string) {
	if h.unit != nil {
		return h.unit.OfficeID, h.unit.ScopePath, h.unit.ID
	}
	return h.office.ID, h.office.ScopePath, ""
}

// GetUser returns a user in the caller's scope.
func (s *Server) GetUser(ctx context.Context, req *tenancyv1.GetUserRequest) (*tenancyv1.User, error) {
	u, err := s.st.Client.User.Get(ctx, req.GetUserId())
	if err != nil {
		return nil, resource.NotFound(err, "user")
	}
	return userToProto(u), nil
}

// ListUsers lists the users of an office (not those of its units) or of a unit.
func (s *Server) ListUsers(ctx context.Context, req *tenancyv1.ListUsersRequest) (*tenancyv1.ListUsersResponse, error) {
	db := s.st.Reader(ctx)
	if (req.GetOfficeId() == "") == (req.GetUnitId() == "") {
		return nil, errs.Invalid("office_id", "give exactly one of office_id and unit_id", "office_id 与 unit_id 须且只须提供一个")
	}
	filters := "users|" + req.GetOfficeId() + "|" + req.GetUnitId()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := db.User.Query().Where(user.IDGT(after))
	if req.GetOfficeId() != "" {
		if _, err := db.Office.Get(ctx, req.GetOfficeId()); err != nil {
			return nil, resource.NotFound(err, "office")
		}
		q = q.Where(user.OfficeID(req.GetOfficeId()), user.UnitIDIsNil())
	} else {
		if _, err := db.Unit.Get(ctx, req.GetUnitId()); err != nil {
			return nil, resource.NotFound(err, "unit")
		}
		q = q.Where(user.UnitID(req.GetUnitId()))
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := q.Order(ent.Asc(user.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(r *ent.User) string { return r.ID })
	resp := &tenancyv1.ListUsersResponse{NextPageToken: next}
	for _, u := range rows {
		resp.Users = append(resp.Users, userToProto(u))
	}
	return resp, nil
}

// canManageUser reports whether v may disable, enable or reset the password of u.
func canManageUser(v *viewer.Viewer, u *ent.User) bool {
	if humansOnly(v) != nil {
		return false
	}
	return v.PlatformAdmin() || v.OfficeAdmin(u.OfficeID) || v.UnitAdmin(u.UnitID)
}

// getUser reads the user id within tx (the Get of a mutate.Change).
func getUser(id string) func(context.Context, *ent.Tx) (*ent.User, error) {
	return func(ctx context.Context, tx *ent.Tx) (*ent.User, error) { return tx.User.Get(ctx, id) }
}

func userVersion(u *ent.User) int64 { return u.Version }

// platformRecovery refuses the platform admin's hand in an office that has an admin who
// can act: the platform admin recovers an office left without one (and may disable any
// account, to stop a compromised one), it does not run offices (docs/authorization.md).
// It reads in the write's transaction, never on a second connection while holding one.
func (s *Server) platformRecovery(ctx context.Context, tx *ent.Tx, v *viewer.Viewer, officeID string) error {
	if !v.PlatformAdmin() {
		return nil
	}
	users, err := tx.User.Query().Where(user.OfficeID(officeID), user.UnitIDIsNil(), user.Disabled(false)).All(store.System(ctx))
	if err != nil {
		return err
	}
	if slices.ContainsFunc(users, func(u *ent.User) bool { return slices.Contains(u.Roles, roleOfficeAdmin.String()) }) {
		return errOfficeHasAdmin
	}
	return nil
}

// manageUser is the object check of the admin actions on a user (disable, enable, reset
// its password): the caller manages the user, and the platform admin's own account is
// beyond every caller.
func manageUser(v *viewer.Viewer) func(cur *ent.User) error {
	return func(cur *ent.User) error {
		if !canManageUser(v, cur) || cur.Platform {
			return errs.ErrPermissionDenied
		}
		return nil
	}
}

// DisableUser stops a user: refresh tokens are revoked at once and access tokens refused.
func (s *Server) DisableUser(ctx context.Context, req *tenancyv1.DisableUserRequest) (*tenancyv1.User, error) {
	v := viewer.FromContext(ctx)
	if req.GetUserId() == v.Subject {
		return nil, errs.Invalid("user_id", "you cannot disable yourself", "不能停用自己的账号")
	}
	return s.setDisabled(ctx, req.GetUserId(), true)
}

// EnableUser lets a disabled user log in again.
func (s *Server) EnableUser(ctx context.Context, req *tenancyv1.EnableUserRequest) (*tenancyv1.User, error) {
	return s.setDisabled(ctx, req.GetUserId(), false)
}

func (s *Server) setDisabled(ctx context.Context, id string, disabled bool) (*tenancyv1.User, error) {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	u, err := mutate.Update(ctx, s.w, mutate.Change[*ent.User]{
		Resource: "user",
		Get:      getUser(id),
		Version:  userVersion,
		Allow:    manageUser(viewer.FromContext(ctx)),
		Apply: func(tx *ent.Tx, cur *ent.User) (*ent.User, error) {
			if !disabled {
				if err := s.platformRecovery(ctx, tx, viewer.FromContext(ctx), cur.OfficeID); err != nil {
					return nil, err
				}
			}
			u, err := tx.User.UpdateOneID(cur.ID).Where(user.Version(cur.Version)).SetDisabled(disabled).AddVersion(1).Save(ctx)
			if err != nil || !disabled {
				return u, err
			}
			return u, s.endSessions(ctx, tx, cur.ID)
		},
		Audit: func(cur, next *ent.User) (audit.Event, error) {
			return audit.Event{
				OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: action, ResourceType: "user", ResourceID: cur.ID,
				Before: userToProto(cur), After: userToProto(next),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

func secretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateServiceAccount creates a machine client of the caller's office. The secret is
// random (256 bits), so a SHA-256 of it is stored rather than a slow password hash.
func (s *Server) CreateServiceAccount(ctx context.Context, req *tenancyv1.CreateServiceAccountRequest) (*tenancyv1.ServiceAccount, error) {
	v := viewer.FromContext(ctx)
	in := req.GetServiceAccount()
	if err := resource.Required("service_account.display_name", in.GetDisplayName()); err != nil {
		return nil, err
	}
	if len(in.GetRoles()) == 0 {
		return nil, errs.Invalid("service_account.roles", "give at least one role", "至少授予一个角色")
	}
	// A machine client acts for its office: office roles only, never platform or unit ones.
	if err := checkRoles("service_account.roles", in.GetRoles(), officeRoles, "a service account"); err != nil {
		return nil, err
	}
	if err := humansOnly(v); err != nil {
		return nil, err
	}
	secret := "wms_" + auth.RandomToken(32)
	sa, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Office, *ent.ServiceAccount]{
		Parent:    "office",
		GetParent: mutate.InOffice(req.GetOfficeId()),
		Allow:     mutate.OfficeAdmin(v),
		Save: func(tx *ent.Tx, o *ent.Office) (*ent.ServiceAccount, error) {
			return tx.ServiceAccount.Create().SetID(resource.NewID()).SetOfficeID(o.ID).SetScopePath(o.ScopePath).
				SetDisplayName(in.GetDisplayName()).SetClientID("sa_" + auth.RandomToken(12)).
				SetSecretHash(secretHash(secret)).SetRoles(rolesToStrings(in.GetRoles())).Save(ctx)
		},
		Audit: func(o *ent.Office, sa *ent.ServiceAccount) (audit.Event, error) {
			return audit.Event{
				OfficeID: o.ID, ScopePath: o.ScopePath, Action: "service_account.create", ResourceType: "service_account", ResourceID: sa.ID,
				After: serviceAccountToProto(sa),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	// The secret is returned once, never stored or recorded.
	out := serviceAccountToProto(sa)
	out.ClientSecret = secret
	return out, nil
}

// ListServiceAccounts lists an office's service accounts.
func (s *Server) ListServiceAccounts(ctx context.Context, req *tenancyv1.ListServiceAccountsRequest) (*tenancyv1.ListServiceAccountsResponse, error) {
	db := s.st.Reader(ctx)
	v := viewer.FromContext(ctx)
	filters := "service_accounts|" + req.GetOfficeId()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	if _, err := db.Office.Get(ctx, req.GetOfficeId()); err != nil {
		return nil, resource.NotFound(err, "office")
	}
	if !v.OfficeAdmin(req.GetOfficeId()) {
		return nil, errs.ErrPermissionDenied
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := db.ServiceAccount.Query().
		Where(serviceaccount.OfficeID(req.GetOfficeId()), serviceaccount.IDGT(after)).
		Order(ent.Asc(serviceaccount.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(r *ent.ServiceAccount) string { return r.ID })
	resp := &tenancyv1.ListServiceAccountsResponse{NextPageToken: next}
	for _, sa := range rows {
		resp.ServiceAccounts = append(resp.ServiceAccounts, serviceAccountToProto(sa))
	}
	return resp, nil
}

// DisableServiceAccount stops a service account; its access tokens are refused at once.
func (s *Server) DisableServiceAccount(ctx context.Context, req *tenancyv1.DisableServiceAccountRequest) (*tenancyv1.ServiceAccount, error) {
	v := viewer.FromContext(ctx)
	if err := humansOnly(v); err != nil {
		return nil, err
	}
	sa, err := mutate.Update(ctx, s.w, mutate.Change[*ent.ServiceAccount]{
		Resource: "service account",
		Get: func(ctx context.Context, tx *ent.Tx) (*ent.ServiceAccount, error) {
			return tx.ServiceAccount.Get(ctx, req.GetServiceAccountId())
		},
		Version: func(sa *ent.ServiceAccount) int64 { return sa.Version },
		Allow: func(cur *ent.ServiceAccount) error {
			if !v.OfficeAdmin(cur.OfficeID) {
				return errs.ErrPermissionDenied
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.ServiceAccount) (*ent.ServiceAccount, error) {
			sa, err := tx.ServiceAccount.UpdateOneID(cur.ID).Where(serviceaccount.Version(cur.Version)).SetDisabled(true).AddVersion(1).Save(ctx)
			if err != nil {
				return nil, err
			}
			return sa, s.revoked.RevokeSubject(ctx, tx, cur.ID)
		},
		Audit: func(cur, next *ent.ServiceAccount) (audit.Event, error) {
			return audit.Event{
				OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: "service_account.disable", ResourceType: "service_account", ResourceID: cur.ID,
				Before: serviceAccountToProto(cur), After: serviceAccountToProto(next),
			}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return serviceAccountToProto(sa), nil
}

// ListAuditEvents lists one office's audit trail in chain order.
func (s *Server) ListAuditEvents(ctx context.Context, req *tenancyv1.ListAuditEventsRequest) (*tenancyv1.ListAuditEventsResponse, error) {
	// The primary, as the checkpoints are: a chain checked against a checkpoint must not
	// seem to lack the events a replica has not replayed yet.
	db := s.st.Client
	filters := "audit|" + req.GetOfficeId()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	// The platform's own chain (bootstrap, key rotation, logins matching no account) is
	// read by the platform admin; every other chain belongs to an office.
	if req.GetOfficeId() != audit.PlatformOffice || !viewer.FromContext(ctx).PlatformAdmin() {
		if _, err := db.Office.Get(ctx, req.GetOfficeId()); err != nil {
			return nil, resource.NotFound(err, "office")
		}
	}
	var seq int64
	if after != "" {
		if n, err := strconv.ParseInt(after, 10, 64); err == nil {
			seq = n
		} else {
			return nil, errs.Invalid("page_token", "the page token is invalid", "分页令牌无效")
		}
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := db.AuditEvent.Query().
		Where(auditevent.OfficeID(req.GetOfficeId()), auditevent.SequenceGT(seq)).
		Order(ent.Asc(auditevent.FieldSequence)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(r *ent.AuditEvent) string { return resource.Etag(r.Sequence) })
	resp := &tenancyv1.ListAuditEventsResponse{NextPageToken: next}
	v := viewer.FromContext(ctx)
	for _, e := range rows {
		ev := auditToProto(e)
		if draftContent(e) && v.ScopePath != e.ScopePath && !v.PlatformAdmin() {
			// Drafts stay with their owner (docs/authorization.md), in the trail too: other
			// offices see that the draft changed, not what it holds.
			ev.Before, ev.After = nil, nil
		}
		resp.AuditEvents = append(resp.AuditEvents, ev)
	}
	return resp, nil
}

// draftContent reports whether an event's before or after is a standard or campaign in
// its draft state.
func draftContent(e *ent.AuditEvent) bool {
	for _, state := range []string{`"state":"STANDARD_STATE_DRAFT"`, `"state":"CAMPAIGN_STATE_DRAFT"`} {
		if strings.Contains(e.Before, state) || strings.Contains(e.After, state) {
			return true
		}
	}
	return false
}

// endSessions ends every session of a user within tx: refresh tokens revoked, access tokens
// refused from the commit on.
func (s *Server) endSessions(ctx context.Context, tx *ent.Tx, userID string) error {
	sys := store.System(ctx)
	// Each live session's family is revoked by id, not only by time: an access token a
	// racing refresh signs after this commit still carries its family and dies with it.
	families, err := tx.RefreshToken.Query().Where(refreshtoken.UserID(userID), refreshtoken.RevokeTimeIsNil()).
		Unique(true).Select(refreshtoken.FieldFamilyID).Strings(sys)
	if err != nil {
		return err
	}
	for _, f := range families {
		if err := s.revoked.RevokeFamily(ctx, tx, f); err != nil {
			return err
		}
	}
	if err := tx.RefreshToken.Update().Where(refreshtoken.UserID(userID), refreshtoken.RevokeTimeIsNil()).
		SetRevokeTime(time.Now()).Exec(sys); err != nil {
		return err
	}
	return s.revoked.RevokeSubject(ctx, tx, userID)
}

// setPassword stores a new password hash for u, guarded by the version read, and ends its
// sessions. ctx says who writes: the caller on its requests, the system on the operator's.
// The caller records the change: the trail says that the password changed and by whom,
// never the password.
func (s *Server) setPassword(ctx context.Context, tx *ent.Tx, u *ent.User, password string) (*ent.User, error) {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	n, err := tx.User.UpdateOneID(u.ID).Where(user.Version(u.Version)).SetPasswordHash(hash).AddVersion(1).Save(ctx)
	if err != nil {
		return nil, err
	}
	return n, s.endSessions(ctx, tx, u.ID)
}

// passwordEvent is the Audit of a password change, recorded as action: who changed whose
// password, never the password.
func passwordEvent(action string) func(cur, _ *ent.User) (audit.Event, error) {
	return func(cur, _ *ent.User) (audit.Event, error) {
		return audit.Event{OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: action, ResourceType: "user", ResourceID: cur.ID}, nil
	}
}

// ResetUserPassword sets a user's password for an admin who manages the user.
func (s *Server) ResetUserPassword(ctx context.Context, req *tenancyv1.ResetUserPasswordRequest) (*tenancyv1.User, error) {
	v := viewer.FromContext(ctx)
	manage := manageUser(v)
	u, err := mutate.Update(ctx, s.w, mutate.Change[*ent.User]{
		Resource: "user",
		Get:      getUser(req.GetUserId()),
		Version:  userVersion,
		Allow: func(cur *ent.User) error {
			if err := manage(cur); err != nil {
				return err
			}
			if cur.ID == v.Subject {
				// The reset skips the current-password check and its rate limit: on one's own
				// account it would turn a stolen access token into a permanent takeover.
				return errs.Invalid("user_id", "you cannot reset your own password: change it with your current password (POST /v1/auth/password)",
					"不能重置自己的密码：请用当前密码修改密码")
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.User) (*ent.User, error) {
			if err := s.platformRecovery(ctx, tx, v, cur.OfficeID); err != nil {
				return nil, err
			}
			return s.setPassword(ctx, tx, cur, req.GetNewPassword())
		},
		Audit: passwordEvent("user.password_reset"),
	})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// ChangePassword changes the caller's own password after checking the current one; the
// check counts against the account's login attempts.
func (s *Server) ChangePassword(ctx context.Context, req *tenancyv1.ChangePasswordRequest) (*tenancyv1.ChangePasswordResponse, error) {
	v := viewer.FromContext(ctx)
	if v.Kind != viewer.KindUser {
		return nil, errs.ErrPermissionDenied
	}
	refund, err := s.limit(ctx, v.Login)
	if err != nil {
		return nil, err
	}
	judged := false
	// The caller reads and writes its own user row within its own scope: no system path.
	_, err = mutate.Update(ctx, s.w, mutate.Change[*ent.User]{
		Resource: "user",
		Get:      getUser(v.Subject),
		Version:  userVersion,
		Allow: func(cur *ent.User) error {
			ok, err := auth.CheckPassword(cur.PasswordHash, req.GetCurrentPassword())
			if err != nil {
				return err
			}
			judged = true
			if !ok {
				return errs.Invalid("current_password", "is not your current password", "当前密码不正确")
			}
			if req.GetNewPassword() == req.GetCurrentPassword() {
				return errs.Invalid("new_password", "must differ from the current password", "新密码不能与当前密码相同")
			}
			return nil
		},
		Apply: func(tx *ent.Tx, cur *ent.User) (*ent.User, error) {
			return s.setPassword(ctx, tx, cur, req.GetNewPassword())
		},
		Audit: passwordEvent("user.password_change"),
	})
	if err != nil {
		if !judged {
			refund()
		}
		return nil, err
	}
	s.resetLimits(ctx, v.Login)
	return &tenancyv1.ChangePasswordResponse{}, nil
}

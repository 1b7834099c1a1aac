// Package viewer carries the authenticated caller through a request's context and says
// what part of the office tree that caller may read and write. The store layer (ent
// privacy rules) and the RPC handlers both decide from it, so a handler that forgets a
// check still cannot reach outside the caller's scope.
package viewer

import (
	"context"
	"slices"
	"strings"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
)

// Kind says what sort of principal a Viewer is.
type Kind string

const (
	KindUser           Kind = "user"
	KindServiceAccount Kind = "service_account"
)

// Viewer is an authenticated principal. A user belongs to one office or one unit; a service
// account to one office. ScopePath is the materialized path of that office ("/p/c/") or unit
// ("/p/c/u-<id>/"): every row whose scope path starts with it is readable.
type Viewer struct {
	Subject   string
	Kind      Kind
	Login     string
	OfficeID  string
	UnitID    string
	ScopePath string
	Roles     []authzv1.Role
	TokenID   string
	// FamilyID is the refresh-token family of a user session, so logout can end it.
	FamilyID string
}

// Has reports whether the viewer holds any of roles.
func (v *Viewer) Has(roles ...authzv1.Role) bool {
	if v == nil {
		return false
	}
	for _, r := range roles {
		if slices.Contains(v.Roles, r) {
			return true
		}
	}
	return false
}

// PlatformAdmin reports whether the viewer runs the platform.
func (v *Viewer) PlatformAdmin() bool { return v.Has(authzv1.Role_ROLE_PLATFORM_ADMIN) }

// OfficeAdmin reports whether the viewer administers officeID itself.
func (v *Viewer) OfficeAdmin(officeID string) bool {
	return v != nil && v.UnitID == "" && v.OfficeID == officeID && v.Has(authzv1.Role_ROLE_OFFICE_ADMIN)
}

// CanRead reports whether a row with the given scope path is inside the viewer's scope.
func (v *Viewer) CanRead(scopePath string) bool {
	if v == nil {
		return false
	}
	if v.PlatformAdmin() {
		return true
	}
	return v.ScopePath != "" && strings.HasPrefix(scopePath, v.ScopePath)
}

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer of ctx, or nil when the caller is anonymous.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}

// OfficePath returns the scope path of an office below parentPath.
func OfficePath(parentPath, officeID string) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + officeID + "/"
}

// UnitPath returns the scope path of a unit registered with the office at officePath.
func UnitPath(officePath, unitID string) string {
	return officePath + "u-" + unitID + "/"
}

// Above returns the scope paths of the offices above a scope path, top first:
// "/p/c/d/u-x/" gives "/p/", "/p/c/", "/p/c/d/".
func Above(path string) []string {
	var out []string
	for i := 1; i < len(path)-1; i++ {
		if path[i] == '/' {
			out = append(out, path[:i+1])
		}
	}
	return out
}

// OfficeScope is the scope path of the viewer's office: its own scope for office
// principals, the scope of the unit's office for unit users.
func (v *Viewer) OfficeScope() string {
	if v.UnitID != "" {
		return strings.TrimSuffix(v.ScopePath, "u-"+v.UnitID+"/")
	}
	return v.ScopePath
}

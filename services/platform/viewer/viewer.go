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

// The methods below are the one vocabulary of who may read and write what. The store's
// privacy policy (ent/schema/policy.go) states the scope rules in SQL (HasScope,
// CanRead, CanReadShared, CanCreate, CanWrite); handlers narrow them by role
// (OfficeAdmin, UnitAdmin), so a handler check never allows what the store refuses.

// HasScope reports whether the store can place v in the office tree: a platform admin, or
// a principal with a scope path. Anything else (no viewer at all, a viewer without a
// path) reads and writes nothing.
func (v *Viewer) HasScope() bool {
	return v != nil && (v.ScopePath != "" || v.PlatformAdmin())
}

// PlatformAdmin reports whether the viewer runs the platform. The store lets it read and
// write everything (it bootstraps the tree); handlers say what it may actually do.
func (v *Viewer) PlatformAdmin() bool { return v.Has(authzv1.Role_ROLE_PLATFORM_ADMIN) }

// CanRead reports whether v reads a row at scopePath: the row lies inside v's scope (its
// office's subtree, or its unit), or v is the platform admin.
func (v *Viewer) CanRead(scopePath string) bool {
	if !v.HasScope() {
		return false
	}
	return v.PlatformAdmin() || strings.HasPrefix(scopePath, v.ScopePath)
}

// CanReadShared reports whether v reads a row at scopePath of a table shared down the tree
// (standards, campaigns). hidden says the row is in a state that stays with its owner (a
// draft): the owning office reads it, nobody else, above or below. A row that is not
// hidden is read by the offices and units below its owner (CanRead) and by the offices
// above v.
func (v *Viewer) CanReadShared(scopePath string, hidden bool) bool {
	switch {
	case !v.HasScope():
		return false
	case v.PlatformAdmin(), scopePath == v.ScopePath:
		return true
	case hidden:
		return false
	}
	return v.CanRead(scopePath) || slices.Contains(Above(v.ScopePath), scopePath)
}

// CanCreate reports whether v may create a row at scopePath: inside its own scope. The
// store allows no more; handlers allow less (an office admin creates rows of its own
// office, and only the first admin of a child office).
func (v *Viewer) CanCreate(scopePath string) bool { return v.CanRead(scopePath) }

// CanWrite reports whether v may change or delete a row owned by officeID at scopePath.
// Ancestors read, they do not write: an office principal writes only the rows its own
// office owns, a unit user only the rows of its unit.
func (v *Viewer) CanWrite(officeID, scopePath string) bool {
	switch {
	case !v.HasScope():
		return false
	case v.PlatformAdmin():
		return true
	case v.UnitID != "":
		return strings.HasPrefix(scopePath, v.ScopePath)
	}
	return officeID == v.OfficeID
}

// OfficeAdmin reports whether the viewer administers officeID itself: an office principal
// of that office (so it CanWrite the office's rows) holding ROLE_OFFICE_ADMIN.
func (v *Viewer) OfficeAdmin(officeID string) bool {
	return v != nil && v.UnitID == "" && v.OfficeID == officeID && v.Has(authzv1.Role_ROLE_OFFICE_ADMIN)
}

// UnitAdmin reports whether the viewer administers unitID itself: a user of that unit
// (so it CanWrite the unit's rows) holding ROLE_UNIT_ADMIN.
func (v *Viewer) UnitAdmin(unitID string) bool {
	return v != nil && unitID != "" && v.UnitID == unitID && v.Has(authzv1.Role_ROLE_UNIT_ADMIN)
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

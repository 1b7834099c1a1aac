package viewer

import (
	"slices"
	"strings"
	"testing"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
)

func TestScopePaths(t *testing.T) {
	if got := Above("/p/c/d/u-x/"); !slices.Equal(got, []string{"/p/", "/p/c/", "/p/c/d/"}) {
		t.Errorf("Above = %v", got)
	}
	if got := Above("/p/"); len(got) != 0 {
		t.Errorf("a top-level office has nothing above: %v", got)
	}
	unit := &Viewer{OfficeID: "d", UnitID: "x", ScopePath: UnitPath("/p/c/d/", "x")}
	office := &Viewer{OfficeID: "d", ScopePath: "/p/c/d/"}
	if unit.OfficeScope() != "/p/c/d/" || office.OfficeScope() != "/p/c/d/" {
		t.Errorf("OfficeScope: %q %q", unit.OfficeScope(), office.OfficeScope())
	}
}

func TestVocabulary(t *testing.T) {
	admin := []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}
	city := &Viewer{OfficeID: "c", ScopePath: "/p/c/", Roles: admin}
	unit := &Viewer{OfficeID: "d", UnitID: "x", ScopePath: UnitPath("/p/c/d/", "x"), Roles: []authzv1.Role{authzv1.Role_ROLE_UNIT_ADMIN}}
	platform := &Viewer{OfficeID: "platform", ScopePath: "/platform/", Roles: []authzv1.Role{authzv1.Role_ROLE_PLATFORM_ADMIN}}
	pathless := &Viewer{OfficeID: "c", Roles: admin}
	var none *Viewer
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"no viewer has no scope", none.HasScope(), false},
		{"a viewer without a path has no scope", pathless.HasScope(), false},
		{"the platform admin has a scope", (&Viewer{Roles: platform.Roles}).HasScope(), true},
		{"a city reads its district", city.CanRead("/p/c/d/"), true},
		{"a city reads itself", city.CanRead("/p/c/"), true},
		{"a city does not read its province", city.CanRead("/p/"), false},
		{"a city does not read a sibling", city.CanRead("/p/c2/"), false},
		{"no viewer reads nothing", none.CanRead("/p/"), false},
		{"a pathless viewer reads nothing", pathless.CanRead("/p/c/"), false},
		{"the platform admin reads everything", platform.CanRead("/p/"), true},
		{"a unit reads itself", unit.CanRead(UnitPath("/p/c/d/", "x")), true},
		{"a unit does not read its office", unit.CanRead("/p/c/d/"), false},
		{"a city reads its own draft", city.CanReadShared("/p/c/", true), true},
		{"a city does not read its district's draft", city.CanReadShared("/p/c/d/", true), false},
		{"a city does not read its province's draft", city.CanReadShared("/p/", true), false},
		{"a city reads its district's published row", city.CanReadShared("/p/c/d/", false), true},
		{"a city reads its province's published row", city.CanReadShared("/p/", false), true},
		{"a city does not read a sibling's published row", city.CanReadShared("/p/c2/", false), false},
		{"a unit reads its office's published row", unit.CanReadShared("/p/c/d/", false), true},
		{"a unit does not read its office's draft", unit.CanReadShared("/p/c/d/", true), false},
		{"the platform admin reads every draft", platform.CanReadShared("/p/c/", true), true},
		{"a city writes its own rows", city.CanWrite("c", "/p/c/"), true},
		{"a city writes its own units' rows", city.CanWrite("c", UnitPath("/p/c/", "y")), true},
		{"a city does not write its district's rows", city.CanWrite("d", "/p/c/d/"), false},
		{"a unit writes its rows", unit.CanWrite("d", UnitPath("/p/c/d/", "x")), true},
		{"a unit does not write its office's rows", unit.CanWrite("d", "/p/c/d/"), false},
		{"a pathless viewer writes nothing", pathless.CanWrite("c", "/p/c/"), false},
		{"the platform admin writes everything", platform.CanWrite("c", "/p/c/"), true},
		{"a city creates in its subtree", city.CanCreate("/p/c/d/"), true},
		{"a city does not create in a sibling", city.CanCreate("/p/c2/"), false},
		{"an office admin administers its office", city.OfficeAdmin("c"), true},
		{"an office admin does not administer its district", city.OfficeAdmin("d"), false},
		{"a unit admin administers its unit", unit.UnitAdmin("x"), true},
		{"a unit admin does not administer another unit", unit.UnitAdmin("y"), false},
		{"nobody administers the empty unit", city.UnitAdmin(""), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v", tc.name, tc.got)
		}
	}
}

// TestHandlerRulesNarrowStoreRules: what a handler lets an admin write (OfficeAdmin,
// UnitAdmin) the store lets it write too (CanWrite), so the store's policy refuses only
// what a handler got wrong.
func TestHandlerRulesNarrowStoreRules(t *testing.T) {
	paths := map[string]string{"p": "/p/", "c": "/p/c/", "d": "/p/c/d/", "c2": "/p/c2/"}
	var viewers []*Viewer
	for id, path := range paths {
		viewers = append(viewers, &Viewer{OfficeID: id, ScopePath: path, Roles: []authzv1.Role{authzv1.Role_ROLE_OFFICE_ADMIN}})
	}
	viewers = append(viewers, &Viewer{OfficeID: "d", UnitID: "x", ScopePath: UnitPath("/p/c/d/", "x"), Roles: []authzv1.Role{authzv1.Role_ROLE_UNIT_ADMIN}})
	for _, v := range viewers {
		for id, path := range paths {
			for _, row := range []string{path, UnitPath(path, "x"), UnitPath(path, "y")} {
				if v.OfficeAdmin(id) && !v.CanWrite(id, row) {
					t.Errorf("%s administers %s but may not write its row %s", v.ScopePath, id, row)
				}
				if u := strings.TrimSuffix(strings.TrimPrefix(row, path+"u-"), "/"); row != path && v.UnitAdmin(u) && v.OfficeID == id && !v.CanWrite(id, row) {
					t.Errorf("%s administers unit %s but may not write its row %s", v.ScopePath, u, row)
				}
			}
		}
	}
}

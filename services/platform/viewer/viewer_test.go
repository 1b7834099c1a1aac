package viewer

import (
	"slices"
	"testing"
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

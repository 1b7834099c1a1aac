package viewer_test

import (
	"context"
	"errors"
	"os"
	"testing"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/ent/standard"
	"github.com/wenming-platform/wenming/ent/unit"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

var errRollback = errors.New("rollback")

// TestPolicyStatesTheViewerRules checks, row by row, that the store's privacy policy
// (ent/schema/policy.go) and the viewer's methods state the same rule: every viewer reads
// exactly the rows CanRead or CanReadShared allow, changes exactly those CanWrite allows
// and creates exactly where CanCreate allows, on every database kind.
func TestPolicyStatesTheViewerRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		ctx := context.Background()
		sys := store.System(ctx)
		st := storetest.Open(t, kind)
		c := st.Client

		offices := []struct {
			id, parent, path string
			level            office.Level
		}{
			{"p", "", "/p/", office.LevelPROVINCIAL},
			{"c", "p", "/p/c/", office.LevelMUNICIPAL},
			{"d1", "c", "/p/c/d1/", office.LevelDISTRICT},
			{"d2", "c", "/p/c/d2/", office.LevelDISTRICT},
			{"p2", "", "/p2/", office.LevelPROVINCIAL},
		}
		// Every office has a draft and a published standard, and all but the province a unit.
		for _, o := range offices {
			b := c.Office.Create().SetID(o.id).SetOfficeID(o.id).SetScopePath(o.path).SetDisplayName(o.id).
				SetLevel(o.level).SetRegionCode("330000")
			if o.parent != "" {
				b.SetParentID(o.parent)
			}
			if err := b.Exec(sys); err != nil {
				t.Fatal(err)
			}
			for _, state := range []standard.State{standard.StateDRAFT, standard.StatePUBLISHED} {
				if err := c.Standard.Create().SetID("s-" + o.id + "-" + string(state)).SetOfficeID(o.id).SetScopePath(o.path).
					SetCode(string(state)).SetDisplayName("s").SetState(state).Exec(sys); err != nil {
					t.Fatal(err)
				}
			}
			if o.id != "p" {
				u := "u-" + o.id
				if err := c.Unit.Create().SetID(u).SetOfficeID(o.id).SetScopePath(viewer.UnitPath(o.path, u)).
					SetDisplayName(u).SetCreditCode("code-" + u).SetCategory("OTHER").Exec(sys); err != nil {
					t.Fatal(err)
				}
			}
		}
		units, err := c.Unit.Query().All(sys)
		if err != nil {
			t.Fatal(err)
		}
		standards, err := c.Standard.Query().All(sys)
		if err != nil {
			t.Fatal(err)
		}

		roles := func(r authzv1.Role) []authzv1.Role { return []authzv1.Role{r} }
		viewers := map[string]*viewer.Viewer{
			"no viewer":      nil,
			"without a path": {OfficeID: "c", Roles: roles(authzv1.Role_ROLE_OFFICE_ADMIN)},
			"platform admin": {OfficeID: "platform", ScopePath: "/platform/", Roles: roles(authzv1.Role_ROLE_PLATFORM_ADMIN)},
			"unit of d1": {OfficeID: "d1", UnitID: "u-d1", ScopePath: viewer.UnitPath("/p/c/d1/", "u-d1"),
				Roles: roles(authzv1.Role_ROLE_UNIT_ADMIN)},
		}
		for _, o := range offices {
			viewers["office "+o.id] = &viewer.Viewer{OfficeID: o.id, ScopePath: o.path, Roles: roles(authzv1.Role_ROLE_OFFICE_VIEWER)}
		}

		// each runs fn in a transaction that is rolled back, so no check changes the next.
		each := func(ctx context.Context, fn func(tx *ent.Tx) error) error {
			err := st.Tx(ctx, func(tx *ent.Tx) error {
				if err := fn(tx); err != nil {
					return err
				}
				return errRollback
			})
			if errors.Is(err, errRollback) {
				return nil
			}
			return err
		}

		for name, v := range viewers {
			vctx := ctx
			if v != nil {
				vctx = viewer.NewContext(ctx, v)
			}
			for _, u := range units {
				_, err := c.Unit.Get(vctx, u.ID)
				if read := err == nil; read != v.CanRead(u.ScopePath) {
					t.Errorf("%s reads unit %s: store %v (%v), viewer %v", name, u.ScopePath, read, err, !read)
				}
				var n int
				if err := each(vctx, func(tx *ent.Tx) error {
					n, err = tx.Unit.Update().Where(unit.ID(u.ID)).SetDisplayName("x").Save(vctx)
					return err
				}); err != nil && v.HasScope() {
					t.Fatal(err)
				}
				if wrote := n == 1; wrote != v.CanWrite(u.OfficeID, u.ScopePath) {
					t.Errorf("%s writes unit %s: store %v, viewer %v", name, u.ScopePath, wrote, !wrote)
				}
			}
			for _, s := range standards {
				_, err := c.Standard.Get(vctx, s.ID)
				if read := err == nil; read != v.CanReadShared(s.ScopePath, s.State == standard.StateDRAFT) {
					t.Errorf("%s reads standard %s (%s): store %v (%v), viewer %v", name, s.ScopePath, s.State, read, err, !read)
				}
				var n int
				if err := each(vctx, func(tx *ent.Tx) error {
					n, err = tx.Standard.Update().Where(standard.ID(s.ID)).SetDisplayName("x").Save(vctx)
					return err
				}); err != nil && v.HasScope() {
					t.Fatal(err)
				}
				if wrote := n == 1; wrote != v.CanWrite(s.OfficeID, s.ScopePath) {
					t.Errorf("%s writes standard %s: store %v, viewer %v", name, s.ScopePath, wrote, !wrote)
				}
			}
			for _, o := range offices {
				for _, path := range []string{o.path, viewer.UnitPath(o.path, "new")} {
					err := each(vctx, func(tx *ent.Tx) error {
						return tx.Unit.Create().SetID("new").SetOfficeID(o.id).SetScopePath(path).SetDisplayName("new").
							SetCreditCode("code-new").SetCategory("OTHER").Exec(vctx)
					})
					if created := err == nil; created != v.CanCreate(path) {
						t.Errorf("%s creates at %s: store %v (%v), viewer %v", name, path, created, err, !created)
					}
				}
			}
		}
	})
}

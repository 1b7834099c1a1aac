package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/office"
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

// TestTenantIsolation is the store suite for the privacy policy, run on every database
// kind: whatever a handler forgets, the store itself keeps each viewer inside its scope.
func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		ctx := context.Background()
		st := storetest.Open(t, kind)
		sys := store.System(ctx)
		c := st.Client

		mkOffice := func(id, parentPath string, level office.Level) string {
			path := viewer.OfficePath(parentPath, id)
			b := c.Office.Create().SetID(id).SetOfficeID(id).SetScopePath(path).SetDisplayName(id).
				SetLevel(level).SetRegionCode("330000")
			if parentPath != "" {
				b.SetParentID(lastID(parentPath))
			}
			if err := b.Exec(sys); err != nil {
				t.Fatal(err)
			}
			return path
		}
		mkUnit := func(id, officeID, officePath, code string) string {
			path := viewer.UnitPath(officePath, id)
			if err := c.Unit.Create().SetID(id).SetOfficeID(officeID).SetScopePath(path).SetDisplayName(id).
				SetCreditCode(code).SetCategory("OTHER").Exec(sys); err != nil {
				t.Fatal(err)
			}
			return path
		}
		pPath := mkOffice("p", "", office.LevelPROVINCIAL)
		cPath := mkOffice("c", pPath, office.LevelMUNICIPAL)
		d1Path := mkOffice("d1", cPath, office.LevelDISTRICT)
		d2Path := mkOffice("d2", cPath, office.LevelDISTRICT)
		p2Path := mkOffice("p2", "", office.LevelPROVINCIAL)
		u1Path := mkUnit("u1", "d1", d1Path, "91350100M000100Y43")
		mkUnit("u2", "d2", d2Path, "91110000802100433B")

		as := func(officeID, unitID, path string, roles ...authzv1.Role) context.Context {
			return viewer.NewContext(ctx, &viewer.Viewer{Subject: "s", Kind: viewer.KindUser, OfficeID: officeID, UnitID: unitID, ScopePath: path, Roles: roles})
		}
		admin := authzv1.Role_ROLE_OFFICE_ADMIN
		province := as("p", "", pPath, admin)
		d1 := as("d1", "", d1Path, admin)
		u1 := as("d1", "u1", u1Path, authzv1.Role_ROLE_UNIT_ADMIN)
		foreign := as("p2", "", p2Path, admin)

		units := func(ctx context.Context) []string {
			ids, err := c.Unit.Query().Order(ent.Asc(unit.FieldID)).IDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		for name, tc := range map[string]struct {
			ctx  context.Context
			want []string
		}{
			"province reads its subtree": {province, []string{"u1", "u2"}},
			"district reads its own":     {d1, []string{"u1"}},
			"unit reads itself":          {u1, []string{"u1"}},
			"other province reads none":  {foreign, nil},
		} {
			if got := units(tc.ctx); !equal(got, tc.want) {
				t.Errorf("%s: units %v, want %v", name, got, tc.want)
			}
		}
		if n, err := c.Office.Query().Count(u1); err != nil || n != 0 {
			t.Errorf("a unit user counts %d offices (%v)", n, err)
		}
		if _, err := c.Unit.Get(d1, "u2"); !ent.IsNotFound(err) {
			t.Errorf("district reading a sibling's unit by id: %v", err)
		}
		if _, err := c.Unit.Query().All(ctx); err == nil {
			t.Error("a query without a viewer succeeded")
		}
		if _, err := c.SigningKey.Query().All(province); err == nil {
			t.Error("an office admin read the signing keys")
		}
		if _, err := c.SigningKey.Query().All(sys); err != nil {
			t.Errorf("the system path cannot read signing keys: %v", err)
		}

		// Writes: an ancestor reads but never writes a descendant's rows; nobody writes
		// outside their scope; a bulk update touches only what the viewer owns.
		if err := c.Unit.UpdateOneID("u1").SetDisplayName("by province").Exec(province); err == nil {
			t.Error("the province updated a district's unit")
		}
		if err := c.Unit.UpdateOneID("u2").SetDisplayName("by d1").Exec(d1); err == nil {
			t.Error("a district updated a sibling's unit")
		}
		if n, err := c.Unit.Update().SetDisplayName("bulk").Save(d1); err != nil || n != 1 {
			t.Errorf("district bulk update touched %d rows (%v), want 1", n, err)
		}
		if err := c.Unit.Create().SetID("u3").SetOfficeID("d2").SetScopePath(viewer.UnitPath(d2Path, "u3")).
			SetDisplayName("x").SetCreditCode("91330106MA27Y5XX0X").SetCategory("OTHER").Exec(d1); err == nil {
			t.Error("a district created a unit in a sibling district")
		}
		if err := c.Unit.UpdateOneID("u1").SetDisplayName("by unit").Exec(u1); err != nil {
			t.Errorf("a unit admin cannot update its own unit: %v", err)
		}
		if n, err := c.Unit.Delete().Exec(foreign); err != nil || n != 0 {
			t.Errorf("another province deleted %d units (%v)", n, err)
		}
		u2, err := c.Unit.Get(sys, "u2")
		if err != nil || u2.DisplayName != "u2" {
			t.Errorf("u2 after the refused writes: %+v %v", u2, err)
		}
	})
}

func lastID(path string) string {
	i := len(path) - 2
	for i >= 0 && path[i] != '/' {
		i--
	}
	return path[i+1 : len(path)-1]
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDeleteExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		ctx := store.System(context.Background())
		st := storetest.Open(t, kind)
		now := time.Now()
		for i, exp := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
			id := fmt.Sprint("r", i)
			if err := st.Client.Revocation.Create().SetID(id).SetKind("TOKEN").SetValue(id).SetCreateTime(now.Add(-2 * time.Hour)).SetExpireTime(exp).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if err := st.Client.RefreshToken.Create().SetID(id).SetTokenHash(id).SetFamilyID("f").SetUserID("u").SetCreateTime(now.Add(-2 * time.Hour)).SetExpireTime(exp).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if err := st.Client.IdempotencyRecord.Create().SetID(id).SetMethod("m").SetRequestHash("h").SetCreateTime(now.Add(-2 * time.Hour)).SetExpireTime(exp).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		n, err := st.DeleteExpired(ctx, now)
		if err != nil || n != 3 {
			t.Fatalf("DeleteExpired = %d, %v; want 3", n, err)
		}
		if ids, _ := st.Client.Revocation.Query().IDs(ctx); len(ids) != 1 || ids[0] != "r1" {
			t.Errorf("revocations left: %v", ids)
		}
		if ids, _ := st.Client.RefreshToken.Query().IDs(ctx); len(ids) != 1 || ids[0] != "r1" {
			t.Errorf("refresh tokens left: %v", ids)
		}
		if ids, _ := st.Client.IdempotencyRecord.Query().IDs(ctx); len(ids) != 1 || ids[0] != "r1" {
			t.Errorf("idempotency records left: %v", ids)
		}
	})
}

// A streamed create that commits before reading its whole request is refused, and neither
// its change nor its claim is stored; once the stream is read, the same commit goes through.
func TestIdempotencyClaimWaitsForTheWholeRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		st := storetest.Open(t, kind)
		done := false
		claim := &store.IdempotencyClaim{ID: "claim-1", Method: "/m", RequestHash: "h", Now: time.Now(), Complete: func() bool { return done }}
		ctx := store.WithIdempotency(store.System(context.Background()), claim)
		create := func(tx *ent.Tx) error {
			return tx.Office.Create().SetID("o1").SetOfficeID("o1").SetScopePath("/o1/").SetDisplayName("x").
				SetLevel(office.LevelPROVINCIAL).SetRegionCode("330000").Exec(ctx)
		}
		if err := st.Tx(ctx, create); !errors.Is(err, store.ErrIdempotencyIncomplete) || claim.Written() {
			t.Fatalf("commit before the end of the stream: %v (claim written: %v)", err, claim.Written())
		}
		if n, _ := st.Client.Office.Query().Count(store.System(context.Background())); n != 0 {
			t.Errorf("%d offices stored by the refused commit", n)
		}
		done = true
		if err := st.Tx(ctx, create); err != nil || !claim.Written() {
			t.Errorf("commit after the end of the stream: %v (claim written: %v)", err, claim.Written())
		}
	})
}

package mutate_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"google.golang.org/grpc/codes"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/auditevent"
	"github.com/wenming-platform/wenming/ent/office"
	"github.com/wenming-platform/wenming/ent/unit"
	"github.com/wenming-platform/wenming/ent/webhookdelivery"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/secrets"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

// tree is a province p with a city c, the city's district d and a sibling city c2; the
// unit u belongs to the district.
type tree struct {
	st *store.Store
	w  *mutate.Writer
}

const (
	pPath  = "/p/"
	cPath  = "/p/c/"
	dPath  = "/p/c/d/"
	c2Path = "/p/c2/"
)

var uPath = viewer.UnitPath(dPath, "u")

func setup(t *testing.T, kind storetest.Kind) *tree {
	t.Helper()
	m, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, kind)
	sys := store.System(context.Background())
	for _, o := range []struct {
		id, parent, path string
		level            office.Level
	}{
		{"p", "", pPath, office.LevelPROVINCIAL},
		{"c", "p", cPath, office.LevelMUNICIPAL},
		{"d", "c", dPath, office.LevelDISTRICT},
		{"c2", "p", c2Path, office.LevelMUNICIPAL},
	} {
		b := st.Client.Office.Create().SetID(o.id).SetOfficeID(o.id).SetScopePath(o.path).SetDisplayName(o.id).
			SetLevel(o.level).SetRegionCode("330000")
		if o.parent != "" {
			b.SetParentID(o.parent)
		}
		if err := b.Exec(sys); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Client.Unit.Create().SetID("u").SetOfficeID("d").SetScopePath(uPath).SetDisplayName("u").
		SetCreditCode("91350100M000100Y43").SetCategory("OTHER").Exec(sys); err != nil {
		t.Fatal(err)
	}
	return &tree{st: st, w: mutate.NewWriter(st, audit.NewChain(m, st.Dialect))}
}

func as(officeID, unitID, path string, role authzv1.Role) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{
		Subject: "s-" + officeID + unitID, Kind: viewer.KindUser, OfficeID: officeID, UnitID: unitID, ScopePath: path,
		Roles: []authzv1.Role{role},
	})
}

// rename is the change a handler would make to unit u: Allow lets everyone through (a
// handler whose object check is missing or wrong), so only the store's policy decides.
// get and before, when set, replace how the unit is read and what happens between the
// read and the write.
func (f *tree) rename(ctx context.Context, etag string, get func(ctx context.Context, tx *ent.Tx) (*ent.Unit, error),
	before func(tx *ent.Tx) error) (*ent.Unit, error) {
	if get == nil {
		get = func(ctx context.Context, tx *ent.Tx) (*ent.Unit, error) { return tx.Unit.Get(ctx, "u") }
	}
	return mutate.Update(ctx, f.w, mutate.Change[*ent.Unit]{
		Resource: "unit", Etag: etag, EtagRequired: true,
		Get:     get,
		Version: func(u *ent.Unit) int64 { return u.Version },
		Allow:   func(*ent.Unit) error { return nil },
		Apply: func(tx *ent.Tx, cur *ent.Unit) (*ent.Unit, error) {
			if before != nil {
				if err := before(tx); err != nil {
					return nil, err
				}
			}
			return tx.Unit.UpdateOneID(cur.ID).Where(unit.Version(cur.Version)).AddVersion(1).SetDisplayName("renamed").Save(ctx)
		},
		Audit: func(cur, next *ent.Unit) (audit.Event, error) {
			return audit.Event{OfficeID: cur.OfficeID, ScopePath: cur.ScopePath, Action: "unit.update", ResourceType: "unit", ResourceID: cur.ID}, nil
		},
	})
}

func (f *tree) unit(t *testing.T) *ent.Unit {
	t.Helper()
	u, err := f.st.Client.Unit.Get(store.System(context.Background()), "u")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *tree) events(t *testing.T, officeID string) int {
	t.Helper()
	n, err := f.st.Client.AuditEvent.Query().Where(auditevent.OfficeID(officeID)).Count(store.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func code(err error) codes.Code {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return codes.Unknown
}

// TestUpdateTellsRefusalFromStaleEtag is the reason Update re-reads a row whose guarded
// write matched nothing: a write the privacy policy filtered out is not a concurrent
// change, and the caller must not be told to reload and retry.
func TestUpdateTellsRefusalFromStaleEtag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		f := setup(t, kind)
		etag := resource.Etag(f.unit(t).Version)
		sys := store.System(context.Background())
		bump := func(tx *ent.Tx) error { return tx.Unit.UpdateOneID("u").AddVersion(1).Exec(sys) }
		remove := func(tx *ent.Tx) error { return tx.Unit.DeleteOneID("u").Exec(sys) }
		admin := authzv1.Role_ROLE_OFFICE_ADMIN

		for _, tc := range []struct {
			name   string
			ctx    context.Context
			get    func(context.Context, *ent.Tx) (*ent.Unit, error)
			before func(*ent.Tx) error
			want   error
		}{
			// The city reads the district's unit but only the district writes it
			// (docs/authorization.md: ancestors read, they do not write).
			{"an ancestor office's admin: PERMISSION_DENIED", as("c", "", cPath, admin), nil, nil, errs.ErrPermissionDenied},
			{"the province's admin: PERMISSION_DENIED", as("p", "", pPath, admin), nil, nil, errs.ErrPermissionDenied},
			{"a sibling city that cannot read it: NOT_FOUND", as("c2", "", c2Path, admin), nil, nil, errs.NotFound("unit")},
			{"the owner, after a concurrent change: ETAG_MISMATCH", as("d", "", dPath, admin), nil, bump, errs.ErrStaleEtag},
			{"the owner, after a concurrent delete: NOT_FOUND", as("d", "", dPath, admin), nil, remove, errs.NotFound("unit")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.rename(tc.ctx, etag, tc.get, tc.before)
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if u := f.unit(t); u.DisplayName != "u" || resource.Etag(u.Version) != etag {
					t.Errorf("the unit changed: %q version %d", u.DisplayName, u.Version)
				}
				if n := f.events(t, "d"); n != 0 {
					t.Errorf("%d events recorded for a refused change", n)
				}
			})
		}

		// A stale etag from the start is ETAG_MISMATCH before any write; a missing one,
		// when required, INVALID_ARGUMENT.
		d := as("d", "", dPath, admin)
		if _, err := f.rename(d, "999", nil, nil); !errors.Is(err, errs.ErrStaleEtag) {
			t.Errorf("stale etag: %v", err)
		}
		if _, err := f.rename(d, "", nil, nil); code(err) != codes.InvalidArgument {
			t.Errorf("missing etag: %v", err)
		}
		// The owning district and the unit's own users write it; the change is recorded.
		next, err := f.rename(d, etag, nil, nil)
		if err != nil || next.DisplayName != "renamed" || next.Version != f.unit(t).Version || resource.Etag(next.Version) == etag {
			t.Fatalf("the owner's update: %+v %v", next, err)
		}
		if n := f.events(t, "d"); n != 1 {
			t.Errorf("%d events recorded for the change, want 1", n)
		}
		unitAdmin := as("d", "u", uPath, authzv1.Role_ROLE_UNIT_ADMIN)
		if _, err := f.rename(unitAdmin, resource.Etag(next.Version), nil, nil); err != nil {
			t.Errorf("the unit's admin: %v", err)
		}
	})
}

// TestCreateRefusedByThePolicy: a create the store refuses is PERMISSION_DENIED when the
// caller reads the parent and NOT_FOUND when it does not; never saved, never recorded.
func TestCreateRefusedByThePolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		f := setup(t, kind)
		sys := store.System(context.Background())
		// A unit's admin reads its unit but may create nothing at its office's path.
		create := func(ctx context.Context) error {
			_, err := mutate.Create(ctx, f.w, mutate.Creation[*ent.Unit, *ent.Unit]{
				Parent:    "unit",
				GetParent: func(ctx context.Context, tx *ent.Tx) (*ent.Unit, error) { return tx.Unit.Get(ctx, "u") },
				Allow:     func(*ent.Unit) error { return nil },
				Save: func(tx *ent.Tx, parent *ent.Unit) (*ent.Unit, error) {
					return tx.Unit.Create().SetID("u2").SetOfficeID(parent.OfficeID).SetScopePath(viewer.UnitPath(dPath, "u2")).
						SetDisplayName("u2").SetCreditCode("91110000802100433B").SetCategory("OTHER").Save(ctx)
				},
				Audit: func(parent *ent.Unit, u *ent.Unit) (audit.Event, error) {
					return audit.Event{OfficeID: u.OfficeID, ScopePath: dPath, Action: "unit.create", ResourceType: "unit", ResourceID: u.ID}, nil
				},
			})
			return err
		}
		unitAdmin := as("d", "u", uPath, authzv1.Role_ROLE_UNIT_ADMIN)
		if err := create(unitAdmin); !errors.Is(err, errs.ErrPermissionDenied) {
			t.Errorf("a unit's admin creating beside its unit: %v, want PERMISSION_DENIED", err)
		}
		if err := create(as("c2", "", c2Path, authzv1.Role_ROLE_OFFICE_ADMIN)); !errors.Is(err, errs.NotFound("unit")) {
			t.Errorf("a sibling city creating under a unit it cannot read: %v, want NOT_FOUND", err)
		}
		if n, err := f.st.Client.Unit.Query().Count(sys); err != nil || n != 1 {
			t.Errorf("%d units after the refused creates (%v)", n, err)
		}
		if n := f.events(t, "d"); n != 0 {
			t.Errorf("%d events recorded for refused creates", n)
		}
		if err := create(as("d", "", dPath, authzv1.Role_ROLE_OFFICE_ADMIN)); err != nil {
			t.Errorf("the district creating its own unit: %v", err)
		}
		if n := f.events(t, "d"); n != 1 {
			t.Errorf("%d events recorded for the create, want 1", n)
		}
	})
}

// TestRecordWritesDeliveriesWithTheChange: a change that is a webhook event writes one
// delivery per subscribed, enabled webhook of an office in its line, in the change's
// transaction: none when the change rolls back, none for a webhook outside the line.
func TestRecordWritesDeliveriesWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		f := setup(t, kind)
		sys := store.System(context.Background())
		for _, h := range []struct {
			id, office, path string
			events           []string
			disabled         bool
		}{
			{"h-c", "c", cPath, []string{"title.changed"}, false},
			{"h-c-other", "c", cPath, []string{"application.submitted"}, false},
			{"h-d-off", "d", dPath, []string{"title.changed"}, true},
			{"h-c2", "c2", c2Path, []string{"title.changed"}, false},
		} {
			if err := f.st.Client.Webhook.Create().SetID(h.id).SetOfficeID(h.office).SetScopePath(h.path).SetURL("https://example.org/x").
				SetEvents(h.events).SetSecretSealed([]byte("sealed")).SetDisabled(h.disabled).Exec(sys); err != nil {
				t.Fatal(err)
			}
		}
		change := func(action string, fail bool) {
			err := f.st.Tx(sys, func(tx *ent.Tx) error {
				if err := f.w.Record(sys, tx, audit.Event{OfficeID: "d", ScopePath: uPath, Action: action, ResourceType: "title", ResourceID: "t"}); err != nil {
					return err
				}
				if fail {
					return errors.New("the change fails after recording")
				}
				return nil
			})
			if fail != (err != nil) {
				t.Fatalf("%s (fail %v): %v", action, fail, err)
			}
		}
		deliveries := func() []string {
			ids, err := f.st.Client.WebhookDelivery.Query().Select(webhookdelivery.FieldWebhookID).Strings(sys)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		change("title.transition", true)
		if d := deliveries(); len(d) != 0 {
			t.Errorf("a rolled-back change left deliveries for %v", d)
		}
		change("unit.update", false)
		if d := deliveries(); len(d) != 0 {
			t.Errorf("a change that is no event left deliveries for %v", d)
		}
		change("title.transition", false)
		if d := deliveries(); len(d) != 1 || d[0] != "h-c" {
			t.Errorf("deliveries for %v; want the city's title webhook alone", d)
		}
	})
}

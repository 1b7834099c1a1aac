package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	"github.com/wenming-platform/wenming/ent/privacy"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// scopePolicy is the tenant isolation of every OfficeScoped table, composed of the named
// rules below in the manner of ent's examples/privacytenant. Named system code paths
// bypass it with privacy.DecisionContext(ctx, privacy.Allow); everything else runs as the
// viewer in the context:
//   - no viewer: nothing is read or written (DenyIfNoViewer);
//   - platform admin: everything, it bootstraps the tree (AllowIfPlatformAdmin);
//   - reads: rows whose scope_path starts with the viewer's scope path (an office reads its
//     subtree, a unit user its unit); for shared tables also the rows of the viewer's
//     ancestor offices, and rows in a hidden state (drafts) only in the owning office
//     (FilterReadableScope);
//   - creates: the new row's scope_path must lie inside the viewer's scope
//     (AllowCreateInScope);
//   - updates and deletes: office principals write rows owned by their own office, unit
//     users rows of their unit (FilterOwnedScope).
//
// Each rule is the store's form of one viewer.Viewer method (HasScope, PlatformAdmin,
// CanRead and CanReadShared, CanCreate, CanWrite), the vocabulary handlers use too.
func scopePolicy(shared *Shared) ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			DenyIfNoViewer(),
			AllowIfPlatformAdmin(),
			FilterReadableScope(shared),
		},
		Mutation: privacy.MutationPolicy{
			DenyIfNoViewer(),
			AllowIfPlatformAdmin(),
			AllowCreateInScope(),
			FilterOwnedScope(),
		},
	}
}

// DenyIfNoViewer denies every query and mutation of a caller the store cannot place in
// the office tree (viewer.HasScope): no viewer, or one without a scope path.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if !viewer.FromContext(ctx).HasScope() {
			return privacy.Denyf("no viewer in scope")
		}
		return privacy.Skip
	})
}

// AllowIfPlatformAdmin allows the platform admin everything (viewer.PlatformAdmin): it
// bootstraps the tree. The handlers say what it may actually do.
func AllowIfPlatformAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx).PlatformAdmin() {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// FilterReadableScope restricts a query to the rows the viewer reads: the SQL form of
// viewer.CanRead, or of viewer.CanReadShared for a table shared down the tree. It runs
// after DenyIfNoViewer and AllowIfPlatformAdmin, so the viewer has a scope path.
func FilterReadableScope(shared *Shared) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		own := entql.FieldHasPrefix("scope_path", v.ScopePath)
		if shared == nil {
			f.Where(own)
			return privacy.Allow
		}
		// A shared row in a hidden state (a draft) stays with its owning office: neither the
		// offices below nor those above it read it.
		hidden := make([]any, len(shared.Hidden))
		for i, h := range shared.Hidden {
			hidden[i] = h
		}
		visible := entql.FieldNotIn(shared.StateField, hidden...)
		either := []entql.P{entql.FieldEQ("scope_path", v.ScopePath), entql.And(own, visible)}
		var up []any
		for _, p := range viewer.Above(v.ScopePath) {
			up = append(up, p)
		}
		if len(up) > 0 {
			either = append(either, entql.And(entql.FieldIn("scope_path", up...), visible))
		}
		f.Where(entql.Or(either[0], either[1], either[2:]...))
		return privacy.Allow
	})
}

// AllowCreateInScope decides every create: allowed when the new row's scope_path lies
// inside the viewer's scope (viewer.CanCreate), denied otherwise. Other operations skip it.
func AllowCreateInScope() privacy.MutationRule {
	return privacy.OnMutationOperation(privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		p, _ := m.Field("scope_path")
		if s, ok := p.(string); ok && viewer.FromContext(ctx).CanCreate(s) {
			return privacy.Allow
		}
		return privacy.Denyf("create outside the viewer's scope")
	}), ent.OpCreate)
}

// FilterOwnedScope restricts updates and deletes to the rows the viewer owns: the SQL form
// of viewer.CanWrite. An office principal changes the rows of its own office (not those
// of the offices below, which it only reads), a unit user the rows of its unit. An
// update it filters out matches no row, which ent reports as not found.
func FilterOwnedScope() privacy.MutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v.UnitID != "" {
			f.Where(entql.FieldHasPrefix("scope_path", v.ScopePath))
		} else {
			f.Where(entql.FieldEQ("office_id", v.OfficeID))
		}
		return privacy.Allow
	})
}

// systemOnlyPolicy guards tables that only system code paths touch.
func systemOnlyPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

package schema

import (
	"context"
	"strings"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	"github.com/wenming-platform/wenming/ent/privacy"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// scopePolicy is the tenant isolation of every OfficeScoped table. Named system code paths
// bypass it with privacy.DecisionContext(ctx, privacy.Allow); everything else runs as the
// viewer in the context:
//   - no viewer: nothing is read or written;
//   - platform admin: everything (it bootstraps the tree);
//   - reads: rows whose scope_path starts with the viewer's scope path (an office reads its
//     subtree, a unit user its unit); for shared tables also the rows of the viewer's
//     ancestor offices, and rows in a hidden state (drafts) only in the owning office;
//   - creates: the new row's scope_path must lie inside the viewer's scope;
//   - updates and deletes: office principals write rows owned by their own office, unit
//     users rows of their unit.
func scopePolicy(shared *Shared) ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
				v := viewer.FromContext(ctx)
				switch {
				case v == nil || v.ScopePath == "" && !v.PlatformAdmin():
					return privacy.Denyf("no viewer in scope")
				case v.PlatformAdmin():
					return privacy.Allow
				}
				own := entql.FieldHasPrefix("scope_path", v.ScopePath)
				if shared == nil {
					f.Where(own)
					return privacy.Allow
				}
				// A shared row in a hidden state (a draft) stays with its owning office:
				// neither the offices below nor those above it read it.
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
			}),
		},
		Mutation: privacy.MutationPolicy{
			privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
				v := viewer.FromContext(ctx)
				switch {
				case v == nil || v.ScopePath == "" && !v.PlatformAdmin():
					return privacy.Denyf("no viewer in scope")
				case v.PlatformAdmin():
					return privacy.Allow
				case m.Op().Is(ent.OpCreate):
					p, _ := m.Field("scope_path")
					if s, ok := p.(string); ok && strings.HasPrefix(s, v.ScopePath) {
						return privacy.Allow
					}
					return privacy.Denyf("create outside the viewer's scope")
				}
				return privacy.Skip
			}),
			privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
				v := viewer.FromContext(ctx)
				if v.UnitID != "" {
					f.Where(entql.FieldHasPrefix("scope_path", v.ScopePath))
				} else {
					f.Where(entql.FieldEQ("office_id", v.OfficeID))
				}
				return privacy.Allow
			}),
		},
	}
}

// systemOnlyPolicy guards tables that only system code paths touch.
func systemOnlyPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

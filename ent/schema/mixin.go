package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
)

// Time adds creation and update times.
type Time struct{ mixin.Schema }

func (Time) Fields() []ent.Field {
	return []ent.Field{
		field.Time("create_time").Default(time.Now).Immutable(),
		field.Time("update_time").Default(time.Now).UpdateDefault(time.Now),
	}
}

// Versioned adds the counter behind etags: every update bumps it, and an update that names
// a stale etag is refused instead of overwriting someone else's change.
type Versioned struct{ mixin.Schema }

func (Versioned) Fields() []ent.Field {
	return []ent.Field{field.Int64("version").Default(1)}
}

// OfficeScoped marks a tenant-owned table. office_id is the office that owns the row (the
// one whose admins write it); scope_path is the materialized path of the office ("/p/c/")
// or unit ("/p/c/u-<id>/") the row belongs to. The privacy policy turns a viewer's scope
// into predicates on these two columns for every query and mutation.
type OfficeScoped struct {
	mixin.Schema
	// SharedBy, when set, also shows rows to every office and unit below the owning office
	// once the named state column leaves the hidden states: a province's published standard
	// is read by its districts, its drafts are not.
	SharedBy *Shared
}

// Shared names the state column and the states that stay with the owning office.
type Shared struct {
	StateField string
	Hidden     []string
}

func (OfficeScoped) Fields() []ent.Field {
	return []ent.Field{
		field.String("office_id").Immutable().NotEmpty(),
		field.String("scope_path").Immutable().NotEmpty(),
	}
}

func (OfficeScoped) Indexes() []ent.Index {
	// varchar_pattern_ops lets PostgreSQL answer the policy's "scope_path LIKE 'prefix%'"
	// from the index whatever the database's collation (a plain btree serves LIKE only
	// under the C collation). SQLite ignores the operator class.
	return []ent.Index{index.Fields("scope_path").Annotations(entsql.OpClass("varchar_pattern_ops"))}
}

func (m OfficeScoped) Policy() ent.Policy { return scopePolicy(m.SharedBy) }

// SystemOnly marks a table that no request viewer touches directly (tokens, keys): only
// code paths that explicitly take the system context read or write it.
type SystemOnly struct{ mixin.Schema }

func (SystemOnly) Policy() ent.Policy { return systemOnlyPolicy() }

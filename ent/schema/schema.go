// Package schema is the shared database schema of all Wenming services.
package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

func id() ent.Field { return field.String("id").Immutable().NotEmpty() }

// Office is a civilization office, the tenant.
type Office struct{ ent.Schema }

func (Office) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Office) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("parent_id").Optional().Immutable(),
		field.String("display_name").NotEmpty(),
		field.Enum("level").Values("DISTRICT", "MUNICIPAL", "PROVINCIAL", "NATIONAL").Immutable(),
		field.String("region_code"),
		field.String("time_zone").Default("Asia/Shanghai"),
	}
}

func (Office) Indexes() []ent.Index {
	return []ent.Index{index.Fields("parent_id", "id")}
}

// Unit is an organisation registered with one office.
type Unit struct{ ent.Schema }

func (Unit) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Unit) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("display_name").NotEmpty(),
		field.String("credit_code").Unique(),
		field.String("category"),
		field.String("title_level").Optional(),
		field.Bool("title_model").Default(false),
		field.Time("title_term_start").Optional().Nillable(),
		field.Time("title_term_end").Optional().Nillable(),
		field.String("title_state").Optional(),
	}
}

func (Unit) Indexes() []ent.Index {
	return []ent.Index{index.Fields("office_id", "id")}
}

// User is a person who logs in.
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (User) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("login").Unique().Immutable(),
		field.String("display_name").Default(""),
		field.String("password_hash").Sensitive(),
		// unit_id is set for unit users; office_id is then the unit's office.
		field.String("unit_id").Optional().Immutable(),
		field.Strings("roles"),
		field.Bool("disabled").Default(false),
		// platform marks a platform admin, who belongs to no office.
		field.Bool("platform").Default(false).Immutable(),
	}
}

func (User) Indexes() []ent.Index {
	return []ent.Index{index.Fields("office_id", "id"), index.Fields("unit_id", "id")}
}

// ServiceAccount is a machine client of an office.
type ServiceAccount struct{ ent.Schema }

func (ServiceAccount) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (ServiceAccount) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("display_name").NotEmpty(),
		field.String("client_id").Unique().Immutable(),
		field.String("secret_hash").Sensitive(),
		field.Strings("roles"),
		field.Bool("disabled").Default(false),
	}
}

// AuditEvent is one recorded change, chained per office by hash.
type AuditEvent struct{ ent.Schema }

func (AuditEvent) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.Int64("sequence").Immutable(),
		field.String("actor").Immutable(),
		field.String("action").Immutable(),
		field.String("resource_type").Immutable(),
		field.String("resource_id").Immutable(),
		field.Text("before").Default("").Immutable(),
		field.Text("after").Default("").Immutable(),
		field.String("request_id").Default("").Immutable(),
		field.Time("create_time").Immutable(),
		field.String("prev_hash").Immutable(),
		field.String("hash").Immutable(),
	}
}

func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("office_id", "sequence").Unique()}
}

// RefreshToken is a stored (hashed) refresh token. Tokens of one login form a family;
// presenting a rotated token again revokes the whole family.
type RefreshToken struct{ ent.Schema }

func (RefreshToken) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (RefreshToken) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("token_hash").Unique().Immutable(),
		field.String("family_id").Immutable(),
		field.String("user_id").Immutable(),
		field.Time("create_time").Immutable(),
		field.Time("expire_time").Immutable(),
		field.Time("rotate_time").Optional().Nillable(),
		field.Time("revoke_time").Optional().Nillable(),
	}
}

func (RefreshToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("family_id"), index.Fields("user_id")}
}

// Revocation refuses access tokens before they expire: one token (by jti), or every token
// of a subject issued before create_time.
type Revocation struct{ ent.Schema }

func (Revocation) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (Revocation) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.Enum("kind").Values("TOKEN", "SUBJECT").Immutable(),
		field.String("value").Immutable(),
		field.Time("create_time").Immutable(),
		field.Time("expire_time").Immutable(),
	}
}

func (Revocation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("create_time")}
}

// SigningKey is an Ed25519 key that signs access tokens; id is its kid.
type SigningKey struct{ ent.Schema }

func (SigningKey) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (SigningKey) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.Bytes("private_key").Sensitive().Immutable(),
		field.Bytes("public_key").Immutable(),
		field.Time("create_time").Immutable(),
		// retire_time is when it stopped signing; it still verifies until tokens expire.
		field.Time("retire_time").Optional().Nillable(),
	}
}

// Setting is a platform-wide secret or value generated once (e.g. the page-token key).
type Setting struct{ ent.Schema }

func (Setting) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (Setting) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.Bytes("value").Sensitive(),
	}
}

// Standard is a versioned scoring standard. Its indicator tree is stored whole, as the
// canonical protobuf encoding of its indicators, so a published standard is one immutable
// value with one content hash.
type Standard struct{ ent.Schema }

func (Standard) Mixin() []ent.Mixin {
	return []ent.Mixin{OfficeScoped{SharedBy: &Shared{StateField: "state", Hidden: []string{"DRAFT"}}}, Versioned{}, Time{}}
}

func (Standard) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("code"),
		field.String("display_name").NotEmpty(),
		field.Int("number").Default(1).Immutable(),
		field.Enum("state").Values("DRAFT", "PUBLISHED", "RETIRED").Default("DRAFT"),
		field.Int64("base_points").Default(0),
		field.Int64("bonus_cap").Default(0),
		field.JSON("grade_scale", map[string]int64{}).Optional(),
		field.Enum("aggregation").Values("MEAN", "MEDIAN", "TRIMMED_MEAN").Default("MEAN"),
		field.Bytes("indicators").Optional(),
		field.String("content_hash").Default(""),
		field.Time("publish_time").Optional().Nillable(),
	}
}

func (Standard) Indexes() []ent.Index {
	return []ent.Index{index.Fields("office_id", "id"), index.Fields("office_id", "code", "number").Unique()}
}

// Campaign is one office's yearly assessment round on a published standard.
type Campaign struct{ ent.Schema }

func (Campaign) Mixin() []ent.Mixin {
	return []ent.Mixin{OfficeScoped{SharedBy: &Shared{StateField: "state", Hidden: []string{"DRAFT"}}}, Versioned{}, Time{}}
}

func (Campaign) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("standard_id").Immutable(),
		field.Int("year"),
		field.Enum("target_level").Values("DISTRICT", "MUNICIPAL", "PROVINCIAL", "NATIONAL"),
		field.String("display_name").NotEmpty(),
		field.Enum("state").Values("DRAFT", "OPEN", "SUBMISSION", "REVIEW", "RANKED", "PUBLICITY", "CLOSED").Default("DRAFT"),
		// Phase windows, [start, end).
		field.Time("application_start").Optional().Nillable(),
		field.Time("application_end").Optional().Nillable(),
		field.Time("submission_start").Optional().Nillable(),
		field.Time("submission_end").Optional().Nillable(),
		field.Time("review_start").Optional().Nillable(),
		field.Time("review_end").Optional().Nillable(),
		field.Time("publicity_start").Optional().Nillable(),
		field.Time("publicity_end").Optional().Nillable(),
		field.Int("quota_count").Optional().Nillable(),
		field.Int("quota_percent").Optional().Nillable(),
		field.Int64("pass_line").Optional().Nillable(),
		field.String("required_title_level").Default(""),
		field.Int("lookback_months").Default(24),
		field.Int("max_resubmissions").Default(1),
		field.Int("reviewers_per_application").Default(3),
		field.String("parent_campaign_id").Default(""),
	}
}

func (Campaign) Indexes() []ent.Index {
	return []ent.Index{index.Fields("office_id", "id"), index.Fields("scope_path", "year")}
}

// IdempotencyRecord remembers a create made with an Idempotency-Key: written in the same
// transaction as the create, so a retry can never run it twice, and completed with the
// response the first call returned, so the retry gets that response back.
type IdempotencyRecord struct{ ent.Schema }

func (IdempotencyRecord) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (IdempotencyRecord) Fields() []ent.Field {
	return []ent.Field{
		// SHA-256 of the caller, the method and the key.
		field.String("id").Immutable().NotEmpty(),
		field.String("method").Immutable(),
		// SHA-256 of the request, so the same key with another request is refused.
		field.String("request_hash").Immutable(),
		field.Bytes("response").Optional(),
		field.Time("create_time").Immutable(),
		field.Time("expire_time").Immutable(),
	}
}

func (IdempotencyRecord) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expire_time")}
}

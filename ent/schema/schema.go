// Package schema is the shared database schema of all Wenming services.
package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/wenming-platform/wenming/ent/hook"
	"github.com/wenming-platform/wenming/ent/schema/jsonvalue"
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
		// model: the titles it names are the model tier (标兵).
		field.Bool("title_model").Default(false),
		// term_years is the term of the titles it names, in years.
		field.Int("term_years").Default(3),
		// kind SELECTION names new title holders; REINSPECTION (复查) re-scores the holders of
		// the office's titles, entered when it opens, and proposes keeping, warning or
		// revoking each title from keep_line and warn_line (hundredths of a point).
		field.Enum("kind").Values("SELECTION", "REINSPECTION").Default("SELECTION").Immutable(),
		field.Int64("keep_line").Optional().Nillable(),
		field.Int64("warn_line").Optional().Nillable(),
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
		// The request's size in bytes (its messages, for a stream): a retry that runs
		// longer is another request, refused without reading the rest of it.
		field.Int64("request_bytes").Default(0).Immutable(),
		field.Bytes("response").Optional(),
		field.Time("create_time").Immutable(),
		field.Time("expire_time").Immutable(),
	}
}

func (IdempotencyRecord) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expire_time")}
}

// TitleRecord is one title a unit was granted: a row of its title history. office_id is
// the office that recorded or named it, scope_path the unit's, so the unit and every office
// in its line read it. The unit's title columns mirror its current record.
type TitleRecord struct{ ent.Schema }

func (TitleRecord) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (TitleRecord) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("unit_id").Immutable(),
		field.Enum("level").Values("DISTRICT", "MUNICIPAL", "PROVINCIAL", "NATIONAL").Immutable(),
		field.Bool("model").Default(false).Immutable(),
		field.Time("term_start").Immutable(),
		field.Time("term_end").Optional().Nillable().Immutable(),
		field.Enum("state").Values("NAMED", "WARNED", "RECTIFYING", "REVOKED", "RESTORED").Default("NAMED"),
		field.String("document_number").Immutable(),
		field.Enum("source").Values("RECORDED", "NAMED").Immutable(),
		// campaign_id is the campaign that named it (source NAMED).
		field.String("campaign_id").Default("").Immutable(),
		// moves is the state history: [{state, reason, actor, time}], oldest first.
		field.JSON("moves", []jsonvalue.TitleMove{}).Optional(),
		// rectification_deadline is when a warned title's rectification is due.
		field.Time("rectification_deadline").Optional().Nillable(),
		// proposed_revocation is the disqualifying negative-list entry that proposes revoking
		// the title, until an admin confirms (REVOKED) or dismisses it.
		field.String("proposed_revocation").Default(""),
	}
}

func (TitleRecord) Indexes() []ent.Index {
	return []ent.Index{index.Fields("unit_id", "term_start")}
}

// NegativeListEntry is an event on a unit's negative list (负面清单). Rows are never
// deleted; annulling one sets annul_time and annul_reason.
type NegativeListEntry struct{ ent.Schema }

func (NegativeListEntry) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (NegativeListEntry) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("unit_id").Immutable(),
		field.String("category").Immutable(),
		field.Text("description").Immutable(),
		// occurred_on is the day of the event, at midnight UTC.
		field.Time("occurred_on").Immutable(),
		field.Enum("effect").Values("DISQUALIFY", "DEDUCT").Immutable(),
		// points deducted, in hundredths (DEDUCT).
		field.Int64("points").Default(0).Immutable(),
		field.String("source_document").Immutable(),
		field.Time("annul_time").Optional().Nillable(),
		field.String("annul_reason").Default(""),
	}
}

func (NegativeListEntry) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpDelete | ent.OpDeleteOne)}
}

func (NegativeListEntry) Indexes() []ent.Index {
	return []ent.Index{index.Fields("unit_id", "occurred_on")}
}

// Application is one unit in one campaign. office_id is the campaign's office, whose
// admins move it; scope_path is the unit's, so the unit writes its own application and
// every office in the unit's line reads it.
type Application struct{ ent.Schema }

func (Application) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Application) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("campaign_id").Immutable(),
		field.String("unit_id").Immutable(),
		field.String("unit_office_id").Immutable(),
		field.Enum("state").Values("DRAFT", "SUBMITTED", "IN_REVIEW", "RETURNED", "RESUBMITTED", "SCORED",
			"RECOMMENDED", "NOT_RECOMMENDED", "VETOED", "NAMED", "WITHDRAWN").Default("DRAFT"),
		field.Time("submit_time").Optional().Nillable(),
		// self_assessment maps indicator codes to the unit's own points, in hundredths.
		field.JSON("self_assessment", []jsonvalue.SelfAssessment{}).Optional(),
		field.String("withdraw_reason").Default(""),
		// file_bytes is the total size of the application's files, for its quota.
		field.Int64("file_bytes").Default(0),
		// source_application_id is the application of a child campaign whose recommendation
		// brought this one into the parent campaign (逐级推荐); empty for one the unit made.
		field.String("source_application_id").Default("").Immutable(),
		// reinspected_title_id is the title a reinspection entered this application for:
		// the one its decision moves.
		field.String("reinspected_title_id").Default("").Immutable(),
	}
}

func (Application) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("campaign_id", "unit_id").Unique(),
		index.Fields("campaign_id", "id"),
		index.Fields("unit_id", "id"),
	}
}

// Evidence is a unit's evidence for one leaf indicator and one period: its editable draft
// and state. What was submitted lives in EvidenceRevision rows, never here.
type Evidence struct{ ent.Schema }

func (Evidence) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Evidence) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("application_id").Immutable(),
		field.String("indicator_code").Immutable(),
		field.String("period").Immutable(),
		field.Enum("state").Values("DRAFT", "SUBMITTED", "ACCEPTED", "RETURNED").Default("DRAFT"),
		// has_draft says a draft was saved since the last submission.
		field.Bool("has_draft").Default(false),
		field.Text("draft_narrative").Default(""),
		field.String("draft_value").Default(""),
		field.Strings("draft_file_ids").Optional(),
		field.Text("draft_note").Default(""),
		field.Int("revision_count").Default(0),
		field.Int("resubmissions").Default(0),
		field.Text("return_reason").Default(""),
		field.Time("return_due_time").Optional().Nillable(),
		field.Bool("locked").Default(false),
	}
}

func (Evidence) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("application_id", "indicator_code", "period").Unique(),
		// The few items a result depends on beyond the sheets (returned, resubmitted), which
		// every result computation reads: a partial index keeps that read off the rest.
		index.Fields("application_id").StorageKey("evidence_held").
			Annotations(entsql.IndexWhere("state = 'RETURNED' OR resubmissions > 0")),
	}
}

// EvidenceRevision is one submitted, frozen state of an evidence item. Append-only: no
// code path updates or deletes one, and the schema's hook refuses it.
type EvidenceRevision struct{ ent.Schema }

func (EvidenceRevision) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (EvidenceRevision) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("evidence_id").Immutable(),
		field.String("application_id").Immutable(),
		field.Int("number").Immutable(),
		field.Text("narrative").Immutable(),
		field.String("value").Immutable(),
		field.Strings("file_ids").Optional().Immutable(),
		field.Text("note").Immutable(),
		field.Bool("resubmission").Immutable(),
		field.String("submitted_by").Immutable(),
		field.Time("submit_time").Immutable(),
	}
}

func (EvidenceRevision) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)}
}

func (EvidenceRevision) Indexes() []ent.Index {
	return []ent.Index{index.Fields("evidence_id", "number").Unique(), index.Fields("application_id")}
}

// EvidenceFile is an uploaded file of an application. The bytes are in the blob store
// under their SHA-256; the row is committed only after the blob is durable, and never
// updated or deleted.
type EvidenceFile struct{ ent.Schema }

func (EvidenceFile) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (EvidenceFile) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("application_id").Immutable(),
		field.String("campaign_id").Immutable(),
		field.String("unit_id").Immutable(),
		field.String("name").Immutable(),
		field.String("content_type").Immutable(),
		field.Int64("size").Immutable(),
		field.String("sha256").Immutable(),
		field.String("uploaded_by").Immutable(),
		field.Time("create_time").Immutable(),
	}
}

func (EvidenceFile) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)}
}

func (EvidenceFile) Indexes() []ent.Index {
	return []ent.Index{index.Fields("application_id", "id"), index.Fields("sha256")}
}

// DeadlineExtension moves the due time of an application's evidence; office_id is the
// campaign's office that granted it. Never updated or deleted: a later extension wins.
type DeadlineExtension struct{ ent.Schema }

func (DeadlineExtension) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (DeadlineExtension) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("application_id").Immutable(),
		field.String("indicator_code").Default("").Immutable(),
		field.String("period").Default("").Immutable(),
		field.Time("due_time").Immutable(),
		field.Text("reason").Immutable(),
		field.String("granted_by").Immutable(),
		field.Time("create_time").Immutable(),
	}
}

func (DeadlineExtension) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)}
}

func (DeadlineExtension) Indexes() []ent.Index {
	return []ent.Index{index.Fields("application_id")}
}

// Assignment is one reviewer's score sheet for one application. office_id is the campaign's
// office, scope_path its path: the office's reviewers, admins and viewers and the offices
// above read sheets; units never do.
type Assignment struct{ ent.Schema }

func (Assignment) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Assignment) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("campaign_id").Immutable(),
		field.String("application_id").Immutable(),
		field.String("unit_id").Immutable(),
		field.String("reviewer_id").Immutable(),
		field.Enum("state").Values("ASSIGNED", "FINALIZED", "WITHDRAWN").Default("ASSIGNED"),
		field.JSON("scores", []jsonvalue.Score{}).Optional(),
		field.Time("finalize_time").Optional().Nillable(),
		// reason says why the sheet was withdrawn, or last reopened.
		field.Text("reason").Default(""),
		field.Int("reopen_count").Default(0),
	}
}

func (Assignment) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("application_id"),
		index.Fields("reviewer_id", "id"),
		index.Fields("campaign_id", "reviewer_id"),
	}
}

// Conflict is a reviewer's declared conflict of interest with a unit, in the reviewer's
// office. Never updated or deleted.
type Conflict struct{ ent.Schema }

func (Conflict) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (Conflict) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("reviewer_id").Immutable(),
		field.String("unit_id").Immutable(),
		field.Text("reason").Immutable(),
		field.Time("create_time").Immutable(),
	}
}

func (Conflict) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)}
}

func (Conflict) Indexes() []ent.Index {
	return []ent.Index{index.Fields("reviewer_id", "unit_id").Unique()}
}

// VetoDecision is an office admin's decision on a proposed veto; office_id is the campaign's
// office, scope_path the unit's. Never updated or deleted: the latest decision holds.
type VetoDecision struct{ ent.Schema }

func (VetoDecision) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (VetoDecision) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("application_id").Immutable(),
		field.String("indicator_code").Immutable(),
		field.Bool("confirmed").Immutable(),
		field.Text("reason").Immutable(),
		field.String("decided_by").Immutable(),
		field.Time("create_time").Immutable(),
	}
}

func (VetoDecision) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)}
}

func (VetoDecision) Indexes() []ent.Index {
	return []ent.Index{index.Fields("application_id", "id")}
}

// SpotCheck is an office's check of a scored application's evidence. office_id is the
// checking office (the campaign's or one above it), scope_path the unit's. Never updated or
// deleted.
type SpotCheck struct{ ent.Schema }

func (SpotCheck) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (SpotCheck) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("application_id").Immutable(),
		field.String("indicator_code").Immutable(),
		field.String("period").Default("").Immutable(),
		field.Text("finding").Immutable(),
		field.Bool("veto").Immutable(),
		field.String("checked_by").Immutable(),
		field.Time("create_time").Immutable(),
	}
}

func (SpotCheck) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)}
}

func (SpotCheck) Indexes() []ent.Index {
	return []ent.Index{index.Fields("application_id", "id")}
}

// Result is an application's computed score, kept current by every write it depends on, so
// rankings read it and never recompute. id is the application's; office_id the campaign's
// office, scope_path the unit's. sort_key orders a campaign's results as the ranking does
// (docs/review.md): byte order of the key is the comparator's order.
type Result struct{ ent.Schema }

func (Result) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Result) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("campaign_id").Immutable(),
		field.String("unit_id").Immutable(),
		field.String("unit_office_id").Immutable(),
		field.String("unit_display_name"),
		field.String("unit_category"),
		field.Int64("total"),
		field.Int64("base"),
		field.Int64("bonus"),
		field.Int64("deductions"),
		field.Bool("vetoed"),
		// state mirrors the application's: SCORED, VETOED, RECOMMENDED, NOT_RECOMMENDED.
		field.String("state"),
		field.Bytes("sort_key"),
		field.Time("submit_time"),
		// detail is the wenming.review.v1.Result, explanation included, without its rank.
		field.Bytes("detail"),
	}
}

func (Result) Indexes() []ent.Index {
	return []ent.Index{index.Fields("campaign_id", "sort_key").Unique()}
}

// PublicityEntry is one line of a campaign's publicity list (公示名单), written when the
// campaign moves to PUBLICITY: a copy of what is published, so that a later rescore never
// changes a list the public has read. office_id is the campaign's office, scope_path the
// unit's. A line removed by an upheld objection keeps its row with removed_time set; number
// is the line's place among those that remain.
type PublicityEntry struct{ ent.Schema }

func (PublicityEntry) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (PublicityEntry) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("campaign_id").Immutable(),
		field.String("application_id").Immutable(),
		field.String("unit_id").Immutable(),
		field.String("unit_display_name").Immutable(),
		field.String("unit_office_id").Immutable(),
		field.String("unit_office_name").Immutable(),
		field.String("unit_category").Immutable(),
		field.Int64("total").Immutable(),
		// rank is the campaign-wide rank the list was published with; it never changes.
		field.Int("rank").Immutable(),
		field.Int("number"),
		field.Time("removed_time").Optional().Nillable(),
		field.String("removed_by_objection").Default(""),
	}
}

func (PublicityEntry) Indexes() []ent.Index {
	return []ent.Index{index.Fields("campaign_id", "rank").Unique(), index.Fields("application_id")}
}

// Objection is an objection to a unit on a publicity list (公示异议): filed by the public
// through the open endpoint, or recorded by office staff from a letter, an e-mail or a call.
// office_id is the campaign's office and scope_path the office's, so only the campaign's
// line reads it; contact is shown to the campaign office's admins alone.
type Objection struct{ ent.Schema }

func (Objection) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Objection) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("campaign_id").Immutable(),
		field.String("unit_id").Immutable(),
		field.String("application_id").Immutable(),
		// reference is what the objector quotes by phone: short, unique, unguessable.
		field.String("reference").Unique().Immutable(),
		field.Enum("channel").Values("PUBLIC_FORM", "LETTER", "EMAIL", "PHONE").Immutable(),
		field.Text("content").Immutable(),
		field.String("name").Default("").Immutable(),
		field.String("contact").Default("").Immutable(),
		field.String("recorded_by").Default("").Immutable(),
		field.Enum("state").Values("RECEIVED", "RESOLVED", "UPHELD").Default("RECEIVED"),
		field.Text("finding").Default(""),
		field.String("handled_by").Default(""),
		field.Time("handle_time").Optional().Nillable(),
	}
}

func (Objection) Indexes() []ent.Index {
	return []ent.Index{index.Fields("campaign_id", "id")}
}

// ReinspectionDecision is an office admin's decision on a reinspected title holder: keep,
// warn or revoke, against what the score proposed. office_id is the campaign's office,
// scope_path the unit's. One per application; never updated or deleted.
type ReinspectionDecision struct{ ent.Schema }

func (ReinspectionDecision) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (ReinspectionDecision) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("campaign_id").Immutable(),
		field.String("application_id").Unique().Immutable(),
		field.String("title_id").Immutable(),
		field.Enum("proposed").Values("KEEP", "WARN", "REVOKE").Immutable(),
		field.Enum("outcome").Values("KEEP", "WARN", "REVOKE").Immutable(),
		field.Text("reason").Immutable(),
		field.String("document_number").Immutable(),
		field.String("decided_by").Immutable(),
		field.Time("create_time").Immutable(),
	}
}

func (ReinspectionDecision) Hooks() []ent.Hook {
	return []ent.Hook{hook.Reject(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)}
}

func (ReinspectionDecision) Indexes() []ent.Index {
	return []ent.Index{index.Fields("campaign_id", "application_id")}
}

// Webhook is an office's subscription to events (docs/notifications.md): a URL, the event
// types it wants, and the secret deliveries are signed with, sealed under the master key.
// Events of the office's subtree reach it.
type Webhook struct{ ent.Schema }

func (Webhook) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (Webhook) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("url"),
		field.JSON("events", []string{}),
		field.Bytes("secret_sealed").Sensitive(),
		field.String("description").Default(""),
		field.Bool("disabled").Default(false),
	}
}

// WebhookDelivery is one event to deliver to one webhook: written in the transaction of the
// change that caused it (the transactional outbox), then delivered by whichever process
// leases it first, retried with backoff for a day. office_id and scope_path are the
// webhook's. attempts_log keeps every attempt.
type WebhookDelivery struct{ ent.Schema }

func (WebhookDelivery) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}} }

func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("webhook_id").Immutable(),
		field.String("event_id").Immutable(),
		field.String("event_type").Immutable(),
		field.Bytes("payload").Immutable(),
		field.Enum("state").Values("PENDING", "DELIVERED", "FAILED").Default("PENDING"),
		field.Int("attempts").Default(0),
		field.Time("next_attempt_time"),
		field.String("lease_owner").Default(""),
		field.Time("lease_until").Optional().Nillable(),
		field.Int("last_status_code").Default(0),
		field.String("last_error").Default(""),
		field.JSON("attempts_log", []jsonvalue.DeliveryAttempt{}).Optional(),
		field.String("redelivery_of").Default("").Immutable(),
		field.Time("create_time").Immutable(),
		field.Time("deliver_time").Optional().Nillable(),
	}
}

func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("state", "next_attempt_time"), index.Fields("webhook_id", "id")}
}

// Reminder is one reminder of one deadline at one offset (a week before the submission
// deadline, the day after a rectification deadline): its key is unique, so however many
// processes find it due, it is sent once. Its notifications and webhook deliveries are
// written in the same transaction.
type Reminder struct{ ent.Schema }

func (Reminder) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (Reminder) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("key").Unique().Immutable(),
		field.String("kind").Immutable(),
		field.String("office_id").Immutable(),
		field.String("resource_type").Immutable(),
		field.String("resource_id").Immutable(),
		field.Time("due_time").Immutable(),
		field.Time("create_time").Immutable(),
	}
}

// Notification is a message in one user's inbox.
type Notification struct{ ent.Schema }

func (Notification) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (Notification) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("user_id").Immutable(),
		field.String("reminder_id").Immutable(),
		field.String("kind").Immutable(),
		field.String("subject").Immutable(),
		field.String("resource_type").Immutable(),
		field.String("resource_id").Immutable(),
		field.Time("due_time").Immutable(),
		field.Time("read_time").Optional().Nillable(),
		field.Time("create_time").Immutable(),
	}
}

func (Notification) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "id"), index.Fields("reminder_id", "user_id").Unique()}
}

// ReminderSetting is an office's reminder offsets, in days before and after a deadline.
// Without a row the defaults hold (7 and 1 days before, 1 day after).
type ReminderSetting struct{ ent.Schema }

func (ReminderSetting) Mixin() []ent.Mixin { return []ent.Mixin{OfficeScoped{}, Versioned{}, Time{}} }

func (ReminderSetting) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.JSON("days_before", []int{}),
		field.JSON("days_after", []int{}),
	}
}

func (ReminderSetting) Indexes() []ent.Index {
	return []ent.Index{index.Fields("office_id").Unique()}
}

// JobLease lets one process at a time run a periodic job (the reminder scan) across
// replicas: the holder until lease_until.
type JobLease struct{ ent.Schema }

func (JobLease) Mixin() []ent.Mixin { return []ent.Mixin{SystemOnly{}} }

func (JobLease) Fields() []ent.Field {
	return []ent.Field{
		id(),
		field.String("owner"),
		field.Time("lease_until"),
	}
}

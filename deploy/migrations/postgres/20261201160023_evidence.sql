-- Create "applications" table
CREATE TABLE "applications" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "campaign_id" character varying NOT NULL, "unit_id" character varying NOT NULL, "unit_office_id" character varying NOT NULL, "state" character varying NOT NULL DEFAULT 'DRAFT', "submit_time" timestamptz NULL, "self_assessment" jsonb NULL, "withdraw_reason" character varying NOT NULL DEFAULT '', "file_bytes" bigint NOT NULL DEFAULT 0, PRIMARY KEY ("id"));
-- Create index "application_campaign_id_id" to table: "applications"
CREATE INDEX "application_campaign_id_id" ON "applications" ("campaign_id", "id");
-- Create index "application_campaign_id_unit_id" to table: "applications"
CREATE UNIQUE INDEX "application_campaign_id_unit_id" ON "applications" ("campaign_id", "unit_id");
-- Create index "application_scope_path" to table: "applications"
CREATE INDEX "application_scope_path" ON "applications" ("scope_path" varchar_pattern_ops);
-- Create index "application_unit_id_id" to table: "applications"
CREATE INDEX "application_unit_id_id" ON "applications" ("unit_id", "id");
-- Create "deadline_extensions" table
CREATE TABLE "deadline_extensions" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "application_id" character varying NOT NULL, "indicator_code" character varying NOT NULL DEFAULT '', "period" character varying NOT NULL DEFAULT '', "due_time" timestamptz NOT NULL, "reason" text NOT NULL, "granted_by" character varying NOT NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "deadlineextension_application_id" to table: "deadline_extensions"
CREATE INDEX "deadlineextension_application_id" ON "deadline_extensions" ("application_id");
-- Create index "deadlineextension_scope_path" to table: "deadline_extensions"
CREATE INDEX "deadlineextension_scope_path" ON "deadline_extensions" ("scope_path" varchar_pattern_ops);
-- Create "evidences" table
CREATE TABLE "evidences" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "application_id" character varying NOT NULL, "indicator_code" character varying NOT NULL, "period" character varying NOT NULL, "state" character varying NOT NULL DEFAULT 'DRAFT', "has_draft" boolean NOT NULL DEFAULT false, "draft_narrative" text NOT NULL DEFAULT '', "draft_value" character varying NOT NULL DEFAULT '', "draft_file_ids" jsonb NULL, "draft_note" text NOT NULL DEFAULT '', "revision_count" bigint NOT NULL DEFAULT 0, "resubmissions" bigint NOT NULL DEFAULT 0, "return_reason" text NOT NULL DEFAULT '', "return_due_time" timestamptz NULL, "locked" boolean NOT NULL DEFAULT false, PRIMARY KEY ("id"));
-- Create index "evidence_application_id_indicator_code_period" to table: "evidences"
CREATE UNIQUE INDEX "evidence_application_id_indicator_code_period" ON "evidences" ("application_id", "indicator_code", "period");
-- Create index "evidence_scope_path" to table: "evidences"
CREATE INDEX "evidence_scope_path" ON "evidences" ("scope_path" varchar_pattern_ops);
-- Create "evidence_files" table
CREATE TABLE "evidence_files" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "application_id" character varying NOT NULL, "campaign_id" character varying NOT NULL, "unit_id" character varying NOT NULL, "name" character varying NOT NULL, "content_type" character varying NOT NULL, "size" bigint NOT NULL, "sha256" character varying NOT NULL, "uploaded_by" character varying NOT NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "evidencefile_application_id_id" to table: "evidence_files"
CREATE INDEX "evidencefile_application_id_id" ON "evidence_files" ("application_id", "id");
-- Create index "evidencefile_scope_path" to table: "evidence_files"
CREATE INDEX "evidencefile_scope_path" ON "evidence_files" ("scope_path" varchar_pattern_ops);
-- Create index "evidencefile_sha256" to table: "evidence_files"
CREATE INDEX "evidencefile_sha256" ON "evidence_files" ("sha256");
-- Create "evidence_revisions" table
CREATE TABLE "evidence_revisions" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "evidence_id" character varying NOT NULL, "application_id" character varying NOT NULL, "number" bigint NOT NULL, "narrative" text NOT NULL, "value" character varying NOT NULL, "file_ids" jsonb NULL, "note" text NOT NULL, "resubmission" boolean NOT NULL, "submitted_by" character varying NOT NULL, "submit_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "evidencerevision_application_id" to table: "evidence_revisions"
CREATE INDEX "evidencerevision_application_id" ON "evidence_revisions" ("application_id");
-- Create index "evidencerevision_evidence_id_number" to table: "evidence_revisions"
CREATE UNIQUE INDEX "evidencerevision_evidence_id_number" ON "evidence_revisions" ("evidence_id", "number");
-- Create index "evidencerevision_scope_path" to table: "evidence_revisions"
CREATE INDEX "evidencerevision_scope_path" ON "evidence_revisions" ("scope_path" varchar_pattern_ops);
-- Create "negative_list_entries" table
CREATE TABLE "negative_list_entries" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "unit_id" character varying NOT NULL, "category" character varying NOT NULL, "description" text NOT NULL, "occurred_on" timestamptz NOT NULL, "effect" character varying NOT NULL, "points" bigint NOT NULL DEFAULT 0, "source_document" character varying NOT NULL, "annul_time" timestamptz NULL, "annul_reason" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- Create index "negativelistentry_scope_path" to table: "negative_list_entries"
CREATE INDEX "negativelistentry_scope_path" ON "negative_list_entries" ("scope_path" varchar_pattern_ops);
-- Create index "negativelistentry_unit_id_occurred_on" to table: "negative_list_entries"
CREATE INDEX "negativelistentry_unit_id_occurred_on" ON "negative_list_entries" ("unit_id", "occurred_on");
-- Create "title_records" table
CREATE TABLE "title_records" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "unit_id" character varying NOT NULL, "level" character varying NOT NULL, "model" boolean NOT NULL DEFAULT false, "term_start" timestamptz NOT NULL, "term_end" timestamptz NULL, "state" character varying NOT NULL DEFAULT 'NAMED', "document_number" character varying NOT NULL, "source" character varying NOT NULL, "campaign_id" character varying NOT NULL DEFAULT '', "moves" jsonb NULL, PRIMARY KEY ("id"));
-- Create index "titlerecord_scope_path" to table: "title_records"
CREATE INDEX "titlerecord_scope_path" ON "title_records" ("scope_path" varchar_pattern_ops);
-- Create index "titlerecord_unit_id_term_start" to table: "title_records"
CREATE INDEX "titlerecord_unit_id_term_start" ON "title_records" ("unit_id", "term_start");

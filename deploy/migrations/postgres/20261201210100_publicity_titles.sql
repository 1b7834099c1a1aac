-- Modify "campaigns" table
ALTER TABLE "campaigns" ADD COLUMN "title_model" boolean NOT NULL DEFAULT false, ADD COLUMN "term_years" bigint NOT NULL DEFAULT 3;
-- Modify "title_records" table
ALTER TABLE "title_records" ADD COLUMN "rectification_deadline" timestamptz NULL, ADD COLUMN "proposed_revocation" character varying NOT NULL DEFAULT '';
-- Create "objections" table
CREATE TABLE "objections" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "campaign_id" character varying NOT NULL, "unit_id" character varying NOT NULL, "application_id" character varying NOT NULL, "reference" character varying NOT NULL, "channel" character varying NOT NULL, "content" text NOT NULL, "name" character varying NOT NULL DEFAULT '', "contact" character varying NOT NULL DEFAULT '', "recorded_by" character varying NOT NULL DEFAULT '', "state" character varying NOT NULL DEFAULT 'RECEIVED', "finding" text NOT NULL DEFAULT '', "handled_by" character varying NOT NULL DEFAULT '', "handle_time" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "objection_campaign_id_id" to table: "objections"
CREATE INDEX "objection_campaign_id_id" ON "objections" ("campaign_id", "id");
-- Create index "objection_scope_path" to table: "objections"
CREATE INDEX "objection_scope_path" ON "objections" ("scope_path" varchar_pattern_ops);
-- Create index "objections_reference_key" to table: "objections"
CREATE UNIQUE INDEX "objections_reference_key" ON "objections" ("reference");
-- Create "publicity_entries" table
CREATE TABLE "publicity_entries" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "campaign_id" character varying NOT NULL, "application_id" character varying NOT NULL, "unit_id" character varying NOT NULL, "unit_display_name" character varying NOT NULL, "unit_office_id" character varying NOT NULL, "unit_office_name" character varying NOT NULL, "unit_category" character varying NOT NULL, "total" bigint NOT NULL, "rank" bigint NOT NULL, "number" bigint NOT NULL, "removed_time" timestamptz NULL, "removed_by_objection" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- Create index "publicityentry_application_id" to table: "publicity_entries"
CREATE INDEX "publicityentry_application_id" ON "publicity_entries" ("application_id");
-- Create index "publicityentry_campaign_id_rank" to table: "publicity_entries"
CREATE UNIQUE INDEX "publicityentry_campaign_id_rank" ON "publicity_entries" ("campaign_id", "rank");
-- Create index "publicityentry_scope_path" to table: "publicity_entries"
CREATE INDEX "publicityentry_scope_path" ON "publicity_entries" ("scope_path" varchar_pattern_ops);

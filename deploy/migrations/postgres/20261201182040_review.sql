-- Modify "applications" table
ALTER TABLE "applications" ADD COLUMN "source_application_id" character varying NOT NULL DEFAULT '';
-- Create "assignments" table
CREATE TABLE "assignments" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "campaign_id" character varying NOT NULL, "application_id" character varying NOT NULL, "unit_id" character varying NOT NULL, "reviewer_id" character varying NOT NULL, "state" character varying NOT NULL DEFAULT 'ASSIGNED', "scores" jsonb NULL, "finalize_time" timestamptz NULL, "reason" text NOT NULL DEFAULT '', "reopen_count" bigint NOT NULL DEFAULT 0, PRIMARY KEY ("id"));
-- Create index "assignment_application_id" to table: "assignments"
CREATE INDEX "assignment_application_id" ON "assignments" ("application_id");
-- Create index "assignment_campaign_id_reviewer_id" to table: "assignments"
CREATE INDEX "assignment_campaign_id_reviewer_id" ON "assignments" ("campaign_id", "reviewer_id");
-- Create index "assignment_reviewer_id_id" to table: "assignments"
CREATE INDEX "assignment_reviewer_id_id" ON "assignments" ("reviewer_id", "id");
-- Create index "assignment_scope_path" to table: "assignments"
CREATE INDEX "assignment_scope_path" ON "assignments" ("scope_path" varchar_pattern_ops);
-- Create "conflicts" table
CREATE TABLE "conflicts" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "reviewer_id" character varying NOT NULL, "unit_id" character varying NOT NULL, "reason" text NOT NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "conflict_reviewer_id_unit_id" to table: "conflicts"
CREATE UNIQUE INDEX "conflict_reviewer_id_unit_id" ON "conflicts" ("reviewer_id", "unit_id");
-- Create index "conflict_scope_path" to table: "conflicts"
CREATE INDEX "conflict_scope_path" ON "conflicts" ("scope_path" varchar_pattern_ops);
-- Create "results" table
CREATE TABLE "results" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "campaign_id" character varying NOT NULL, "unit_id" character varying NOT NULL, "unit_office_id" character varying NOT NULL, "unit_display_name" character varying NOT NULL, "unit_category" character varying NOT NULL, "total" bigint NOT NULL, "base" bigint NOT NULL, "bonus" bigint NOT NULL, "deductions" bigint NOT NULL, "vetoed" boolean NOT NULL, "state" character varying NOT NULL, "sort_key" bytea NOT NULL, "submit_time" timestamptz NOT NULL, "detail" bytea NOT NULL, PRIMARY KEY ("id"));
-- Create index "result_campaign_id_sort_key" to table: "results"
CREATE UNIQUE INDEX "result_campaign_id_sort_key" ON "results" ("campaign_id", "sort_key");
-- Create index "result_scope_path" to table: "results"
CREATE INDEX "result_scope_path" ON "results" ("scope_path" varchar_pattern_ops);
-- Create "spot_checks" table
CREATE TABLE "spot_checks" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "application_id" character varying NOT NULL, "indicator_code" character varying NOT NULL, "period" character varying NOT NULL DEFAULT '', "finding" text NOT NULL, "veto" boolean NOT NULL, "checked_by" character varying NOT NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "spotcheck_application_id_id" to table: "spot_checks"
CREATE INDEX "spotcheck_application_id_id" ON "spot_checks" ("application_id", "id");
-- Create index "spotcheck_scope_path" to table: "spot_checks"
CREATE INDEX "spotcheck_scope_path" ON "spot_checks" ("scope_path" varchar_pattern_ops);
-- Create "veto_decisions" table
CREATE TABLE "veto_decisions" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "application_id" character varying NOT NULL, "indicator_code" character varying NOT NULL, "confirmed" boolean NOT NULL, "reason" text NOT NULL, "decided_by" character varying NOT NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "vetodecision_application_id_id" to table: "veto_decisions"
CREATE INDEX "vetodecision_application_id_id" ON "veto_decisions" ("application_id", "id");
-- Create index "vetodecision_scope_path" to table: "veto_decisions"
CREATE INDEX "vetodecision_scope_path" ON "veto_decisions" ("scope_path" varchar_pattern_ops);

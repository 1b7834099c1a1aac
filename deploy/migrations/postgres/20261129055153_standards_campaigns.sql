-- Create "campaigns" table
CREATE TABLE "campaigns" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "standard_id" character varying NOT NULL, "year" bigint NOT NULL, "target_level" character varying NOT NULL, "display_name" character varying NOT NULL, "state" character varying NOT NULL DEFAULT 'DRAFT', "application_start" timestamptz NULL, "application_end" timestamptz NULL, "submission_start" timestamptz NULL, "submission_end" timestamptz NULL, "review_start" timestamptz NULL, "review_end" timestamptz NULL, "publicity_start" timestamptz NULL, "publicity_end" timestamptz NULL, "quota_count" bigint NULL, "quota_percent" bigint NULL, "pass_line" bigint NULL, "required_title_level" character varying NOT NULL DEFAULT '', "lookback_months" bigint NOT NULL DEFAULT 24, "max_resubmissions" bigint NOT NULL DEFAULT 1, "reviewers_per_application" bigint NOT NULL DEFAULT 3, "parent_campaign_id" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- Create index "campaign_office_id_id" to table: "campaigns"
CREATE INDEX "campaign_office_id_id" ON "campaigns" ("office_id", "id");
-- Create index "campaign_scope_path" to table: "campaigns"
CREATE INDEX "campaign_scope_path" ON "campaigns" ("scope_path");
-- Create index "campaign_scope_path_year" to table: "campaigns"
CREATE INDEX "campaign_scope_path_year" ON "campaigns" ("scope_path", "year");
-- Create "standards" table
CREATE TABLE "standards" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "code" character varying NOT NULL, "display_name" character varying NOT NULL, "number" bigint NOT NULL DEFAULT 1, "state" character varying NOT NULL DEFAULT 'DRAFT', "base_points" bigint NOT NULL DEFAULT 0, "bonus_cap" bigint NOT NULL DEFAULT 0, "grade_scale" jsonb NULL, "aggregation" character varying NOT NULL DEFAULT 'MEAN', "indicators" bytea NULL, "content_hash" character varying NOT NULL DEFAULT '', "publish_time" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "standard_office_id_code_number" to table: "standards"
CREATE UNIQUE INDEX "standard_office_id_code_number" ON "standards" ("office_id", "code", "number");
-- Create index "standard_office_id_id" to table: "standards"
CREATE INDEX "standard_office_id_id" ON "standards" ("office_id", "id");
-- Create index "standard_scope_path" to table: "standards"
CREATE INDEX "standard_scope_path" ON "standards" ("scope_path");

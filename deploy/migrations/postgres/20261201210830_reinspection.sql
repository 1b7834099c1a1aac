-- Modify "campaigns" table
ALTER TABLE "campaigns" ADD COLUMN "kind" character varying NOT NULL DEFAULT 'SELECTION', ADD COLUMN "keep_line" bigint NULL, ADD COLUMN "warn_line" bigint NULL;
-- Create "reinspection_decisions" table
CREATE TABLE "reinspection_decisions" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "campaign_id" character varying NOT NULL, "application_id" character varying NOT NULL, "title_id" character varying NOT NULL, "proposed" character varying NOT NULL, "outcome" character varying NOT NULL, "reason" text NOT NULL, "document_number" character varying NOT NULL, "decided_by" character varying NOT NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "reinspection_decisions_application_id_key" to table: "reinspection_decisions"
CREATE UNIQUE INDEX "reinspection_decisions_application_id_key" ON "reinspection_decisions" ("application_id");
-- Create index "reinspectiondecision_campaign_id_application_id" to table: "reinspection_decisions"
CREATE INDEX "reinspectiondecision_campaign_id_application_id" ON "reinspection_decisions" ("campaign_id", "application_id");
-- Create index "reinspectiondecision_scope_path" to table: "reinspection_decisions"
CREATE INDEX "reinspectiondecision_scope_path" ON "reinspection_decisions" ("scope_path" varchar_pattern_ops);

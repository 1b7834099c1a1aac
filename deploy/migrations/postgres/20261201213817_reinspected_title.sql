-- Modify "applications" table
ALTER TABLE "applications" ADD COLUMN "reinspected_title_id" character varying NOT NULL DEFAULT '';

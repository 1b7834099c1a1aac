-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_applications" table
CREATE TABLE `new_applications` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `campaign_id` text NOT NULL, `unit_id` text NOT NULL, `unit_office_id` text NOT NULL, `state` text NOT NULL DEFAULT ('DRAFT'), `submit_time` datetime NULL, `self_assessment` json NULL, `withdraw_reason` text NOT NULL DEFAULT (''), `file_bytes` integer NOT NULL DEFAULT (0), `source_application_id` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Copy rows from old table "applications" to new temporary table "new_applications"
INSERT INTO `new_applications` (`id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `campaign_id`, `unit_id`, `unit_office_id`, `state`, `submit_time`, `self_assessment`, `withdraw_reason`, `file_bytes`) SELECT `id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `campaign_id`, `unit_id`, `unit_office_id`, `state`, `submit_time`, `self_assessment`, `withdraw_reason`, `file_bytes` FROM `applications`;
-- Drop "applications" table after copying rows
DROP TABLE `applications`;
-- Rename temporary table "new_applications" to "applications"
ALTER TABLE `new_applications` RENAME TO `applications`;
-- Create index "application_scope_path" to table: "applications"
CREATE INDEX `application_scope_path` ON `applications` (`scope_path`);
-- Create index "application_campaign_id_unit_id" to table: "applications"
CREATE UNIQUE INDEX `application_campaign_id_unit_id` ON `applications` (`campaign_id`, `unit_id`);
-- Create index "application_campaign_id_id" to table: "applications"
CREATE INDEX `application_campaign_id_id` ON `applications` (`campaign_id`, `id`);
-- Create index "application_unit_id_id" to table: "applications"
CREATE INDEX `application_unit_id_id` ON `applications` (`unit_id`, `id`);
-- Create "assignments" table
CREATE TABLE `assignments` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `campaign_id` text NOT NULL, `application_id` text NOT NULL, `unit_id` text NOT NULL, `reviewer_id` text NOT NULL, `state` text NOT NULL DEFAULT ('ASSIGNED'), `scores` json NULL, `finalize_time` datetime NULL, `reason` text NOT NULL DEFAULT (''), `reopen_count` integer NOT NULL DEFAULT (0), PRIMARY KEY (`id`));
-- Create index "assignment_scope_path" to table: "assignments"
CREATE INDEX `assignment_scope_path` ON `assignments` (`scope_path`);
-- Create index "assignment_application_id" to table: "assignments"
CREATE INDEX `assignment_application_id` ON `assignments` (`application_id`);
-- Create index "assignment_reviewer_id_id" to table: "assignments"
CREATE INDEX `assignment_reviewer_id_id` ON `assignments` (`reviewer_id`, `id`);
-- Create index "assignment_campaign_id_reviewer_id" to table: "assignments"
CREATE INDEX `assignment_campaign_id_reviewer_id` ON `assignments` (`campaign_id`, `reviewer_id`);
-- Create "conflicts" table
CREATE TABLE `conflicts` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `reviewer_id` text NOT NULL, `unit_id` text NOT NULL, `reason` text NOT NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "conflict_scope_path" to table: "conflicts"
CREATE INDEX `conflict_scope_path` ON `conflicts` (`scope_path`);
-- Create index "conflict_reviewer_id_unit_id" to table: "conflicts"
CREATE UNIQUE INDEX `conflict_reviewer_id_unit_id` ON `conflicts` (`reviewer_id`, `unit_id`);
-- Create "results" table
CREATE TABLE `results` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `campaign_id` text NOT NULL, `unit_id` text NOT NULL, `unit_office_id` text NOT NULL, `unit_display_name` text NOT NULL, `unit_category` text NOT NULL, `total` integer NOT NULL, `base` integer NOT NULL, `bonus` integer NOT NULL, `deductions` integer NOT NULL, `vetoed` bool NOT NULL, `state` text NOT NULL, `sort_key` blob NOT NULL, `submit_time` datetime NOT NULL, `detail` blob NOT NULL, PRIMARY KEY (`id`));
-- Create index "result_scope_path" to table: "results"
CREATE INDEX `result_scope_path` ON `results` (`scope_path`);
-- Create index "result_campaign_id_sort_key" to table: "results"
CREATE UNIQUE INDEX `result_campaign_id_sort_key` ON `results` (`campaign_id`, `sort_key`);
-- Create "spot_checks" table
CREATE TABLE `spot_checks` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `application_id` text NOT NULL, `indicator_code` text NOT NULL, `period` text NOT NULL DEFAULT (''), `finding` text NOT NULL, `veto` bool NOT NULL, `checked_by` text NOT NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "spotcheck_scope_path" to table: "spot_checks"
CREATE INDEX `spotcheck_scope_path` ON `spot_checks` (`scope_path`);
-- Create index "spotcheck_application_id_id" to table: "spot_checks"
CREATE INDEX `spotcheck_application_id_id` ON `spot_checks` (`application_id`, `id`);
-- Create "veto_decisions" table
CREATE TABLE `veto_decisions` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `application_id` text NOT NULL, `indicator_code` text NOT NULL, `confirmed` bool NOT NULL, `reason` text NOT NULL, `decided_by` text NOT NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "vetodecision_scope_path" to table: "veto_decisions"
CREATE INDEX `vetodecision_scope_path` ON `veto_decisions` (`scope_path`);
-- Create index "vetodecision_application_id_id" to table: "veto_decisions"
CREATE INDEX `vetodecision_application_id_id` ON `veto_decisions` (`application_id`, `id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

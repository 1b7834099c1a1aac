-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_applications" table
CREATE TABLE `new_applications` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `campaign_id` text NOT NULL, `unit_id` text NOT NULL, `unit_office_id` text NOT NULL, `state` text NOT NULL DEFAULT ('DRAFT'), `submit_time` datetime NULL, `self_assessment` json NULL, `withdraw_reason` text NOT NULL DEFAULT (''), `file_bytes` integer NOT NULL DEFAULT (0), `source_application_id` text NOT NULL DEFAULT (''), `reinspected_title_id` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Copy rows from old table "applications" to new temporary table "new_applications"
INSERT INTO `new_applications` (`id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `campaign_id`, `unit_id`, `unit_office_id`, `state`, `submit_time`, `self_assessment`, `withdraw_reason`, `file_bytes`, `source_application_id`) SELECT `id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `campaign_id`, `unit_id`, `unit_office_id`, `state`, `submit_time`, `self_assessment`, `withdraw_reason`, `file_bytes`, `source_application_id` FROM `applications`;
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
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

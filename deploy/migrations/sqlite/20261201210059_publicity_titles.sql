-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_campaigns" table
CREATE TABLE `new_campaigns` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `standard_id` text NOT NULL, `year` integer NOT NULL, `target_level` text NOT NULL, `display_name` text NOT NULL, `state` text NOT NULL DEFAULT ('DRAFT'), `application_start` datetime NULL, `application_end` datetime NULL, `submission_start` datetime NULL, `submission_end` datetime NULL, `review_start` datetime NULL, `review_end` datetime NULL, `publicity_start` datetime NULL, `publicity_end` datetime NULL, `quota_count` integer NULL, `quota_percent` integer NULL, `pass_line` integer NULL, `required_title_level` text NOT NULL DEFAULT (''), `lookback_months` integer NOT NULL DEFAULT (24), `max_resubmissions` integer NOT NULL DEFAULT (1), `reviewers_per_application` integer NOT NULL DEFAULT (3), `parent_campaign_id` text NOT NULL DEFAULT (''), `title_model` bool NOT NULL DEFAULT (false), `term_years` integer NOT NULL DEFAULT (3), PRIMARY KEY (`id`));
-- Copy rows from old table "campaigns" to new temporary table "new_campaigns"
INSERT INTO `new_campaigns` (`id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `standard_id`, `year`, `target_level`, `display_name`, `state`, `application_start`, `application_end`, `submission_start`, `submission_end`, `review_start`, `review_end`, `publicity_start`, `publicity_end`, `quota_count`, `quota_percent`, `pass_line`, `required_title_level`, `lookback_months`, `max_resubmissions`, `reviewers_per_application`, `parent_campaign_id`) SELECT `id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `standard_id`, `year`, `target_level`, `display_name`, `state`, `application_start`, `application_end`, `submission_start`, `submission_end`, `review_start`, `review_end`, `publicity_start`, `publicity_end`, `quota_count`, `quota_percent`, `pass_line`, `required_title_level`, `lookback_months`, `max_resubmissions`, `reviewers_per_application`, `parent_campaign_id` FROM `campaigns`;
-- Drop "campaigns" table after copying rows
DROP TABLE `campaigns`;
-- Rename temporary table "new_campaigns" to "campaigns"
ALTER TABLE `new_campaigns` RENAME TO `campaigns`;
-- Create index "campaign_scope_path" to table: "campaigns"
CREATE INDEX `campaign_scope_path` ON `campaigns` (`scope_path`);
-- Create index "campaign_office_id_id" to table: "campaigns"
CREATE INDEX `campaign_office_id_id` ON `campaigns` (`office_id`, `id`);
-- Create index "campaign_scope_path_year" to table: "campaigns"
CREATE INDEX `campaign_scope_path_year` ON `campaigns` (`scope_path`, `year`);
-- Create "new_title_records" table
CREATE TABLE `new_title_records` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `unit_id` text NOT NULL, `level` text NOT NULL, `model` bool NOT NULL DEFAULT (false), `term_start` datetime NOT NULL, `term_end` datetime NULL, `state` text NOT NULL DEFAULT ('NAMED'), `document_number` text NOT NULL, `source` text NOT NULL, `campaign_id` text NOT NULL DEFAULT (''), `moves` json NULL, `rectification_deadline` datetime NULL, `proposed_revocation` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Copy rows from old table "title_records" to new temporary table "new_title_records"
INSERT INTO `new_title_records` (`id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `unit_id`, `level`, `model`, `term_start`, `term_end`, `state`, `document_number`, `source`, `campaign_id`, `moves`) SELECT `id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `unit_id`, `level`, `model`, `term_start`, `term_end`, `state`, `document_number`, `source`, `campaign_id`, `moves` FROM `title_records`;
-- Drop "title_records" table after copying rows
DROP TABLE `title_records`;
-- Rename temporary table "new_title_records" to "title_records"
ALTER TABLE `new_title_records` RENAME TO `title_records`;
-- Create index "titlerecord_scope_path" to table: "title_records"
CREATE INDEX `titlerecord_scope_path` ON `title_records` (`scope_path`);
-- Create index "titlerecord_unit_id_term_start" to table: "title_records"
CREATE INDEX `titlerecord_unit_id_term_start` ON `title_records` (`unit_id`, `term_start`);
-- Create "objections" table
CREATE TABLE `objections` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `campaign_id` text NOT NULL, `unit_id` text NOT NULL, `application_id` text NOT NULL, `reference` text NOT NULL, `channel` text NOT NULL, `content` text NOT NULL, `name` text NOT NULL DEFAULT (''), `contact` text NOT NULL DEFAULT (''), `recorded_by` text NOT NULL DEFAULT (''), `state` text NOT NULL DEFAULT ('RECEIVED'), `finding` text NOT NULL DEFAULT (''), `handled_by` text NOT NULL DEFAULT (''), `handle_time` datetime NULL, PRIMARY KEY (`id`));
-- Create index "objections_reference_key" to table: "objections"
CREATE UNIQUE INDEX `objections_reference_key` ON `objections` (`reference`);
-- Create index "objection_scope_path" to table: "objections"
CREATE INDEX `objection_scope_path` ON `objections` (`scope_path`);
-- Create index "objection_campaign_id_id" to table: "objections"
CREATE INDEX `objection_campaign_id_id` ON `objections` (`campaign_id`, `id`);
-- Create "publicity_entries" table
CREATE TABLE `publicity_entries` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `campaign_id` text NOT NULL, `application_id` text NOT NULL, `unit_id` text NOT NULL, `unit_display_name` text NOT NULL, `unit_office_id` text NOT NULL, `unit_office_name` text NOT NULL, `unit_category` text NOT NULL, `total` integer NOT NULL, `rank` integer NOT NULL, `number` integer NOT NULL, `removed_time` datetime NULL, `removed_by_objection` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Create index "publicityentry_scope_path" to table: "publicity_entries"
CREATE INDEX `publicityentry_scope_path` ON `publicity_entries` (`scope_path`);
-- Create index "publicityentry_campaign_id_rank" to table: "publicity_entries"
CREATE UNIQUE INDEX `publicityentry_campaign_id_rank` ON `publicity_entries` (`campaign_id`, `rank`);
-- Create index "publicityentry_application_id" to table: "publicity_entries"
CREATE INDEX `publicityentry_application_id` ON `publicity_entries` (`application_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

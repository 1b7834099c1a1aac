-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_campaigns" table
CREATE TABLE `new_campaigns` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `standard_id` text NOT NULL, `year` integer NOT NULL, `target_level` text NOT NULL, `display_name` text NOT NULL, `state` text NOT NULL DEFAULT ('DRAFT'), `application_start` datetime NULL, `application_end` datetime NULL, `submission_start` datetime NULL, `submission_end` datetime NULL, `review_start` datetime NULL, `review_end` datetime NULL, `publicity_start` datetime NULL, `publicity_end` datetime NULL, `quota_count` integer NULL, `quota_percent` integer NULL, `pass_line` integer NULL, `required_title_level` text NOT NULL DEFAULT (''), `lookback_months` integer NOT NULL DEFAULT (24), `max_resubmissions` integer NOT NULL DEFAULT (1), `reviewers_per_application` integer NOT NULL DEFAULT (3), `parent_campaign_id` text NOT NULL DEFAULT (''), `title_model` bool NOT NULL DEFAULT (false), `term_years` integer NOT NULL DEFAULT (3), `kind` text NOT NULL DEFAULT ('SELECTION'), `keep_line` integer NULL, `warn_line` integer NULL, PRIMARY KEY (`id`));
-- Copy rows from old table "campaigns" to new temporary table "new_campaigns"
INSERT INTO `new_campaigns` (`id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `standard_id`, `year`, `target_level`, `display_name`, `state`, `application_start`, `application_end`, `submission_start`, `submission_end`, `review_start`, `review_end`, `publicity_start`, `publicity_end`, `quota_count`, `quota_percent`, `pass_line`, `required_title_level`, `lookback_months`, `max_resubmissions`, `reviewers_per_application`, `parent_campaign_id`, `title_model`, `term_years`) SELECT `id`, `office_id`, `scope_path`, `version`, `create_time`, `update_time`, `standard_id`, `year`, `target_level`, `display_name`, `state`, `application_start`, `application_end`, `submission_start`, `submission_end`, `review_start`, `review_end`, `publicity_start`, `publicity_end`, `quota_count`, `quota_percent`, `pass_line`, `required_title_level`, `lookback_months`, `max_resubmissions`, `reviewers_per_application`, `parent_campaign_id`, `title_model`, `term_years` FROM `campaigns`;
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
-- Create "reinspection_decisions" table
CREATE TABLE `reinspection_decisions` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `campaign_id` text NOT NULL, `application_id` text NOT NULL, `title_id` text NOT NULL, `proposed` text NOT NULL, `outcome` text NOT NULL, `reason` text NOT NULL, `document_number` text NOT NULL, `decided_by` text NOT NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "reinspection_decisions_application_id_key" to table: "reinspection_decisions"
CREATE UNIQUE INDEX `reinspection_decisions_application_id_key` ON `reinspection_decisions` (`application_id`);
-- Create index "reinspectiondecision_scope_path" to table: "reinspection_decisions"
CREATE INDEX `reinspectiondecision_scope_path` ON `reinspection_decisions` (`scope_path`);
-- Create index "reinspectiondecision_campaign_id_application_id" to table: "reinspection_decisions"
CREATE INDEX `reinspectiondecision_campaign_id_application_id` ON `reinspection_decisions` (`campaign_id`, `application_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

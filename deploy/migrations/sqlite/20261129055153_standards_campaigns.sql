-- Create "campaigns" table
CREATE TABLE `campaigns` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `standard_id` text NOT NULL, `year` integer NOT NULL, `target_level` text NOT NULL, `display_name` text NOT NULL, `state` text NOT NULL DEFAULT ('DRAFT'), `application_start` datetime NULL, `application_end` datetime NULL, `submission_start` datetime NULL, `submission_end` datetime NULL, `review_start` datetime NULL, `review_end` datetime NULL, `publicity_start` datetime NULL, `publicity_end` datetime NULL, `quota_count` integer NULL, `quota_percent` integer NULL, `pass_line` integer NULL, `required_title_level` text NOT NULL DEFAULT (''), `lookback_months` integer NOT NULL DEFAULT (24), `max_resubmissions` integer NOT NULL DEFAULT (1), `reviewers_per_application` integer NOT NULL DEFAULT (3), `parent_campaign_id` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Create index "campaign_scope_path" to table: "campaigns"
CREATE INDEX `campaign_scope_path` ON `campaigns` (`scope_path`);
-- Create index "campaign_office_id_id" to table: "campaigns"
CREATE INDEX `campaign_office_id_id` ON `campaigns` (`office_id`, `id`);
-- Create index "campaign_scope_path_year" to table: "campaigns"
CREATE INDEX `campaign_scope_path_year` ON `campaigns` (`scope_path`, `year`);
-- Create "standards" table
CREATE TABLE `standards` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `code` text NOT NULL, `display_name` text NOT NULL, `number` integer NOT NULL DEFAULT (1), `state` text NOT NULL DEFAULT ('DRAFT'), `base_points` integer NOT NULL DEFAULT (0), `bonus_cap` integer NOT NULL DEFAULT (0), `grade_scale` json NULL, `aggregation` text NOT NULL DEFAULT ('MEAN'), `indicators` blob NULL, `content_hash` text NOT NULL DEFAULT (''), `publish_time` datetime NULL, PRIMARY KEY (`id`));
-- Create index "standard_scope_path" to table: "standards"
CREATE INDEX `standard_scope_path` ON `standards` (`scope_path`);
-- Create index "standard_office_id_id" to table: "standards"
CREATE INDEX `standard_office_id_id` ON `standards` (`office_id`, `id`);
-- Create index "standard_office_id_code_number" to table: "standards"
CREATE UNIQUE INDEX `standard_office_id_code_number` ON `standards` (`office_id`, `code`, `number`);

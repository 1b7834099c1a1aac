-- Create "applications" table
CREATE TABLE `applications` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `campaign_id` text NOT NULL, `unit_id` text NOT NULL, `unit_office_id` text NOT NULL, `state` text NOT NULL DEFAULT ('DRAFT'), `submit_time` datetime NULL, `self_assessment` json NULL, `withdraw_reason` text NOT NULL DEFAULT (''), `file_bytes` integer NOT NULL DEFAULT (0), PRIMARY KEY (`id`));
-- Create index "application_scope_path" to table: "applications"
CREATE INDEX `application_scope_path` ON `applications` (`scope_path`);
-- Create index "application_campaign_id_unit_id" to table: "applications"
CREATE UNIQUE INDEX `application_campaign_id_unit_id` ON `applications` (`campaign_id`, `unit_id`);
-- Create index "application_campaign_id_id" to table: "applications"
CREATE INDEX `application_campaign_id_id` ON `applications` (`campaign_id`, `id`);
-- Create index "application_unit_id_id" to table: "applications"
CREATE INDEX `application_unit_id_id` ON `applications` (`unit_id`, `id`);
-- Create "deadline_extensions" table
CREATE TABLE `deadline_extensions` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `application_id` text NOT NULL, `indicator_code` text NOT NULL DEFAULT (''), `period` text NOT NULL DEFAULT (''), `due_time` datetime NOT NULL, `reason` text NOT NULL, `granted_by` text NOT NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "deadlineextension_scope_path" to table: "deadline_extensions"
CREATE INDEX `deadlineextension_scope_path` ON `deadline_extensions` (`scope_path`);
-- Create index "deadlineextension_application_id" to table: "deadline_extensions"
CREATE INDEX `deadlineextension_application_id` ON `deadline_extensions` (`application_id`);
-- Create "evidences" table
CREATE TABLE `evidences` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `application_id` text NOT NULL, `indicator_code` text NOT NULL, `period` text NOT NULL, `state` text NOT NULL DEFAULT ('DRAFT'), `has_draft` bool NOT NULL DEFAULT (false), `draft_narrative` text NOT NULL DEFAULT (''), `draft_value` text NOT NULL DEFAULT (''), `draft_file_ids` json NULL, `draft_note` text NOT NULL DEFAULT (''), `revision_count` integer NOT NULL DEFAULT (0), `resubmissions` integer NOT NULL DEFAULT (0), `return_reason` text NOT NULL DEFAULT (''), `return_due_time` datetime NULL, `locked` bool NOT NULL DEFAULT (false), PRIMARY KEY (`id`));
-- Create index "evidence_scope_path" to table: "evidences"
CREATE INDEX `evidence_scope_path` ON `evidences` (`scope_path`);
-- Create index "evidence_application_id_indicator_code_period" to table: "evidences"
CREATE UNIQUE INDEX `evidence_application_id_indicator_code_period` ON `evidences` (`application_id`, `indicator_code`, `period`);
-- Create "evidence_files" table
CREATE TABLE `evidence_files` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `application_id` text NOT NULL, `campaign_id` text NOT NULL, `unit_id` text NOT NULL, `name` text NOT NULL, `content_type` text NOT NULL, `size` integer NOT NULL, `sha256` text NOT NULL, `uploaded_by` text NOT NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "evidencefile_scope_path" to table: "evidence_files"
CREATE INDEX `evidencefile_scope_path` ON `evidence_files` (`scope_path`);
-- Create index "evidencefile_application_id_id" to table: "evidence_files"
CREATE INDEX `evidencefile_application_id_id` ON `evidence_files` (`application_id`, `id`);
-- Create index "evidencefile_sha256" to table: "evidence_files"
CREATE INDEX `evidencefile_sha256` ON `evidence_files` (`sha256`);
-- Create "evidence_revisions" table
CREATE TABLE `evidence_revisions` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `evidence_id` text NOT NULL, `application_id` text NOT NULL, `number` integer NOT NULL, `narrative` text NOT NULL, `value` text NOT NULL, `file_ids` json NULL, `note` text NOT NULL, `resubmission` bool NOT NULL, `submitted_by` text NOT NULL, `submit_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "evidencerevision_scope_path" to table: "evidence_revisions"
CREATE INDEX `evidencerevision_scope_path` ON `evidence_revisions` (`scope_path`);
-- Create index "evidencerevision_evidence_id_number" to table: "evidence_revisions"
CREATE UNIQUE INDEX `evidencerevision_evidence_id_number` ON `evidence_revisions` (`evidence_id`, `number`);
-- Create index "evidencerevision_application_id" to table: "evidence_revisions"
CREATE INDEX `evidencerevision_application_id` ON `evidence_revisions` (`application_id`);
-- Create "negative_list_entries" table
CREATE TABLE `negative_list_entries` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `unit_id` text NOT NULL, `category` text NOT NULL, `description` text NOT NULL, `occurred_on` datetime NOT NULL, `effect` text NOT NULL, `points` integer NOT NULL DEFAULT (0), `source_document` text NOT NULL, `annul_time` datetime NULL, `annul_reason` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Create index "negativelistentry_scope_path" to table: "negative_list_entries"
CREATE INDEX `negativelistentry_scope_path` ON `negative_list_entries` (`scope_path`);
-- Create index "negativelistentry_unit_id_occurred_on" to table: "negative_list_entries"
CREATE INDEX `negativelistentry_unit_id_occurred_on` ON `negative_list_entries` (`unit_id`, `occurred_on`);
-- Create "title_records" table
CREATE TABLE `title_records` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `unit_id` text NOT NULL, `level` text NOT NULL, `model` bool NOT NULL DEFAULT (false), `term_start` datetime NOT NULL, `term_end` datetime NULL, `state` text NOT NULL DEFAULT ('NAMED'), `document_number` text NOT NULL, `source` text NOT NULL, `campaign_id` text NOT NULL DEFAULT (''), `moves` json NULL, PRIMARY KEY (`id`));
-- Create index "titlerecord_scope_path" to table: "title_records"
CREATE INDEX `titlerecord_scope_path` ON `title_records` (`scope_path`);
-- Create index "titlerecord_unit_id_term_start" to table: "title_records"
CREATE INDEX `titlerecord_unit_id_term_start` ON `title_records` (`unit_id`, `term_start`);

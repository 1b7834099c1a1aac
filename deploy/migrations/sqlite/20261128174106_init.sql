-- Create "audit_events" table
CREATE TABLE `audit_events` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `sequence` integer NOT NULL, `actor` text NOT NULL, `action` text NOT NULL, `resource_type` text NOT NULL, `resource_id` text NOT NULL, `before` text NOT NULL DEFAULT (''), `after` text NOT NULL DEFAULT (''), `request_id` text NOT NULL DEFAULT (''), `create_time` datetime NOT NULL, `prev_hash` text NOT NULL, `hash` text NOT NULL, PRIMARY KEY (`id`));
-- Create index "auditevent_scope_path" to table: "audit_events"
CREATE INDEX `auditevent_scope_path` ON `audit_events` (`scope_path`);
-- Create index "auditevent_office_id_sequence" to table: "audit_events"
CREATE UNIQUE INDEX `auditevent_office_id_sequence` ON `audit_events` (`office_id`, `sequence`);
-- Create "offices" table
CREATE TABLE `offices` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `parent_id` text NULL, `display_name` text NOT NULL, `level` text NOT NULL, `region_code` text NOT NULL, `time_zone` text NOT NULL DEFAULT ('Asia/Shanghai'), PRIMARY KEY (`id`));
-- Create index "office_scope_path" to table: "offices"
CREATE INDEX `office_scope_path` ON `offices` (`scope_path`);
-- Create index "office_parent_id_id" to table: "offices"
CREATE INDEX `office_parent_id_id` ON `offices` (`parent_id`, `id`);
-- Create "refresh_tokens" table
CREATE TABLE `refresh_tokens` (`id` text NOT NULL, `token_hash` text NOT NULL, `family_id` text NOT NULL, `user_id` text NOT NULL, `create_time` datetime NOT NULL, `expire_time` datetime NOT NULL, `rotate_time` datetime NULL, `revoke_time` datetime NULL, PRIMARY KEY (`id`));
-- Create index "refresh_tokens_token_hash_key" to table: "refresh_tokens"
CREATE UNIQUE INDEX `refresh_tokens_token_hash_key` ON `refresh_tokens` (`token_hash`);
-- Create index "refreshtoken_family_id" to table: "refresh_tokens"
CREATE INDEX `refreshtoken_family_id` ON `refresh_tokens` (`family_id`);
-- Create index "refreshtoken_user_id" to table: "refresh_tokens"
CREATE INDEX `refreshtoken_user_id` ON `refresh_tokens` (`user_id`);
-- Create "revocations" table
CREATE TABLE `revocations` (`id` text NOT NULL, `kind` text NOT NULL, `value` text NOT NULL, `create_time` datetime NOT NULL, `expire_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "revocation_create_time" to table: "revocations"
CREATE INDEX `revocation_create_time` ON `revocations` (`create_time`);
-- Create "service_accounts" table
CREATE TABLE `service_accounts` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `display_name` text NOT NULL, `client_id` text NOT NULL, `secret_hash` text NOT NULL, `roles` json NOT NULL, `disabled` bool NOT NULL DEFAULT (false), PRIMARY KEY (`id`));
-- Create index "service_accounts_client_id_key" to table: "service_accounts"
CREATE UNIQUE INDEX `service_accounts_client_id_key` ON `service_accounts` (`client_id`);
-- Create index "serviceaccount_scope_path" to table: "service_accounts"
CREATE INDEX `serviceaccount_scope_path` ON `service_accounts` (`scope_path`);
-- Create "settings" table
CREATE TABLE `settings` (`id` text NOT NULL, `value` blob NOT NULL, PRIMARY KEY (`id`));
-- Create "signing_keys" table
CREATE TABLE `signing_keys` (`id` text NOT NULL, `private_key` blob NOT NULL, `public_key` blob NOT NULL, `create_time` datetime NOT NULL, `retire_time` datetime NULL, PRIMARY KEY (`id`));
-- Create "units" table
CREATE TABLE `units` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `display_name` text NOT NULL, `credit_code` text NOT NULL, `category` text NOT NULL, `title_level` text NULL, `title_model` bool NOT NULL DEFAULT (false), `title_term_start` datetime NULL, `title_term_end` datetime NULL, `title_state` text NULL, PRIMARY KEY (`id`));
-- Create index "units_credit_code_key" to table: "units"
CREATE UNIQUE INDEX `units_credit_code_key` ON `units` (`credit_code`);
-- Create index "unit_scope_path" to table: "units"
CREATE INDEX `unit_scope_path` ON `units` (`scope_path`);
-- Create index "unit_office_id_id" to table: "units"
CREATE INDEX `unit_office_id_id` ON `units` (`office_id`, `id`);
-- Create "users" table
CREATE TABLE `users` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `login` text NOT NULL, `display_name` text NOT NULL DEFAULT (''), `password_hash` text NOT NULL, `unit_id` text NULL, `roles` json NOT NULL, `disabled` bool NOT NULL DEFAULT (false), `platform` bool NOT NULL DEFAULT (false), PRIMARY KEY (`id`));
-- Create index "users_login_key" to table: "users"
CREATE UNIQUE INDEX `users_login_key` ON `users` (`login`);
-- Create index "user_scope_path" to table: "users"
CREATE INDEX `user_scope_path` ON `users` (`scope_path`);
-- Create index "user_office_id_id" to table: "users"
CREATE INDEX `user_office_id_id` ON `users` (`office_id`, `id`);
-- Create index "user_unit_id_id" to table: "users"
CREATE INDEX `user_unit_id_id` ON `users` (`unit_id`, `id`);

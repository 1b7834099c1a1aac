-- Create "job_leases" table
CREATE TABLE `job_leases` (`id` text NOT NULL, `owner` text NOT NULL, `lease_until` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create "notifications" table
CREATE TABLE `notifications` (`id` text NOT NULL, `user_id` text NOT NULL, `reminder_id` text NOT NULL, `kind` text NOT NULL, `subject` text NOT NULL, `resource_type` text NOT NULL, `resource_id` text NOT NULL, `due_time` datetime NOT NULL, `read_time` datetime NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "notification_user_id_id" to table: "notifications"
CREATE INDEX `notification_user_id_id` ON `notifications` (`user_id`, `id`);
-- Create index "notification_reminder_id_user_id" to table: "notifications"
CREATE UNIQUE INDEX `notification_reminder_id_user_id` ON `notifications` (`reminder_id`, `user_id`);
-- Create "reminders" table
CREATE TABLE `reminders` (`id` text NOT NULL, `key` text NOT NULL, `kind` text NOT NULL, `office_id` text NOT NULL, `resource_type` text NOT NULL, `resource_id` text NOT NULL, `due_time` datetime NOT NULL, `create_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "reminders_key_key" to table: "reminders"
CREATE UNIQUE INDEX `reminders_key_key` ON `reminders` (`key`);
-- Create "reminder_settings" table
CREATE TABLE `reminder_settings` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `days_before` json NOT NULL, `days_after` json NOT NULL, PRIMARY KEY (`id`));
-- Create index "remindersetting_scope_path" to table: "reminder_settings"
CREATE INDEX `remindersetting_scope_path` ON `reminder_settings` (`scope_path`);
-- Create index "remindersetting_office_id" to table: "reminder_settings"
CREATE UNIQUE INDEX `remindersetting_office_id` ON `reminder_settings` (`office_id`);
-- Create "webhooks" table
CREATE TABLE `webhooks` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `version` integer NOT NULL DEFAULT (1), `create_time` datetime NOT NULL, `update_time` datetime NOT NULL, `url` text NOT NULL, `events` json NOT NULL, `secret_sealed` blob NOT NULL, `description` text NOT NULL DEFAULT (''), `disabled` bool NOT NULL DEFAULT (false), PRIMARY KEY (`id`));
-- Create index "webhook_scope_path" to table: "webhooks"
CREATE INDEX `webhook_scope_path` ON `webhooks` (`scope_path`);
-- Create "webhook_deliveries" table
CREATE TABLE `webhook_deliveries` (`id` text NOT NULL, `office_id` text NOT NULL, `scope_path` text NOT NULL, `webhook_id` text NOT NULL, `event_id` text NOT NULL, `event_type` text NOT NULL, `payload` blob NOT NULL, `state` text NOT NULL DEFAULT ('PENDING'), `attempts` integer NOT NULL DEFAULT (0), `next_attempt_time` datetime NOT NULL, `lease_owner` text NOT NULL DEFAULT (''), `lease_until` datetime NULL, `last_status_code` integer NOT NULL DEFAULT (0), `last_error` text NOT NULL DEFAULT (''), `attempts_log` json NULL, `redelivery_of` text NOT NULL DEFAULT (''), `create_time` datetime NOT NULL, `deliver_time` datetime NULL, PRIMARY KEY (`id`));
-- Create index "webhookdelivery_scope_path" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_scope_path` ON `webhook_deliveries` (`scope_path`);
-- Create index "webhookdelivery_state_next_attempt_time" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_state_next_attempt_time` ON `webhook_deliveries` (`state`, `next_attempt_time`);
-- Create index "webhookdelivery_webhook_id_id" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_webhook_id_id` ON `webhook_deliveries` (`webhook_id`, `id`);

-- Create "job_leases" table
CREATE TABLE "job_leases" ("id" character varying NOT NULL, "owner" character varying NOT NULL, "lease_until" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create "notifications" table
CREATE TABLE "notifications" ("id" character varying NOT NULL, "user_id" character varying NOT NULL, "reminder_id" character varying NOT NULL, "kind" character varying NOT NULL, "subject" character varying NOT NULL, "resource_type" character varying NOT NULL, "resource_id" character varying NOT NULL, "due_time" timestamptz NOT NULL, "read_time" timestamptz NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "notification_reminder_id_user_id" to table: "notifications"
CREATE UNIQUE INDEX "notification_reminder_id_user_id" ON "notifications" ("reminder_id", "user_id");
-- Create index "notification_user_id_id" to table: "notifications"
CREATE INDEX "notification_user_id_id" ON "notifications" ("user_id", "id");
-- Create "reminders" table
CREATE TABLE "reminders" ("id" character varying NOT NULL, "key" character varying NOT NULL, "kind" character varying NOT NULL, "office_id" character varying NOT NULL, "resource_type" character varying NOT NULL, "resource_id" character varying NOT NULL, "due_time" timestamptz NOT NULL, "create_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "reminders_key_key" to table: "reminders"
CREATE UNIQUE INDEX "reminders_key_key" ON "reminders" ("key");
-- Create "reminder_settings" table
CREATE TABLE "reminder_settings" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "days_before" jsonb NOT NULL, "days_after" jsonb NOT NULL, PRIMARY KEY ("id"));
-- Create index "remindersetting_office_id" to table: "reminder_settings"
CREATE UNIQUE INDEX "remindersetting_office_id" ON "reminder_settings" ("office_id");
-- Create index "remindersetting_scope_path" to table: "reminder_settings"
CREATE INDEX "remindersetting_scope_path" ON "reminder_settings" ("scope_path" varchar_pattern_ops);
-- Create "webhooks" table
CREATE TABLE "webhooks" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "url" character varying NOT NULL, "events" jsonb NOT NULL, "secret_sealed" bytea NOT NULL, "description" character varying NOT NULL DEFAULT '', "disabled" boolean NOT NULL DEFAULT false, PRIMARY KEY ("id"));
-- Create index "webhook_scope_path" to table: "webhooks"
CREATE INDEX "webhook_scope_path" ON "webhooks" ("scope_path" varchar_pattern_ops);
-- Create "webhook_deliveries" table
CREATE TABLE "webhook_deliveries" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "webhook_id" character varying NOT NULL, "event_id" character varying NOT NULL, "event_type" character varying NOT NULL, "payload" bytea NOT NULL, "state" character varying NOT NULL DEFAULT 'PENDING', "attempts" bigint NOT NULL DEFAULT 0, "next_attempt_time" timestamptz NOT NULL, "lease_owner" character varying NOT NULL DEFAULT '', "lease_until" timestamptz NULL, "last_status_code" bigint NOT NULL DEFAULT 0, "last_error" character varying NOT NULL DEFAULT '', "attempts_log" jsonb NULL, "redelivery_of" character varying NOT NULL DEFAULT '', "create_time" timestamptz NOT NULL, "deliver_time" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "webhookdelivery_scope_path" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_scope_path" ON "webhook_deliveries" ("scope_path" varchar_pattern_ops);
-- Create index "webhookdelivery_state_next_attempt_time" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_state_next_attempt_time" ON "webhook_deliveries" ("state", "next_attempt_time");
-- Create index "webhookdelivery_webhook_id_id" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_webhook_id_id" ON "webhook_deliveries" ("webhook_id", "id");

-- Create "audit_events" table
CREATE TABLE "audit_events" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "sequence" bigint NOT NULL, "actor" character varying NOT NULL, "action" character varying NOT NULL, "resource_type" character varying NOT NULL, "resource_id" character varying NOT NULL, "before" text NOT NULL DEFAULT '', "after" text NOT NULL DEFAULT '', "request_id" character varying NOT NULL DEFAULT '', "create_time" timestamptz NOT NULL, "prev_hash" character varying NOT NULL, "hash" character varying NOT NULL, PRIMARY KEY ("id"));
-- Create index "auditevent_office_id_sequence" to table: "audit_events"
CREATE UNIQUE INDEX "auditevent_office_id_sequence" ON "audit_events" ("office_id", "sequence");
-- Create index "auditevent_scope_path" to table: "audit_events"
CREATE INDEX "auditevent_scope_path" ON "audit_events" ("scope_path");
-- Create "offices" table
CREATE TABLE "offices" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "parent_id" character varying NULL, "display_name" character varying NOT NULL, "level" character varying NOT NULL, "region_code" character varying NOT NULL, "time_zone" character varying NOT NULL DEFAULT 'Asia/Shanghai', PRIMARY KEY ("id"));
-- Create index "office_parent_id_id" to table: "offices"
CREATE INDEX "office_parent_id_id" ON "offices" ("parent_id", "id");
-- Create index "office_scope_path" to table: "offices"
CREATE INDEX "office_scope_path" ON "offices" ("scope_path");
-- Create "refresh_tokens" table
CREATE TABLE "refresh_tokens" ("id" character varying NOT NULL, "token_hash" character varying NOT NULL, "family_id" character varying NOT NULL, "user_id" character varying NOT NULL, "create_time" timestamptz NOT NULL, "expire_time" timestamptz NOT NULL, "rotate_time" timestamptz NULL, "revoke_time" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "refresh_tokens_token_hash_key" to table: "refresh_tokens"
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens" ("token_hash");
-- Create index "refreshtoken_family_id" to table: "refresh_tokens"
CREATE INDEX "refreshtoken_family_id" ON "refresh_tokens" ("family_id");
-- Create index "refreshtoken_user_id" to table: "refresh_tokens"
CREATE INDEX "refreshtoken_user_id" ON "refresh_tokens" ("user_id");
-- Create "revocations" table
CREATE TABLE "revocations" ("id" character varying NOT NULL, "kind" character varying NOT NULL, "value" character varying NOT NULL, "create_time" timestamptz NOT NULL, "expire_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "revocation_create_time" to table: "revocations"
CREATE INDEX "revocation_create_time" ON "revocations" ("create_time");
-- Create "service_accounts" table
CREATE TABLE "service_accounts" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "display_name" character varying NOT NULL, "client_id" character varying NOT NULL, "secret_hash" character varying NOT NULL, "roles" jsonb NOT NULL, "disabled" boolean NOT NULL DEFAULT false, PRIMARY KEY ("id"));
-- Create index "service_accounts_client_id_key" to table: "service_accounts"
CREATE UNIQUE INDEX "service_accounts_client_id_key" ON "service_accounts" ("client_id");
-- Create index "serviceaccount_scope_path" to table: "service_accounts"
CREATE INDEX "serviceaccount_scope_path" ON "service_accounts" ("scope_path");
-- Create "settings" table
CREATE TABLE "settings" ("id" character varying NOT NULL, "value" bytea NOT NULL, PRIMARY KEY ("id"));
-- Create "signing_keys" table
CREATE TABLE "signing_keys" ("id" character varying NOT NULL, "private_key" bytea NOT NULL, "public_key" bytea NOT NULL, "create_time" timestamptz NOT NULL, "retire_time" timestamptz NULL, PRIMARY KEY ("id"));
-- Create "units" table
CREATE TABLE "units" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "display_name" character varying NOT NULL, "credit_code" character varying NOT NULL, "category" character varying NOT NULL, "title_level" character varying NULL, "title_model" boolean NOT NULL DEFAULT false, "title_term_start" timestamptz NULL, "title_term_end" timestamptz NULL, "title_state" character varying NULL, PRIMARY KEY ("id"));
-- Create index "unit_office_id_id" to table: "units"
CREATE INDEX "unit_office_id_id" ON "units" ("office_id", "id");
-- Create index "unit_scope_path" to table: "units"
CREATE INDEX "unit_scope_path" ON "units" ("scope_path");
-- Create index "units_credit_code_key" to table: "units"
CREATE UNIQUE INDEX "units_credit_code_key" ON "units" ("credit_code");
-- Create "users" table
CREATE TABLE "users" ("id" character varying NOT NULL, "office_id" character varying NOT NULL, "scope_path" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, "create_time" timestamptz NOT NULL, "update_time" timestamptz NOT NULL, "login" character varying NOT NULL, "display_name" character varying NOT NULL DEFAULT '', "password_hash" character varying NOT NULL, "unit_id" character varying NULL, "roles" jsonb NOT NULL, "disabled" boolean NOT NULL DEFAULT false, "platform" boolean NOT NULL DEFAULT false, PRIMARY KEY ("id"));
-- Create index "user_office_id_id" to table: "users"
CREATE INDEX "user_office_id_id" ON "users" ("office_id", "id");
-- Create index "user_scope_path" to table: "users"
CREATE INDEX "user_scope_path" ON "users" ("scope_path");
-- Create index "user_unit_id_id" to table: "users"
CREATE INDEX "user_unit_id_id" ON "users" ("unit_id", "id");
-- Create index "users_login_key" to table: "users"
CREATE UNIQUE INDEX "users_login_key" ON "users" ("login");

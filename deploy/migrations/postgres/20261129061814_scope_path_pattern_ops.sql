-- Drop index "auditevent_scope_path" from table: "audit_events"
DROP INDEX "auditevent_scope_path";
-- Create index "auditevent_scope_path" to table: "audit_events"
CREATE INDEX "auditevent_scope_path" ON "audit_events" ("scope_path" varchar_pattern_ops);
-- Drop index "campaign_scope_path" from table: "campaigns"
DROP INDEX "campaign_scope_path";
-- Create index "campaign_scope_path" to table: "campaigns"
CREATE INDEX "campaign_scope_path" ON "campaigns" ("scope_path" varchar_pattern_ops);
-- Drop index "office_scope_path" from table: "offices"
DROP INDEX "office_scope_path";
-- Create index "office_scope_path" to table: "offices"
CREATE INDEX "office_scope_path" ON "offices" ("scope_path" varchar_pattern_ops);
-- Drop index "serviceaccount_scope_path" from table: "service_accounts"
DROP INDEX "serviceaccount_scope_path";
-- Create index "serviceaccount_scope_path" to table: "service_accounts"
CREATE INDEX "serviceaccount_scope_path" ON "service_accounts" ("scope_path" varchar_pattern_ops);
-- Drop index "standard_scope_path" from table: "standards"
DROP INDEX "standard_scope_path";
-- Create index "standard_scope_path" to table: "standards"
CREATE INDEX "standard_scope_path" ON "standards" ("scope_path" varchar_pattern_ops);
-- Drop index "unit_scope_path" from table: "units"
DROP INDEX "unit_scope_path";
-- Create index "unit_scope_path" to table: "units"
CREATE INDEX "unit_scope_path" ON "units" ("scope_path" varchar_pattern_ops);
-- Drop index "user_scope_path" from table: "users"
DROP INDEX "user_scope_path";
-- Create index "user_scope_path" to table: "users"
CREATE INDEX "user_scope_path" ON "users" ("scope_path" varchar_pattern_ops);

-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_idempotency_records" table
CREATE TABLE `new_idempotency_records` (`id` text NOT NULL, `method` text NOT NULL, `request_hash` text NOT NULL, `request_bytes` integer NOT NULL DEFAULT (0), `response` blob NULL, `create_time` datetime NOT NULL, `expire_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Copy rows from old table "idempotency_records" to new temporary table "new_idempotency_records"
INSERT INTO `new_idempotency_records` (`id`, `method`, `request_hash`, `response`, `create_time`, `expire_time`) SELECT `id`, `method`, `request_hash`, `response`, `create_time`, `expire_time` FROM `idempotency_records`;
-- Drop "idempotency_records" table after copying rows
DROP TABLE `idempotency_records`;
-- Rename temporary table "new_idempotency_records" to "idempotency_records"
ALTER TABLE `new_idempotency_records` RENAME TO `idempotency_records`;
-- Create index "idempotencyrecord_expire_time" to table: "idempotency_records"
CREATE INDEX `idempotencyrecord_expire_time` ON `idempotency_records` (`expire_time`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

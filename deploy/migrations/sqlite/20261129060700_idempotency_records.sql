-- Create "idempotency_records" table
CREATE TABLE `idempotency_records` (`id` text NOT NULL, `method` text NOT NULL, `request_hash` text NOT NULL, `response` blob NULL, `create_time` datetime NOT NULL, `expire_time` datetime NOT NULL, PRIMARY KEY (`id`));
-- Create index "idempotencyrecord_expire_time" to table: "idempotency_records"
CREATE INDEX `idempotencyrecord_expire_time` ON `idempotency_records` (`expire_time`);

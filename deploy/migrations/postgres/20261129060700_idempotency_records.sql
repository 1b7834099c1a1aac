-- Create "idempotency_records" table
CREATE TABLE "idempotency_records" ("id" character varying NOT NULL, "method" character varying NOT NULL, "request_hash" character varying NOT NULL, "response" bytea NULL, "create_time" timestamptz NOT NULL, "expire_time" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "idempotencyrecord_expire_time" to table: "idempotency_records"
CREATE INDEX "idempotencyrecord_expire_time" ON "idempotency_records" ("expire_time");

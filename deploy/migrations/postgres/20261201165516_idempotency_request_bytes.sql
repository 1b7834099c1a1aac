-- Modify "idempotency_records" table
ALTER TABLE "idempotency_records" ADD COLUMN "request_bytes" bigint NOT NULL DEFAULT 0;

DROP INDEX "calls_idempotency_key_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "calls_idempotency_key_idx" ON "calls" USING btree ("idempotency_key") WHERE "calls"."idempotency_key" is not null;
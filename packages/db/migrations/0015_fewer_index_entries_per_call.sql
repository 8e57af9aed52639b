-- Fewer index entries per call (see the README's Benchmark: B-tree inserts were the largest share of a call's WAL).
-- An event's key is (call_id, sequence): it becomes the primary key, and its random `id` (for consumers) is no longer
-- indexed. The live-call indexes leave `received` out: a call not yet with its worker is found by status.
ALTER TABLE "call_events" DROP CONSTRAINT "call_events_pkey";--> statement-breakpoint
DROP INDEX "call_events_call_sequence_idx";--> statement-breakpoint
ALTER TABLE "call_events" ADD CONSTRAINT "call_events_call_id_sequence_pk" PRIMARY KEY("call_id","sequence");--> statement-breakpoint
DROP INDEX "calls_live_domain_idx";--> statement-breakpoint
DROP INDEX "calls_live_destination_idx";--> statement-breakpoint
CREATE INDEX "calls_live_domain_idx" ON "calls" USING btree ("domain") WHERE "calls"."status" in ('queued', 'ringing', 'answered');--> statement-breakpoint
CREATE INDEX "calls_live_destination_idx" ON "calls" USING btree ("current_destination_id") WHERE "calls"."status" in ('queued', 'ringing', 'answered');

ALTER TABLE "queues" RENAME COLUMN "last_answered_agent_id" TO "last_rung_agent_id";--> statement-breakpoint
ALTER TABLE "ring_groups" RENAME COLUMN "last_answered_agent_id" TO "last_rung_agent_id";
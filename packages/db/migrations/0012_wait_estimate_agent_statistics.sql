CREATE TABLE "agent_state_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent_id" uuid NOT NULL,
	"from_state" "agent_state" NOT NULL,
	"to_state" "agent_state" NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "destination_visits" ADD COLUMN "rung_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agent_state_changes" ADD CONSTRAINT "agent_state_changes_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_state_changes_agent_changed_idx" ON "agent_state_changes" USING btree ("agent_id","changed_at");--> statement-breakpoint
CREATE INDEX "call_events_ring_misses_idx" ON "call_events" USING btree ("occurred_at") WHERE "call_events"."type" in ('call.no_answer', 'call.declined');--> statement-breakpoint
CREATE INDEX "destination_visits_handled_idx" ON "destination_visits" USING btree ("destination_id","ended_at") WHERE "destination_visits"."rung_at" is not null and "destination_visits"."ended_at" is not null;--> statement-breakpoint
CREATE INDEX "destination_visits_agent_answered_idx" ON "destination_visits" USING btree ("agent_id","answered_at") WHERE "destination_visits"."agent_id" is not null;
CREATE TABLE "destination_visits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"call_id" uuid NOT NULL,
	"destination_kind" "destination_kind" NOT NULL,
	"destination_id" uuid NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"agent_id" uuid,
	"ended_at" timestamp with time zone,
	"outcome" text
);
--> statement-breakpoint
ALTER TABLE "destination_visits" ADD CONSTRAINT "destination_visits_call_id_calls_id_fk" FOREIGN KEY ("call_id") REFERENCES "public"."calls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "destination_visits_open_call_idx" ON "destination_visits" USING btree ("call_id") WHERE "destination_visits"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "destination_visits_destination_entered_idx" ON "destination_visits" USING btree ("destination_id","entered_at");--> statement-breakpoint
CREATE INDEX "destination_visits_open_destination_idx" ON "destination_visits" USING btree ("destination_id","entered_at") WHERE "destination_visits"."ended_at" is null;
CREATE TABLE "applied_routing_actions" (
	"request_id" uuid PRIMARY KEY NOT NULL,
	"domain" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "applied_routing_actions_applied_at_idx" ON "applied_routing_actions" USING btree ("applied_at");--> statement-breakpoint
CREATE INDEX "outbox_topic_key_id_idx" ON "outbox" USING btree ("topic","key","id");
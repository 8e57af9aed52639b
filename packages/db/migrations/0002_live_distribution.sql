CREATE TABLE "routing_domains" (
	"name" text PRIMARY KEY NOT NULL,
	"epoch" bigint DEFAULT 0 NOT NULL,
	"owner" text,
	"random_state" bigint DEFAULT 1 NOT NULL,
	"next_sequence" bigint DEFAULT 1 NOT NULL,
	"applied_partition" integer,
	"applied_offset" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Every existing agent, queue and ring group joins the default domain (added by hand to the generated SQL: data, not schema).
INSERT INTO "routing_domains" ("name") VALUES ('default') ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE TABLE "routing_timers" (
	"domain" text NOT NULL,
	"key" text NOT NULL,
	"fire_at" timestamp with time zone NOT NULL,
	"input" jsonb NOT NULL,
	CONSTRAINT "routing_timers_domain_key_pk" PRIMARY KEY("domain","key")
);
--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "domain" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "current_call_id" uuid;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "calls_answered" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "talk_time_sec" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "last_call_ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "available_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "answered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "domain" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "current_destination_id" uuid;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "routing" jsonb;--> statement-breakpoint
ALTER TABLE "queues" ADD COLUMN "domain" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "queues" ADD COLUMN "last_answered_agent_id" uuid;--> statement-breakpoint
ALTER TABLE "ring_groups" ADD COLUMN "domain" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "ring_groups" ADD COLUMN "last_answered_agent_id" uuid;--> statement-breakpoint
ALTER TABLE "routing_timers" ADD CONSTRAINT "routing_timers_domain_routing_domains_name_fk" FOREIGN KEY ("domain") REFERENCES "public"."routing_domains"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_domain_routing_domains_name_fk" FOREIGN KEY ("domain") REFERENCES "public"."routing_domains"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queues" ADD CONSTRAINT "queues_domain_routing_domains_name_fk" FOREIGN KEY ("domain") REFERENCES "public"."routing_domains"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ring_groups" ADD CONSTRAINT "ring_groups_domain_routing_domains_name_fk" FOREIGN KEY ("domain") REFERENCES "public"."routing_domains"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "calls_live_domain_idx" ON "calls" USING btree ("domain") WHERE "calls"."status" in ('received', 'queued', 'ringing', 'answered');--> statement-breakpoint
CREATE INDEX "calls_live_destination_idx" ON "calls" USING btree ("current_destination_id") WHERE "calls"."status" in ('received', 'queued', 'ringing', 'answered');
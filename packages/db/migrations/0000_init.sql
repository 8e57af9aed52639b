CREATE TYPE "public"."agent_state" AS ENUM('offline', 'available', 'ringing', 'on_call', 'wrap_up', 'break');--> statement-breakpoint
CREATE TYPE "public"."call_event_type" AS ENUM('call.received', 'call.queued', 'call.ringing', 'call.answered', 'call.declined', 'call.no_answer', 'call.overflowed', 'call.abandoned', 'call.completed', 'call.unanswered', 'call.failed');--> statement-breakpoint
CREATE TYPE "public"."call_status" AS ENUM('received', 'queued', 'ringing', 'answered', 'completed', 'abandoned', 'unanswered', 'failed');--> statement-breakpoint
CREATE TYPE "public"."destination_kind" AS ENUM('queue', 'ring_group');--> statement-breakpoint
CREATE TYPE "public"."queue_strategy" AS ENUM('ring_all', 'longest_idle', 'round_robin', 'top_down', 'fewest_calls', 'least_talk_time', 'random', 'weighted_random');--> statement-breakpoint
CREATE TYPE "public"."ring_group_strategy" AS ENUM('ring_all', 'hunt', 'memory_hunt', 'round_robin', 'random', 'first_available');--> statement-breakpoint
CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"extension" text NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" "agent_state" DEFAULT 'offline' NOT NULL,
	"state_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agents_extension_unique" UNIQUE("extension")
);
--> statement-breakpoint
CREATE TABLE "call_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"call_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"type" "call_event_type" NOT NULL,
	"status" "call_status" NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"from" text NOT NULL,
	"to" text NOT NULL,
	"language" text NOT NULL,
	"type" "destination_kind" NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"destination_id" uuid NOT NULL,
	"destination_name" text NOT NULL,
	"destination_number" text NOT NULL,
	"status" "call_status" DEFAULT 'received' NOT NULL,
	"agent_id" uuid,
	"reason" text,
	"idempotency_key" text,
	"request_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calls_priority_range" CHECK ("calls"."priority" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_members" (
	"queue_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"tier" integer DEFAULT 1 NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"penalty" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "queue_members_queue_id_agent_id_pk" PRIMARY KEY("queue_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "queues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"number" text NOT NULL,
	"strategy" "queue_strategy" DEFAULT 'longest_idle' NOT NULL,
	"require_language" boolean DEFAULT false NOT NULL,
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"ring_timeout_sec" real DEFAULT 15 NOT NULL,
	"max_wait_sec" real,
	"wrap_up_sec" real DEFAULT 0 NOT NULL,
	"tier_wait_sec" real,
	"max_waiting" integer,
	"overflow" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queues_number_unique" UNIQUE("number")
);
--> statement-breakpoint
CREATE TABLE "ring_group_members" (
	"ring_group_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ring_group_members_ring_group_id_agent_id_pk" PRIMARY KEY("ring_group_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "ring_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"number" text NOT NULL,
	"strategy" "ring_group_strategy" DEFAULT 'ring_all' NOT NULL,
	"ring_timeout_sec" real DEFAULT 20 NOT NULL,
	"total_timeout_sec" real DEFAULT 60 NOT NULL,
	"failover" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ring_groups_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "call_events" ADD CONSTRAINT "call_events_call_id_calls_id_fk" FOREIGN KEY ("call_id") REFERENCES "public"."calls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_members" ADD CONSTRAINT "queue_members_queue_id_queues_id_fk" FOREIGN KEY ("queue_id") REFERENCES "public"."queues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_members" ADD CONSTRAINT "queue_members_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ring_group_members" ADD CONSTRAINT "ring_group_members_ring_group_id_ring_groups_id_fk" FOREIGN KEY ("ring_group_id") REFERENCES "public"."ring_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ring_group_members" ADD CONSTRAINT "ring_group_members_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "call_events_call_sequence_idx" ON "call_events" USING btree ("call_id","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "calls_idempotency_key_idx" ON "calls" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "calls_status_created_idx" ON "calls" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "calls_destination_created_idx" ON "calls" USING btree ("destination_id","created_at","id");--> statement-breakpoint
CREATE INDEX "queue_members_agent_idx" ON "queue_members" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "ring_group_members_agent_idx" ON "ring_group_members" USING btree ("agent_id");
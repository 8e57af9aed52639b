-- The worker publishes each domain's call events from call_events, past this position, instead of through the outbox.
-- Domains stored now start at this migration's transaction: their earlier events were written to the outbox, which
-- still sends them.
ALTER TABLE "routing_domains" ADD COLUMN "published_tx" "xid8" DEFAULT pg_current_xact_id() NOT NULL;

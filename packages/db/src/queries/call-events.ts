// Inserting call events: one home for the statement the API (call.received) and the worker (every later event) share.
import type postgres from 'postgres';
import type { CallEvent } from '@switchboard/contracts';

/**
 * One multi-row insert through unnest. postgres.js rather than Drizzle's builder on this hot path: the statement's text
 * is the same for any number of rows, so it is prepared once per connection and pipelines with its neighbours.
 */
export function insertCallEvents(sql: postgres.TransactionSql, events: readonly CallEvent[]) {
  return sql`
    insert into call_events (id, call_id, sequence, type, status, data, occurred_at)
    select id, call_id, sequence, type::call_event_type, status::call_status, data::jsonb, occurred_at::timestamptz
      from unnest(${events.map((e) => e.id)}::uuid[], ${events.map((e) => e.callId)}::uuid[], ${events.map((e) => e.sequence)}::int[],
                  ${events.map((e) => e.type)}::text[], ${events.map((e) => e.status)}::text[], ${events.map((e) => JSON.stringify(e.data))}::text[],
                  ${events.map((e) => e.occurredAt)}::text[])
           as u(id, call_id, sequence, type, status, data, occurred_at)`;
}

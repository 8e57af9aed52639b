// Call events: the insert the API (call.received) and the worker (every later event) share, and the worker's read of a
// routing domain's events back, to publish what Kafka has not acknowledged yet.
import type postgres from 'postgres';
import type { CallEvent } from '@switchboard/contracts';
import type { StreamPosition } from './event-stream.ts';

type Sql = postgres.Sql | postgres.TransactionSql;

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

/** After every event of the transaction `txId` (an xid8 as text). */
export const afterTransaction = (txId: string): StreamPosition => ({ txId, callId: 'ffffffff-ffff-ffff-ffff-ffffffffffff', sequence: 2_147_483_647 });

export type DomainEvents = {
  /**
   * In publishing order: the domain's decisions' events in (tx_id, call_id, sequence) order, and before a call's first
   * decided event (sequence 2) its `call.received`, which the API wrote earlier but the worker publishes with it.
   */
  events: CallEvent[];
  /** Where the decisions' events read end (the `call.received` rows are not counted), or null when none was read. */
  last: StreamPosition | null;
  /** Ids of the transactions read whole: every one read but the last, which `limit` may have cut. */
  lastWholeTxId: string | null;
  /** `limit` rows were read: more may follow. */
  full: boolean;
};

type EventRow = StreamPosition & Pick<CallEvent, 'id' | 'type' | 'status' | 'occurredAt'> & { data: Record<string, unknown>; received: boolean };

/**
 * Up to `limit` events that the domain's decisions wrote after `after`, with the `call.received` each first decision
 * publishes. Only the domain's worker writes events past `call.received` (sequence 1), one decision at a time behind
 * the fence, so every decision committed from now on has a larger tx_id than any read here: nothing can appear behind
 * `after` later.
 */
export async function readDomainEventsAfter(sql: Sql, domain: string, after: StreamPosition, limit: number): Promise<DomainEvents> {
  const rows = await sql<EventRow[]>`
    with decided as (
      select e.tx_id, e.call_id, e.sequence, e.id, e.type, e.status, e.data, e.occurred_at
        from call_events e
        join calls c on c.id = e.call_id
       where (e.tx_id, e.call_id, e.sequence) > (${after.txId}::xid8, ${after.callId}::uuid, ${after.sequence}::int)
         and e.sequence > 1 and c.domain = ${domain}
       order by e.tx_id, e.call_id, e.sequence
       limit ${limit})
    select r.tx_id::text as "txId", r.call_id as "callId", r.sequence, r.id, r.type, r.status, r.data, r.received,
           to_char(r.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt"
      from (select d.*, false as received from decided d
            union all
            select d.tx_id, e.call_id, e.sequence, e.id, e.type, e.status, e.data, e.occurred_at, true
              from decided d join call_events e on e.call_id = d.call_id and e.sequence = 1
             where d.sequence = 2) r
     order by r.tx_id, r.call_id, r.sequence`;
  const events: CallEvent[] = rows.map(
    ({ id, type, status, occurredAt, callId, sequence, data }) => ({ id, version: 1, occurredAt, callId, sequence, status, type, data }) as CallEvent,
  );
  const decided = rows.filter((r) => !r.received);
  const last = decided.at(-1) ?? null;
  const whole = decided.findLast((r) => BigInt(r.txId) < BigInt(last?.txId ?? 0));
  return {
    events,
    last: last && { txId: last.txId, callId: last.callId, sequence: last.sequence },
    lastWholeTxId: decided.length < limit ? (last?.txId ?? null) : (whole?.txId ?? null),
    full: decided.length >= limit,
  };
}

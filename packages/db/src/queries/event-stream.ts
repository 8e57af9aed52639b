// What `GET /events` reads: `call_events` in stream order, (tx_id, call_id, sequence), each event with where its call
// was and which agents its call had named by then, for the stream's filters.
//
// Why this order is safe to tail: a row's tx_id is the transaction that wrote it, and a read takes only rows whose
// transaction is older than the oldest one still running (pg_snapshot_xmin of the statement's snapshot). Every such
// transaction has ended, and any transaction that writes later gets a larger id, so no row can ever appear behind a
// position the stream has passed. The events of one call keep their `sequence` order: the API writes `call.received`
// before the worker hears of the call, and the worker's transactions for a domain take the domain's row first (its
// fence), so they get their ids in the order they commit.
import type postgres from 'postgres';

type Sql = postgres.Sql | postgres.TransactionSql;

/** A place in the stream: after the event (tx_id, call_id, sequence). */
export type StreamPosition = { txId: string; callId: string; sequence: number };

/** Before every event. */
export const streamStart: StreamPosition = { txId: '0', callId: '00000000-0000-0000-0000-000000000000', sequence: 0 };

export type StreamedEventRow = StreamPosition & {
  id: string;
  type: string;
  status: string;
  data: Record<string, unknown>;
  /** ISO 8601, UTC, to the millisecond: as `call-events` has it. */
  occurredAt: string;
  /** The queues and ring groups the call was at for this event (an overflow's: where it left and where it went). */
  destinationIds: string[];
  /** Every agent the call's events named up to this one (rung, declined, not answering, answering). */
  agentIds: string[];
};

/** The position of the newest event a reader may see now: a stream that starts here sends only what comes next. */
export async function streamHead(sql: Sql): Promise<StreamPosition> {
  const [row] = await sql<StreamPosition[]>`
    select e.tx_id::text as "txId", e.call_id as "callId", e.sequence
      from call_events e
     where e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
     order by e.tx_id desc, e.call_id desc, e.sequence desc
     limit 1`;
  return row ?? streamStart;
}

/** Up to `limit` events after `after`, in stream order, none written by a transaction that may still be running. */
export async function readStreamAfter(sql: Sql, after: StreamPosition, limit: number): Promise<StreamedEventRow[]> {
  return sql<StreamedEventRow[]>`
    select e.tx_id::text as "txId", e.call_id as "callId", e.sequence, e.id, e.type, e.status, e.data,
           to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt",
           case e.type
             when 'call.received' then array[e.data ->> 'destinationId']
             when 'call.overflowed' then array_remove(array[e.data #>> '{from,id}', e.data #>> '{to,id}'], null)
             else array_remove(array[(
               select coalesce(p.data #>> '{to,id}', p.data ->> 'destinationId')
                 from call_events p
                where p.call_id = e.call_id and p.sequence < e.sequence
                  and (p.type = 'call.received' or (p.type = 'call.overflowed' and p.data #>> '{to,id}' is not null))
                order by p.sequence desc
                limit 1)], null)
           end as "destinationIds",
           array(
             select distinct a.id
               from call_events p
              cross join lateral jsonb_array_elements_text(
                case when jsonb_typeof(p.data -> 'agentIds') = 'array' then p.data -> 'agentIds'
                     when p.data ? 'agentId' then jsonb_build_array(p.data -> 'agentId')
                     else '[]'::jsonb end) as a(id)
              where p.call_id = e.call_id and p.sequence <= e.sequence) as "agentIds"
      from call_events e
     where e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
       and (e.tx_id, e.call_id, e.sequence) > (${after.txId}::xid8, ${after.callId}::uuid, ${after.sequence}::int)
     order by e.tx_id, e.call_id, e.sequence
     limit ${limit}`;
}

/** Whether a call is stored (a stream filtered by a call that does not exist is refused). */
export async function callExists(sql: Sql, id: string): Promise<boolean> {
  const [row] = await sql`select 1 from calls where id = ${id}`;
  return row !== undefined;
}

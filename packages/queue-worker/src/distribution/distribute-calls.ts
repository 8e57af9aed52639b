// The database effect of new calls: queue calls wait (`queued`), ring-group calls ring; each transition is an event and an outbox message.
import { randomUUID } from 'node:crypto';
import type { CallEvent, CallRequested } from '@switchboard/contracts';
import type { Database } from '@switchboard/db';
import type { OutboxRow } from '@switchboard/messaging';

export type DistributionResult = {
  /** Calls moved out of `received` by this batch. */
  distributed: string[];
  /** Messages for calls already distributed (before, or by an earlier copy in this batch): they change nothing. */
  redelivered: CallRequested[];
  /** Calls the database does not know: dead-lettered by the caller. */
  unknown: CallRequested[];
  outboxRows: OutboxRow[];
};

/** Next status and first event of a fresh call; the routing engine's own issue replaces this minimal step. */
function firstStep(kind: 'queue' | 'ring_group', destinationId: string): Pick<CallEvent, 'type' | 'status'> & { data: Record<string, unknown> } {
  return kind === 'queue'
    ? { type: 'call.queued', status: 'queued', data: { queueId: destinationId } }
    : { type: 'call.ringing', status: 'ringing', data: { agentIds: [] } };
}

type Moved = { id: string; type: 'queue' | 'ring_group'; destinationId: string; lastSequence: number | null };

/**
 * Raw postgres.js with array parameters: each statement's text is the same for any batch size, so it is prepared
 * once per connection, and the two inserts go pipelined in one round trip.
 */
export async function distributeCalls(db: Database, messages: CallRequested[], eventsTopic: string): Promise<DistributionResult> {
  const ids = [...new Set(messages.map((m) => m.call.id))];
  return db.$client.begin(async (sql) => {
    // Only calls still `received` move: this guard is what makes a redelivery a no-op.
    const moved = await sql<Moved[]>`
      with moved as (
        update calls set status = case when type = 'queue' then 'queued'::call_status else 'ringing'::call_status end, updated_at = now()
         where id = any(${ids}::uuid[]) and status = 'received'
        returning id, type, destination_id)
      select m.id, m.type, m.destination_id as "destinationId",
             (select max(e.sequence) from call_events e where e.call_id = m.id) as "lastSequence"
        from moved m`;
    const movedIds = new Set(moved.map((m) => m.id));
    const others = ids.filter((id) => !movedIds.has(id));
    const known = others.length ? new Set((await sql<{ id: string }[]>`select id from calls where id = any(${others}::uuid[])`).map((r) => r.id)) : new Set<string>();
    const firstCopy = new Map<string, CallRequested>();
    for (const m of messages) if (movedIds.has(m.call.id) && !firstCopy.has(m.call.id)) firstCopy.set(m.call.id, m);
    const result: DistributionResult = {
      distributed: [...movedIds],
      redelivered: messages.filter((m) => known.has(m.call.id) || (movedIds.has(m.call.id) && firstCopy.get(m.call.id) !== m)),
      unknown: messages.filter((m) => !movedIds.has(m.call.id) && !known.has(m.call.id)),
      outboxRows: [],
    };
    if (moved.length === 0) return result;

    const occurredAt = new Date().toISOString();
    const events: CallEvent[] = moved.map((call) => ({
      id: randomUUID(), version: 1 as const, occurredAt, callId: call.id,
      sequence: (call.lastSequence ?? 0) + 1, ...firstStep(call.type, call.destinationId),
    }) as CallEvent);
    const [, outboxIds] = await Promise.all([
      sql`
        insert into call_events (id, call_id, sequence, type, status, data, occurred_at)
        select id, call_id, sequence, type::call_event_type, status::call_status, data::jsonb, ${occurredAt}::timestamptz
          from unnest(${events.map((e) => e.id)}::uuid[], ${events.map((e) => e.callId)}::uuid[], ${events.map((e) => e.sequence)}::int[],
                      ${events.map((e) => e.type)}::text[], ${events.map((e) => e.status)}::text[], ${events.map((e) => JSON.stringify(e.data))}::text[])
               as u(id, call_id, sequence, type, status, data)`,
      // Rows keep the events' order (ids ascend with it): the relay publishes in id order.
      sql<{ id: string; createdAt: string }[]>`
        insert into outbox (topic, key, payload, headers)
        select ${eventsTopic}, key, payload::jsonb, headers::jsonb
          from unnest(${events.map((e) => e.callId)}::text[], ${events.map((e) => JSON.stringify(e))}::text[],
                      ${events.map((e) => JSON.stringify({ type: e.type }))}::text[]) with ordinality as u(key, payload, headers, n)
         order by n
        returning id, created_at as "createdAt"`,
    ]);
    result.outboxRows = outboxIds.map((r, i) => ({
      id: Number(r.id), topic: eventsTopic, key: events[i]!.callId, payload: events[i]!, headers: { type: events[i]!.type }, createdAt: new Date(r.createdAt),
    }));
    return result;
  });
}

// The database effect of new calls: queue calls wait (`queued`), ring-group calls ring; each transition is an event and an outbox message.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, max, sql } from 'drizzle-orm';
import type { CallEvent, CallRequested } from '@switchboard/contracts';
import { callEvents, calls, outbox, type Database } from '@switchboard/db';
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

export async function distributeCalls(db: Database, messages: CallRequested[], eventsTopic: string): Promise<DistributionResult> {
  const ids = [...new Set(messages.map((m) => m.call.id))];
  return db.transaction(async (tx) => {
    // Only calls still `received` move: this guard is what makes a redelivery a no-op.
    const moved = await tx
      .update(calls)
      .set({ status: sql`case when ${calls.type} = 'queue' then 'queued'::call_status else 'ringing'::call_status end`, updatedAt: sql`now()` })
      .where(and(inArray(calls.id, ids), eq(calls.status, 'received')))
      .returning({ id: calls.id, type: calls.type, destinationId: calls.destinationId });
    const movedIds = new Set(moved.map((m) => m.id));
    const others = ids.filter((id) => !movedIds.has(id));
    const known = others.length ? new Set((await tx.select({ id: calls.id }).from(calls).where(inArray(calls.id, others))).map((r) => r.id)) : new Set<string>();
    const firstCopy = new Map<string, CallRequested>();
    for (const m of messages) if (movedIds.has(m.call.id) && !firstCopy.has(m.call.id)) firstCopy.set(m.call.id, m);
    const result: DistributionResult = {
      distributed: [...movedIds],
      redelivered: messages.filter((m) => known.has(m.call.id) || (movedIds.has(m.call.id) && firstCopy.get(m.call.id) !== m)),
      unknown: messages.filter((m) => !movedIds.has(m.call.id) && !known.has(m.call.id)),
      outboxRows: [],
    };
    if (moved.length === 0) return result;

    const last = await tx
      .select({ callId: callEvents.callId, sequence: max(callEvents.sequence) })
      .from(callEvents)
      .where(inArray(callEvents.callId, [...movedIds]))
      .groupBy(callEvents.callId);
    const lastSequence = new Map(last.map((r) => [r.callId, r.sequence ?? 0]));
    const occurredAt = new Date();
    const events = moved.map((call) => ({
      id: randomUUID(), version: 1 as const, occurredAt: occurredAt.toISOString(), callId: call.id,
      sequence: (lastSequence.get(call.id) ?? 0) + 1, ...firstStep(call.type, call.destinationId),
    }));
    await tx.insert(callEvents).values(events.map((e) => ({ ...e, occurredAt })));
    result.outboxRows = await tx
      .insert(outbox)
      .values(events.map((e) => ({ topic: eventsTopic, key: e.callId, payload: e, headers: { type: e.type } })))
      .returning();
    return result;
  });
}

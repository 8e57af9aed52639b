// After the load, the database's word on the run: every 202 is one call, every call created reached the worker once.
import type { Database } from '@switchboard/db';

export type Accounting = {
  /** 202 answers the bench received, and how many distinct call ids they carried. */
  accepted: number;
  distinctAccepted: number;
  /** Accepted ids found in the database in `queued`. */
  acceptedQueued: number;
  /** Calls in the database for the bench's queue: more than accepted by the requests a phase's end cut off in flight. */
  created: number;
  queued: number;
  /** `call.queued` events stored: more than `queued` would mean a call was distributed twice. */
  queuedEvents: number;
  ok: boolean;
};

export type QueueCounts = { created: number; queued: number; queuedEvents: number };

export async function queueCounts(db: Database, queueId: string): Promise<QueueCounts> {
  const [row] = await db.$client<{ created: string; queued: string; queued_events: string }[]>`
    select count(*) as created,
           count(*) filter (where c.status = 'queued') as queued,
           (select count(*) from call_events e join calls c2 on c2.id = e.call_id
             where c2.destination_id = ${queueId} and e.type = 'call.queued') as queued_events
      from calls c where c.destination_id = ${queueId}`;
  return { created: Number(row!.created), queued: Number(row!.queued), queuedEvents: Number(row!.queued_events) };
}

/** Milliseconds from `since` until every call created for the queue is `queued`; null past the deadline. */
export async function waitUntilQueued(db: Database, queueId: string, since: number, timeoutMs: number): Promise<number | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = await queueCounts(db, queueId);
    if (c.queued === c.created) return Math.round(performance.now() - since);
    if (Date.now() > until) return null;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Until every event owed is published: the outbox is empty (configuration reloads, and rows left from before the worker
 * published from call_events) and every routing domain's saved position is past its decisions' last event. A phase past
 * the system's capacity leaves a backlog that the next phase would otherwise wait behind. Null past the timeout.
 */
export async function waitUntilEventsPublished(db: Database, since: number, timeoutMs: number): Promise<number | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.$client<{ published: boolean }[]>`
      select not exists (select 1 from outbox)
         and not exists (select 1 from routing_domains d
                          where exists (select 1 from call_events e join calls c on c.id = e.call_id
                                         where e.tx_id > d.published_tx and e.sequence > 1 and c.domain = d.name)) as published`;
    if (row!.published) return Math.round(performance.now() - since);
    if (Date.now() > until) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The final check: call this once the last phase has drained. */
export async function account(db: Database, queueId: string, acceptedIds: string[], cutOffAllowance: number): Promise<Accounting> {
  const c = await queueCounts(db, queueId);
  const distinct = [...new Set(acceptedIds)];
  const [row] = await db.$client<{ n: string }[]>`
    select count(*) as n from calls where id = any(${distinct}::uuid[]) and destination_id = ${queueId} and status = 'queued'`;
  const acceptedQueued = Number(row!.n);
  const ok =
    distinct.length === acceptedIds.length && acceptedQueued === distinct.length && c.queued === c.created &&
    c.queuedEvents === c.created && c.created - distinct.length <= cutOffAllowance;
  return { accepted: acceptedIds.length, distinctAccepted: distinct.length, acceptedQueued, ...c, ok };
}

// After the load, the database's word on the run: one call per 202, every one of them queued, each queued once.
import type { Database } from '@switchboard/db';

export type Accounting = {
  /** 202 answers the bench received. */
  accepted: number;
  /** Calls in the database for the bench's queue. */
  created: number;
  queued: number;
  /** `call.queued` events stored: more than `queued` would mean a call was distributed twice. */
  queuedEvents: number;
  /** Milliseconds from the end of the last load phase until the last call reached `queued`. */
  drainMs: number | null;
  ok: boolean;
};

type Counts = { created: number; queued: number; queuedEvents: number };

async function counts(db: Database, queueId: string): Promise<Counts> {
  const [row] = await db.$client<{ created: string; queued: string; queued_events: string }[]>`
    select count(*) as created,
           count(*) filter (where c.status = 'queued') as queued,
           (select count(*) from call_events e join calls c2 on c2.id = e.call_id
             where c2.destination_id = ${queueId} and e.type = 'call.queued') as queued_events
      from calls c where c.destination_id = ${queueId}`;
  return { created: Number(row!.created), queued: Number(row!.queued), queuedEvents: Number(row!.queued_events) };
}

/** Polls until every accepted call is queued (or the deadline passes), timing the wait from `loadEndedAt`. */
export async function settleAndCount(db: Database, queueId: string, accepted: number, loadEndedAt: number, timeoutMs: number): Promise<Accounting> {
  const until = Date.now() + timeoutMs;
  let c = await counts(db, queueId);
  let drainMs: number | null = null;
  for (;;) {
    if (c.queued >= accepted) {
      drainMs = Math.round(performance.now() - loadEndedAt);
      break;
    }
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 25));
    c = await counts(db, queueId);
  }
  const ok = drainMs !== null && c.created === accepted && c.queued === accepted && c.queuedEvents === accepted;
  return { accepted, ...c, drainMs, ok };
}

// Splits end-to-end time into hops using the database's own timestamps: where a call's time goes between POST and event.
import type { Database } from '@switchboard/db';
import { LatencyRecorder, type Percentiles } from './latency.ts';

/** Wall-clock times (ms since the epoch) the bench saw for one call: its scheduled send and the event's arrival. */
export type Seen = { sentAt: number; arrivedAt: number };

export type Hops = {
  /** From the scheduled send to the start of the API's transaction that stored the call (HTTP, intake queue). */
  toIntake: Percentiles;
  /** From that transaction to the worker applying the call (commit, API relay, Kafka, worker fetch). */
  toWorker: Percentiles;
  /** From the worker applying it to the bench reading `call.queued` (worker commit, its relay, Kafka, the reader). */
  toReader: Percentiles;
};

export async function measureHops(db: Database, seen: Map<string, Seen>): Promise<Hops> {
  const ids = [...seen.keys()];
  // Epoch milliseconds as float8: no timestamp parsing between PostgreSQL's format and JavaScript's.
  const rows = await db.$client<{ id: string; stored: number; queued: number }[]>`
    select c.id, extract(epoch from c.created_at)::float8 * 1000 as stored, extract(epoch from e.occurred_at)::float8 * 1000 as queued
      from calls c join call_events e on e.call_id = c.id and e.type = 'call.queued'
     where c.id = any(${ids}::uuid[])`;
  const hops = { toIntake: new LatencyRecorder(), toWorker: new LatencyRecorder(), toReader: new LatencyRecorder() };
  for (const row of rows) {
    const { sentAt, arrivedAt } = seen.get(row.id)!;
    const { stored, queued } = row;
    hops.toIntake.recordMs(stored - sentAt);
    hops.toWorker.recordMs(queued - stored);
    hops.toReader.recordMs(arrivedAt - queued);
  }
  return { toIntake: hops.toIntake.percentiles(), toWorker: hops.toWorker.percentiles(), toReader: hops.toReader.percentiles() };
}

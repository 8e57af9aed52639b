// Where a call's WAL goes: posts calls at a steady rate to a bench stack, waits until the worker queued every one and
// the relays sent what they owed, then reads the WAL written in between with pg_walinspect, by relation (table or
// index) and by record type, full-page images apart. What to cut first is read from this, not guessed.
import type { BenchStack } from '../stack/bench-stack.ts';
import { pacedLoad } from '../load/paced-load.ts';
import { waitUntilQueued } from '../report/accounting.ts';

export type WalShare = { name: string; records: number; recordBytes: number; fpiBytes: number };
export type WalProfile = {
  calls: number;
  totalBytes: number;
  /** Bytes of full-page images: each page's first change after a checkpoint is logged whole. */
  fpiBytes: number;
  byRelation: WalShare[];
  byRecordType: WalShare[];
  /** Whether the window started right after a checkpoint (every page's first change then carries its image). */
  afterCheckpoint: boolean;
};

export type WalProfileOptions = { calls: number; rate: number; afterCheckpoint: boolean; say: (line: string) => void };

export async function profileWalPerCall(system: BenchStack, options: WalProfileOptions): Promise<WalProfile> {
  const sql = system.db.$client;
  await sql`create extension if not exists pg_walinspect`;
  const body = { from: '+15550001', to: system.queue.number, language: 'en' };
  // Warm up (connections, prepared statements, the first pages of each table) outside the window.
  await pacedLoad({ url: system.api.url, headers: system.headers, rate: options.rate, durationSec: 1, body });
  await waitUntilQueued(system.db, system.queue.id, performance.now(), 60_000);
  await drained(system);
  if (options.afterCheckpoint) await sql`checkpoint`;
  const [{ lsn: start }] = await sql<[{ lsn: string }]>`select pg_current_wal_insert_lsn()::text as lsn`;
  const sent = await pacedLoad({ url: system.api.url, headers: system.headers, rate: options.rate, durationSec: options.calls / options.rate, body });
  if ((await waitUntilQueued(system.db, system.queue.id, performance.now(), 120_000)) === null)
    throw new Error('the worker did not queue every call within 2 minutes');
  await drained(system);
  const [{ lsn: end }] = await sql<[{ lsn: string }]>`select pg_current_wal_insert_lsn()::text as lsn`;
  options.say(`${sent.accepted} calls accepted at ${options.rate}/s; WAL from ${start} to ${end}`);

  const byRecordType = await sql<WalShare[]>`
    select "resource_manager/record_type" as name, count::int as records, record_size::float8 as "recordBytes", fpi_size::float8 as "fpiBytes"
      from pg_get_wal_stats(${start}::pg_lsn, ${end}::pg_lsn, true) where count > 0 order by combined_size desc`;
  // A record changing several blocks is counted once, at its first block (without images); its images per block.
  const byRelation = await sql<WalShare[]>`
    with blocks as (
      select reltablespace, relfilenode, block_fpi_length, block_id = min(block_id) over (partition by start_lsn) as first,
             record_length - sum(block_fpi_length) over (partition by start_lsn) as record_without_images
        from pg_get_wal_block_info(${start}::pg_lsn, ${end}::pg_lsn, false))
    select coalesce(pg_filenode_relation(case when reltablespace = (select oid from pg_tablespace where spcname = 'pg_default') then 0 else reltablespace end,
                                         relfilenode)::text, 'filenode ' || relfilenode) as name,
           count(*) filter (where first)::int as records,
           coalesce(sum(record_without_images) filter (where first), 0)::float8 as "recordBytes",
           coalesce(sum(block_fpi_length), 0)::float8 as "fpiBytes"
      from blocks group by 1`;
  byRelation.sort((a, b) => b.recordBytes + b.fpiBytes - (a.recordBytes + a.fpiBytes));
  const [{ total }] = await sql<[{ total: number }]>`select (${end}::pg_lsn - ${start}::pg_lsn)::float8 as total`;
  const fpiBytes = byRecordType.reduce((sum, r) => sum + r.fpiBytes, 0);
  return { calls: sent.accepted, totalBytes: total, fpiBytes, byRelation, byRecordType, afterCheckpoint: options.afterCheckpoint };
}

/** Waits until no outbox row is owed: the relays' deletes belong to the calls' WAL too. */
async function drained(system: BenchStack): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const [{ n }] = await system.db.$client<[{ n: number }]>`select count(*)::int as n from outbox`;
    if (n === 0) return;
    if (Date.now() > until) throw new Error(`${n} outbox rows still owed after a minute`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

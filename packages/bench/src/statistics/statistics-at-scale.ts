// What a wallboard's poll costs with a million stored calls: GET /queues/{id}/stats's statements (`destinationFigures`)
// and the /metrics gauges (`liveRoutingFigures`) timed on a durable PostgreSQL holding N calls, each with its visit,
// spread over a week and over several queues; beside the same reads with the visits' indexes dropped (the baseline).
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { destinationFigures, liveRoutingFigures, type StatisticsOptions } from '@switchboard/db';

export type ScaleOptions = {
  calls: number;
  queues: number;
  /** How far back the stored calls go. */
  days: number;
  /** Timed reads per measurement (after a few warm-up ones). */
  reads: number;
  say: (line: string) => void;
};

export type ReadTimes = { medianMs: number; p99Ms: number; maxMs: number };
export type ScaleResult = {
  rows: { label: string; indexed: ReadTimes; withoutIndexes?: ReadTimes }[];
  seedSec: number;
  tableMiB: number;
  windowVisits: number;
};

const figureOptions: StatisticsOptions = { windowSec: 900, serviceLevelSec: 20, waitThresholdsSec: [10, 20, 30, 60] };

/** Stores `calls` calls over `days` days in `queues` queues: a call and a visit each, most answered, some abandoned, a few waiting now. */
async function seed(sql: postgres.Sql, options: ScaleOptions): Promise<string[]> {
  const queueIds = Array.from({ length: options.queues }, () => randomUUID());
  await sql`insert into routing_domains (name) values ('statistics-scale') on conflict do nothing`;
  await sql`
    insert into queues (id, name, number, domain)
    select id, 'Scale ' || n, '7' || lpad(n::text, 6, '0'), 'statistics-scale' from unnest(${queueIds}::uuid[]) with ordinality as q(id, n)`;
  await sql`
    insert into agents (name, extension, domain, state)
    select 'Scale agent ' || n, 'scale-' || n, 'statistics-scale', (array['available','on_call','wrap_up','ringing','break'])[1 + n % 5]::agent_state
      from generate_series(1, 50) as n`;
  await sql`
    insert into queue_members (queue_id, agent_id, position)
    select q.id, a.id, row_number() over (partition by q.id order by a.extension)
      from unnest(${queueIds}::uuid[]) as q(id) cross join agents a where a.domain = 'statistics-scale'`;
  // In slices, so no statement runs past the statement timeout and the WAL of one is bounded.
  const slice = 100_000;
  for (let from = 0; from < options.calls; from += slice) {
    const to = Math.min(options.calls, from + slice);
    await sql`
      with made as (
        select gen_random_uuid() as id, (${queueIds}::uuid[])[1 + (n % ${options.queues}::int)] as destination_id,
               now() - make_interval(secs => ${options.days * 86_400}::float8 * (n::float8 / ${options.calls}::float8)) as entered_at,
               n % 100 as kind, (n % 7)::int as priority
          from generate_series(${from + 1}::int, ${to}::int) as n
      ), call_rows as (
        insert into calls (id, "from", "to", language, type, priority, destination_id, destination_name, destination_number, domain,
                           current_destination_id, status, created_at, updated_at)
        select id, '+1555' || kind, 'scale', 'en', 'queue', priority, destination_id, 'Scale', 'scale', 'statistics-scale', destination_id,
               case when kind < 85 then 'completed' else 'abandoned' end::call_status, entered_at, entered_at
          from made
      )
      insert into destination_visits (call_id, destination_kind, destination_id, priority, entered_at, answered_at, ended_at, outcome)
      select id, 'queue', destination_id, priority, entered_at,
             case when kind < 85 then entered_at + make_interval(secs => (kind % 40)::float8) end,
             entered_at + make_interval(secs => (case when kind < 85 then 40 + kind * 3 else 5 + kind % 60 end)::float8),
             case when kind < 85 then 'completed' else 'abandoned' end
        from made`;
    options.say(`stored ${to.toLocaleString('en-US')} calls`);
  }
  // A few waiting now in each queue, as the live part of the figures reads them.
  await sql`
    insert into calls (id, "from", "to", language, type, destination_id, destination_name, destination_number, domain, current_destination_id, status)
    select gen_random_uuid(), '+1', 'scale', 'en', 'queue', q.id, 'Scale', 'scale', 'statistics-scale', q.id, 'queued'
      from unnest(${queueIds}::uuid[]) as q(id) cross join generate_series(1, 5)`;
  await sql`
    insert into destination_visits (call_id, destination_kind, destination_id, entered_at)
    select id, 'queue', current_destination_id, now() - interval '30 seconds' from calls where status = 'queued' and domain = 'statistics-scale'`;
  await sql`vacuum analyze destination_visits`;
  await sql`vacuum analyze calls`;
  return queueIds;
}

async function time(reads: number, read: () => Promise<unknown>): Promise<ReadTimes> {
  for (let i = 0; i < 5; i++) await read();
  const ms: number[] = [];
  for (let i = 0; i < reads; i++) {
    const started = performance.now();
    await read();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  return { medianMs: at(0.5), p99Ms: at(0.99), maxMs: ms.at(-1)! };
}

/** Seeds, then times each read with the visits' indexes, then again without them (dropped, in the same run). */
export async function measureStatisticsAtScale(sql: postgres.Sql, options: ScaleOptions): Promise<ScaleResult> {
  const seedStarted = performance.now();
  const queueIds = await seed(sql, options);
  const seedSec = (performance.now() - seedStarted) / 1000;
  const [{ bytes }] = await sql<[{ bytes: number }]>`select pg_total_relation_size('destination_visits')::float8 as bytes`;
  const [{ n: windowVisits }] = await sql<[{ n: number }]>`
    select count(*)::int as n from destination_visits where destination_id = ${queueIds[0]!} and entered_at >= now() - interval '15 minutes'`;
  const queue = { kind: 'queue' as const, id: queueIds[0]! };
  const reads = {
    'GET /queues/{id}/stats (15 min window)': () => destinationFigures(sql, queue, figureOptions),
    'GET /queues/{id}/stats (24 h window)': () => destinationFigures(sql, queue, { ...figureOptions, windowSec: 86_400 }),
    '/metrics gauges (every destination)': () => liveRoutingFigures(sql),
  };
  const rows: ScaleResult['rows'] = [];
  for (const [label, read] of Object.entries(reads)) rows.push({ label, indexed: await time(options.reads, read) });
  // The baseline: the same reads on the same rows without the visits' indexes on destination (a scan per read). The
  // database is the run's own and is thrown away after it.
  await sql`drop index destination_visits_window_idx`;
  await sql`drop index destination_visits_open_destination_idx`;
  const fewer = Math.max(5, Math.floor(options.reads / 10));
  for (const [i, read] of Object.values(reads).entries()) rows[i]!.withoutIndexes = await time(fewer, read);
  return { rows, seedSec, tableMiB: bytes / 2 ** 20, windowVisits };
}

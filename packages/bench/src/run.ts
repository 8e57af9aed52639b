// One bench run: ceilings and POST /call in interleaved rounds, then fixed rates with end-to-end timing, then the checks.
import { randomUUID } from 'node:crypto';
import { dbCeiling, type DbCeilingResult } from './ceilings/db-ceiling.ts';
import { httpCeiling, startNoopServer } from './ceilings/http-ceiling.ts';
import { EndToEndWatch } from './load/end-to-end.ts';
import { measureHops, type Hops } from './load/hops.ts';
import { pacedLoad, type PacedResult } from './load/paced-load.ts';
import { maxLoad, type MaxLoadResult } from './load/post-call-load.ts';
import type { Percentiles } from './load/latency.ts';
import { account, waitUntilQueued, type Accounting } from './report/accounting.ts';
import { machineFacts, type MachineFacts } from './report/machine.ts';
import { peakRssMiB, startBenchStack } from './stack/bench-stack.ts';

export type BenchSettings = { smoke: boolean; durationSec: number; rounds: number; connections: number; rates: number[]; e2eRate: number; profileDir?: string };

export type FixedRate = PacedResult & { endToEnd: Percentiles; hops: Hops; drainMs: number | null };

export type BenchResults = {
  machine: MachineFacts;
  settings: BenchSettings;
  httpCeiling: { median: number; rounds: MaxLoadResult[] };
  dbCeiling: { median: number; rounds: DbCeilingResult[] };
  postCall: { median: MaxLoadResult; rounds: MaxLoadResult[]; drainMs: (number | null)[] };
  fixedRates: FixedRate[];
  afterLoad: { accounting: Accounting; duplicateQueuedEvents: number; peakRssMiB: { callApi: number | null; queueWorker: number | null } };
  ratios: { postCallToHttp: number; postCallToDb: number };
  serviceExits: string[];
};

const median = <T>(items: T[], by: (t: T) => number): T => items.toSorted((a, b) => by(a) - by(b))[Math.floor((items.length - 1) / 2)]!;

/** The call id from a 202 body without parsing it all (the generator's time is the measurement's). */
const idOf = (body: string): string => (body.startsWith('{"id":"') ? body.slice(7, 43) : (JSON.parse(body) as { id: string }).id);

export async function runBench(settings: BenchSettings, say: (line: string) => void): Promise<BenchResults> {
  const profileEnv: Record<string, string> = settings.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${settings.profileDir}` } : {};
  const system = await startBenchStack({ say, apiEnv: profileEnv });
  const noop = await startNoopServer();
  const watch = new EndToEndWatch(system.kafka, system.topics.callEvents, `bench-${randomUUID().slice(0, 8)}`);
  try {
    await watch.start();
    const machine = await machineFacts(system.db, system.stack.kafka?.version);
    const body = { from: '+15550001', to: system.queue.number, language: 'en' };
    const { connections, durationSec } = settings;
    const acceptedIds: string[] = [];
    // Lets the worker finish what a phase left before the next starts, and says how long that took.
    const drain = (since: number) => waitUntilQueued(system.db, system.queue.id, since, 120_000);

    const http: MaxLoadResult[] = [];
    const db: DbCeilingResult[] = [];
    const post: MaxLoadResult[] = [];
    const postDrain: (number | null)[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      say(`round ${round}/${settings.rounds}: HTTP ceiling`);
      http.push(await httpCeiling(noop, { connections, durationSec, body }));
      say(`round ${round}/${settings.rounds}: database ceiling`);
      db.push(await dbCeiling({ databaseUrl: system.stack.databaseUrl, concurrency: connections, durationSec }));
      say(`round ${round}/${settings.rounds}: POST /call at full speed`);
      const result = await maxLoad({ url: system.api.url, headers: system.headers, connections, durationSec, body, onAccepted: (b) => acceptedIds.push(idOf(b)) });
      const ended = performance.now();
      post.push(result);
      postDrain.push(await drain(ended));
      say(`  HTTP ${Math.round(http.at(-1)!.requestsPerSec)}/s, DB ${Math.round(db.at(-1)!.rowsPerSec)}/s, POST /call ${Math.round(result.requestsPerSec)}/s, drained in ${postDrain.at(-1)} ms`);
    }

    // The database ceiling deletes its rows from `calls` after each round: a bench artifact of hundreds of thousands of
    // dead rows that autovacuum would otherwise clean up in the middle of the fixed-rate phases. Only that is settled
    // here; the outbox's own churn is the system's, and its autovacuum settings (migration 0001) deal with it.
    say('vacuuming calls (the database ceiling deleted its rows there) before the fixed rates');
    await system.db.$client`vacuum (analyze) calls`.simple();

    const fixedRates: FixedRate[] = [];
    for (const rate of settings.rates) {
      const behindMs = await watch.caughtUp(acceptedIds.length);
      say(`POST /call at ${rate}/s for ${durationSec} s (the bench's event reader needed ${behindMs} ms to catch up first)`);
      const e2e = watch.measure();
      const onAccepted = (id: string, at: number) => {
        acceptedIds.push(id);
        watch.onSent(id, at);
      };
      const result = await pacedLoad({ url: system.api.url, headers: system.headers, rate, durationSec, body, onAccepted });
      const drainMs = await drain(performance.now());
      fixedRates.push({ ...result, endToEnd: e2e.percentiles(), hops: await measureHops(system.db, watch.seenInPhase()), drainMs });
      say(`  p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms, end to end p99 ${fixedRates.at(-1)!.endToEnd.p99Ms} ms`);
    }

    // A phase's end cuts off at most one request per connection after the server committed it.
    const accounting = await account(system.db, system.queue.id, acceptedIds, connections * settings.rounds);
    const peak = { callApi: await peakRssMiB(system.api), queueWorker: await peakRssMiB(system.worker) };
    const httpMedian = median(http, (r) => r.requestsPerSec).requestsPerSec;
    const dbMedian = median(db, (r) => r.rowsPerSec).rowsPerSec;
    const postMedian = median(post, (r) => r.requestsPerSec);
    return {
      machine, settings,
      httpCeiling: { median: httpMedian, rounds: http },
      dbCeiling: { median: dbMedian, rounds: db },
      postCall: { median: postMedian, rounds: post, drainMs: postDrain },
      fixedRates,
      afterLoad: { accounting, duplicateQueuedEvents: watch.duplicates, peakRssMiB: peak },
      ratios: { postCallToHttp: postMedian.requestsPerSec / httpMedian, postCallToDb: postMedian.requestsPerSec / dbMedian },
      serviceExits: [...system.exits],
    };
  } finally {
    await watch.stop().catch(() => {});
    await noop.stop();
    await system.stop();
  }
}

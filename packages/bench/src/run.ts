// One bench run: ceilings, POST /call and the prototype's design in interleaved rounds (with what each call cost in CPU),
// then fixed rates with end-to-end timing, routing, the checks, and then the phases that start workers of their own:
// a worker's takeover after a SIGKILL, and 3 workers with 3 domains against 1 and 1.
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { checkPrototype, loadPrototype, removePrototypeRows, startPrototype, type PrototypeCheck } from './baselines/prototype-baseline.ts';
import { dbCeiling, type DbCeilingResult } from './ceilings/db-ceiling.ts';
import { httpCeiling, startNoopServer } from './ceilings/http-ceiling.ts';
import { costPerCall, CpuMeter, type CallCost, type PhaseCpu } from './cost/cost-per-call.ts';
import { EndToEndWatch } from './load/end-to-end.ts';
import { measureHops, type Hops } from './load/hops.ts';
import { pacedLoad, type PacedResult } from './load/paced-load.ts';
import { maxLoad, type MaxLoadResult } from './load/post-call-load.ts';
import type { Percentiles } from './load/latency.ts';
import { account, waitUntilEventsPublished, waitUntilQueued, type Accounting } from './report/accounting.ts';
import { accountRouting, routingPhases, SimulatedAgents, type RoutingAccounting, type RoutingPhase } from './routing/routing-load.ts';
import { machineFacts, type MachineFacts } from './report/machine.ts';
import { storageSettings, type StorageKind, type StorageSettings } from './report/storage.ts';
import type { BenchServer } from './stack/bench-server.ts';
import { benchApplicationName, peakRssMiB, startBenchStack, type BenchStack } from './stack/bench-stack.ts';
import { measureScaling, type ScalingResult } from './routing/scaling.ts';
import { measureTakeover, type TakeoverResult } from './routing/takeover.ts';
import type { PhasePlace } from './stack/phase-stack.ts';
import { createDatabase, closeDatabase } from '@switchboard/db';
import { buildServices } from '../../local-stack/src/build-services.ts';
import { provisionServices } from '../../local-stack/src/provision.ts';

export type BenchSettings = {
  smoke: boolean; durationSec: number; rounds: number; connections: number; rates: number[]; e2eRate: number;
  /**
   * Both designs run at full speed this long before the rounds, unmeasured: the JVM (Kafka), Node and PostgreSQL
   * compile and cache what the load uses (Kafka's JIT alone took 11 s of CPU in a fresh stack's first 40 s), which
   * would otherwise be charged to round 1's calls.
   */
  warmUpSec: number;
  /** Offered rates of the routing phases, and the free agents of their queue. */
  routingRates: number[]; routingAgents: number;
  /** PostgreSQL's own durable defaults, or the throwaway settings (`--throwaway-storage`). */
  storage: StorageKind;
  profileDir?: string;
  /** Row 10: the takeover of a domain after its owner's SIGKILL. */
  takeover: { agents: number; calls: number; sessionTimeoutMs: number };
  /** Row 11: routing throughput, 1 worker and 1 domain against 3 and 3, same offered load and agents in all. */
  scaling: { rate: number; durationSec: number; agents: number };
};

/** The phases with workers of their own (rows 10 and 11); `--only` runs just these. */
export type WorkerPhaseName = 'takeover' | 'scaling';
export const workerPhaseNames: WorkerPhaseName[] = ['takeover', 'scaling'];

/** A phase's figures, or why it has none (a run with an error fails). */
export type PhaseOutcome<T> = T | { error: string };
export const failed = <T extends object>(outcome: PhaseOutcome<T> | undefined): outcome is { error: string } => outcome !== undefined && 'error' in outcome;

export type WorkerPhases = { takeover?: PhaseOutcome<TakeoverResult>; scaling?: PhaseOutcome<ScalingResult> };

export type FixedRate = PacedResult & { endToEnd: Percentiles; hops: Hops; drainMs: number | null };

/** A design loaded at full speed, round by round: its rates and what each round cost in CPU. */
export type FullSpeed = { median: MaxLoadResult; rounds: MaxLoadResult[]; cpu: PhaseCpu[] };

export type BenchResults = {
  machine: MachineFacts;
  /** The 1, 5 and 15 minute load averages when the checks were done: with the start's, how busy the machine was. */
  loadAverageAtEnd: number[];
  settings: BenchSettings;
  storage: StorageSettings;
  httpCeiling: { median: number; rounds: MaxLoadResult[] };
  dbCeiling: { median: number; rounds: DbCeilingResult[] };
  postCall: FullSpeed & { drainMs: (number | null)[] };
  prototype: FullSpeed & { check: PrototypeCheck };
  /** CPU per accepted call over all rounds; POST /call's phases run until the worker has every accepted call. */
  cost: { postCall: CallCost; prototype: CallCost };
  fixedRates: FixedRate[];
  /** `publishedMs`: how long after the fixed-rate phases every event owed was published, before routing was timed (null: not in 300 s). */
  routing: { phases: RoutingPhase[]; accounting: RoutingAccounting; repeatedRings: number; publishedMs: number | null };
  afterLoad: { accounting: Accounting; duplicateQueuedEvents: number; peakRssMiB: { callApi: number | null; queueWorker: number | null } };
  ratios: { postCallToHttp: number; postCallToDb: number; postCallToPrototype: number; postCallToPrototypeByRound: number[] };
  serviceExits: string[];
} & WorkerPhases;

/** `--only takeover,scaling`: those phases on a stack of their own, nothing else. */
export type WorkerPhasesResults = {
  machine: MachineFacts;
  loadAverageAtEnd: number[];
  settings: BenchSettings;
  storage: StorageSettings;
} & WorkerPhases;

const median = <T>(items: T[], by: (t: T) => number): T => items.toSorted((a, b) => by(a) - by(b))[Math.floor((items.length - 1) / 2)]!;

/** The call id from a 201/202 body without parsing it all (the generator's time is the measurement's). */
const idOf = (body: string): string => (body.startsWith('{"id":"') ? body.slice(7, 43) : (JSON.parse(body) as { id: string }).id);

type Say = (line: string) => void;

export async function runBench(settings: BenchSettings, say: Say): Promise<BenchResults> {
  const profileEnv: Record<string, string> = settings.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${settings.profileDir}` } : {};
  const system = await startBenchStack({ say, apiEnv: profileEnv, durableStorage: settings.storage === 'durable', routingAgents: settings.routingAgents });
  const servers: BenchServer[] = [];
  // Started after the full-speed rounds (it reads the topic from the beginning): while they run, its fetches would be
  // Kafka work charged to POST /call's cost per call.
  const watch = new EndToEndWatch(system.kafka, system.topics.callEvents, `bench-${randomUUID().slice(0, 8)}`);
  try {
    const noop = await startNoopServer();
    servers.push(noop);
    const prototype = await startPrototype({ databaseUrl: system.stack.databaseUrl, brokers: system.stack.kafkaBrokers, kafka: system.kafka });
    servers.push(prototype);
    const machine = await machineFacts(system.db, system.stack.kafka?.version);
    const storage = await storageSettings(system.db, settings.storage);
    say(`PostgreSQL storage: ${storage.actual} (fsync=${storage.fsync}, synchronous_commit=${storage.synchronousCommit})`);
    const body = { from: '+15550001', to: system.queue.number, language: 'en' };
    const { connections, durationSec } = settings;
    const acceptedIds: string[] = [];
    const prototypeIds: string[] = [];
    // Lets the worker finish what a phase left before the next starts, and says how long that took.
    const drain = (since: number) => waitUntilQueued(system.db, system.queue.id, since, 120_000);
    const meter = new CpuMeter(
      () => ({
        callApi: system.api.child.pid, queueWorker: system.worker.child.pid, prototype: prototype.child.pid,
        postgres: system.stack.postgres?.pid, kafka: system.stack.kafka?.pid,
      }),
      system.db, benchApplicationName,
    );

    const http: MaxLoadResult[] = [];
    const db: DbCeilingResult[] = [];
    const post: FullSpeed & { drainMs: (number | null)[] } = { median: undefined!, rounds: [], cpu: [], drainMs: [] };
    const proto: FullSpeed = { median: undefined!, rounds: [], cpu: [] };
    const loadPostCall = async () => {
      const measured = await meter.start();
      const result = await maxLoad({ url: system.api.url, headers: system.headers, connections, durationSec, body, onAccepted: (b) => acceptedIds.push(idOf(b)) });
      post.drainMs.push(await drain(performance.now()));
      // Until the worker has every call: its part of a call's cost comes after the answer.
      post.cpu.push(await measured());
      post.rounds.push(result);
    };
    const loadPrototypeDesign = async () => {
      const measured = await meter.start();
      // The same headers and body as POST /call (it ignores the key), and its bodies read alike.
      const result = await loadPrototype(prototype, { headers: system.headers, connections, durationSec, body, onAccepted: (b) => prototypeIds.push(idOf(b)) });
      proto.cpu.push(await measured());
      proto.rounds.push(result);
    };
    if (settings.warmUpSec > 0) {
      say(`warm-up, not measured: POST /call, then the prototype's design, ${settings.warmUpSec} s each at full speed`);
      await maxLoad({ url: system.api.url, headers: system.headers, connections, durationSec: settings.warmUpSec, body, onAccepted: (b) => acceptedIds.push(idOf(b)) });
      await drain(performance.now());
      await loadPrototype(prototype, { headers: system.headers, connections, durationSec: settings.warmUpSec, body, onAccepted: (b) => prototypeIds.push(idOf(b)) });
    }
    for (let round = 1; round <= settings.rounds; round++) {
      const of = `round ${round}/${settings.rounds}`;
      say(`${of}: HTTP ceiling`);
      http.push(await httpCeiling(noop, { connections, durationSec, body }));
      say(`${of}: database ceiling`);
      db.push(await dbCeiling({ databaseUrl: system.stack.databaseUrl, concurrency: connections, durationSec }));
      // Alternate which design goes first, so neither always follows the database ceiling's deletes.
      const designs: [string, () => Promise<void>][] = [['POST /call', loadPostCall], ["the prototype's design", loadPrototypeDesign]];
      for (const [name, load] of round % 2 === 1 ? designs : designs.toReversed()) {
        say(`${of}: ${name} at full speed`);
        await load();
      }
      say(
        `  HTTP ${Math.round(http.at(-1)!.requestsPerSec)}/s, DB ${Math.round(db.at(-1)!.rowsPerSec)}/s, POST /call ${Math.round(post.rounds.at(-1)!.requestsPerSec)}/s ` +
          `(drained in ${post.drainMs.at(-1)} ms), prototype ${Math.round(proto.rounds.at(-1)!.requestsPerSec)}/s`,
      );
    }
    post.median = median(post.rounds, (r) => r.requestsPerSec);
    proto.median = median(proto.rounds, (r) => r.requestsPerSec);
    const prototypeCheck = await checkPrototype(system.db, system.kafka, prototype, prototypeIds);
    await removePrototypeRows(system.db, prototype);

    await watch.start();
    // The database ceiling deletes its rows from `calls` after each round, and the prototype's rows were just deleted:
    // bench artifacts of dead rows that autovacuum would otherwise clean up in the middle of the fixed-rate phases. Only
    // that is settled here; the outbox's own churn is the system's, and its autovacuum settings (migration 0001) deal with it.
    say("vacuuming calls (the ceiling's and the prototype's rows were deleted there) before the fixed rates");
    await system.db.$client`vacuum (analyze) calls`.simple();

    const fixedRates = await fixedRatePhases(system, watch, settings, body, acceptedIds, drain, say);

    // The 2,000/s phase is past capacity: the events it left owed are published before routing is timed.
    const publishedMs = await waitUntilEventsPublished(system.db, performance.now(), 300_000);
    say(`every event owed was published ${publishedMs ?? 'not within 300000'} ms after the fixed-rate phases`);

    // The simulated agents join call-events at its end: only the routing phases' calls ring for them.
    const agents = new SimulatedAgents(system.kafka, system.topics.callEvents, system.api.url, system.headers);
    const routingIds: string[] = [];
    let routing: BenchResults['routing'];
    try {
      await agents.start();
      const phases = await routingPhases(system.db, system.routingQueue, agents, { url: system.api.url, headers: system.headers, rates: settings.routingRates, durationSec: settings.durationSec }, say, routingIds);
      routing = { phases, accounting: await accountRouting(system.db, system.routingQueue.id, routingIds), repeatedRings: agents.repeatedRings, publishedMs };
    } finally {
      await agents.stop();
    }

    // A phase's end cuts off at most one request per connection after the server committed it.
    const accounting = await account(system.db, system.queue.id, acceptedIds, connections * (settings.rounds + (settings.warmUpSec > 0 ? 1 : 0)));
    const peak = { callApi: await peakRssMiB(system.api), queueWorker: await peakRssMiB(system.worker) };
    // The next phases start services of their own: these two would only take CPU from them.
    await Promise.all([system.api.stop(), system.worker.stop()]);
    const workerPhases = await runWorkerPhases({ databaseUrl: system.stack.databaseUrl, kafkaBrokers: system.stack.kafkaBrokers }, settings, workerPhaseNames, say);
    const httpMedian = median(http, (r) => r.requestsPerSec).requestsPerSec;
    const dbMedian = median(db, (r) => r.rowsPerSec).rowsPerSec;
    const phases = (d: FullSpeed) => d.rounds.map((r, i) => ({ calls: r.accepted, cpu: d.cpu[i]! }));
    return {
      machine, settings, storage,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      httpCeiling: { median: httpMedian, rounds: http },
      dbCeiling: { median: dbMedian, rounds: db },
      postCall: post,
      prototype: { ...proto, check: prototypeCheck },
      cost: {
        postCall: costPerCall(phases(post), ['callApi', 'queueWorker', 'postgres', 'kafka']),
        // The prototype's queue service only logged what it read: nothing of it to count.
        prototype: costPerCall(phases(proto), ['prototype', 'postgres', 'kafka']),
      },
      fixedRates,
      routing,
      afterLoad: { accounting, duplicateQueuedEvents: watch.duplicates, peakRssMiB: peak },
      ratios: {
        postCallToHttp: post.median.requestsPerSec / httpMedian,
        postCallToDb: post.median.requestsPerSec / dbMedian,
        postCallToPrototype: post.median.requestsPerSec / proto.median.requestsPerSec,
        postCallToPrototypeByRound: post.rounds.map((r, i) => r.requestsPerSec / proto.rounds[i]!.requestsPerSec),
      },
      serviceExits: [...system.exits],
      ...workerPhases,
    };
  } finally {
    await watch.stop().catch(() => {});
    for (const server of servers) await server.stop();
    await system.stop();
  }
}

async function fixedRatePhases(
  system: BenchStack, watch: EndToEndWatch, settings: BenchSettings, body: unknown, acceptedIds: string[],
  drain: (since: number) => Promise<number | null>, say: Say,
): Promise<FixedRate[]> {
  const fixedRates: FixedRate[] = [];
  for (const rate of settings.rates) {
    const behindMs = await watch.caughtUp(acceptedIds.length);
    say(`POST /call at ${rate}/s for ${settings.durationSec} s (the bench's event reader needed ${behindMs} ms to catch up first)`);
    const e2e = watch.measure();
    const onAccepted = (id: string, at: number) => {
      acceptedIds.push(id);
      watch.onSent(id, at);
    };
    const result = await pacedLoad({ url: system.api.url, headers: system.headers, rate, durationSec: settings.durationSec, body, onAccepted });
    const drainMs = await drain(performance.now());
    fixedRates.push({ ...result, endToEnd: e2e.percentiles(), hops: await measureHops(system.db, watch.seenInPhase()), drainMs });
    say(`  p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms, end to end p99 ${fixedRates.at(-1)!.endToEnd.p99Ms} ms`);
  }
  return fixedRates;
}

/** Rows 10 and 11, each on a database, topics and consumer group of its own on the run's PostgreSQL server and Kafka. */
async function runWorkerPhases(place: PhasePlace, settings: BenchSettings, which: WorkerPhaseName[], say: Say): Promise<WorkerPhases> {
  const outcome = async <T>(name: string, run: () => Promise<T>): Promise<PhaseOutcome<T>> => {
    try {
      return await run();
    } catch (error) {
      say(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const phases: WorkerPhases = {};
  if (which.includes('takeover')) {
    const t = settings.takeover;
    say(`takeover: ${t.agents} agents, ${t.calls} calls waiting, session timeout ${t.sessionTimeoutMs} ms; SIGKILL of the owning worker`);
    phases.takeover = await outcome('takeover', () => measureTakeover(place, { ...t, say: (line) => say(`takeover: ${line}`) }));
  }
  if (which.includes('scaling')) {
    phases.scaling = await outcome('scaling', () => measureScaling(place, { ...settings.scaling, say }));
  }
  return phases;
}

/** `--only`: the phases named, on a PostgreSQL and Kafka of their own (the services built first, as in a full run). */
export async function runOnly(settings: BenchSettings, which: WorkerPhaseName[], say: Say): Promise<WorkerPhasesResults> {
  await buildServices();
  const stack = await provisionServices({ env: process.env, useTestcontainers: false, durableStorage: settings.storage === 'durable', say });
  try {
    const db = createDatabase(stack.databaseUrl, { max: 2, applicationName: benchApplicationName });
    let machine: MachineFacts;
    let storage: StorageSettings;
    try {
      machine = await machineFacts(db, stack.kafka?.version);
      storage = await storageSettings(db, settings.storage);
    } finally {
      await closeDatabase(db);
    }
    const phases = await runWorkerPhases({ databaseUrl: stack.databaseUrl, kafkaBrokers: stack.kafkaBrokers }, settings, which, say);
    return { machine, settings, storage, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), ...phases };
  } finally {
    await stack.stop().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  }
}

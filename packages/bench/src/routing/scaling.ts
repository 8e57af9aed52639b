// Routing throughput against the number of workers and domains: 1 worker routing 1 domain, then 3 workers in one
// consumer group routing 3 domains, with the same offered load and the same agents in all. Calls arrive open-loop
// above what one worker routes; throughput is the calls that rang, were answered once and completed, over the time
// from the first POST until the last of them was over.
import { cpus, loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { partitionOfDomain } from '../../../queue-worker/src/ownership/domain-partition.ts';
import type { RunningService } from '../../../local-stack/src/services.ts';
import { freshDatabase, ownedDomains, phaseHeaders, startPhaseServices, type PhasePlace } from '../stack/phase-stack.ts';
import {
  accountRouting,
  routingPhases,
  seedRoutingQueue,
  SimulatedAgents,
  type RoutingAccounting,
  type RoutingPhase,
  type RoutingQueue,
} from './routing-load.ts';

export type ScalingOptions = {
  /** Calls per second offered in all, spread evenly over the domains' queues. */
  rate: number;
  durationSec: number;
  /** Free agents in all, split evenly over the domains' queues. */
  agents: number;
  say: (line: string) => void;
};

export type ScalingRun = {
  workers: number;
  domains: number;
  /** Which worker (by pid) owned each domain while the load ran, from each worker's `/health/ready`. */
  owners: { domain: string; partition: number; worker: number | null }[];
  /** True when each domain had its own worker. */
  ownersDistinct: boolean;
  phase: RoutingPhase;
  /** From the first POST until every call of the phase was over. */
  elapsedMs: number;
  /** Calls that rang, were answered once and completed ÷ `elapsedMs`. */
  routedPerSec: number;
  accounting: RoutingAccounting;
  repeatedRings: number;
  loadAverageAfter: number[];
};

export type ScalingResult = { cores: number; rate: number; durationSec: number; agents: number; one: ScalingRun; three: ScalingRun; ratio: number };

/**
 * Domain names on routing-inputs partitions 0, 1, 2 … (the producer's key hash, as the workers compute it). KafkaJS's
 * round-robin assigner hands a group's sorted members partitions i, i + n, i + 2n …, so with n workers the first n
 * partitions go to n different workers; the workers' own word on what they own is checked before the load all the same.
 */
export function domainSuffixes(count: number, partitions: number, base: string): string[] {
  const suffixes: string[] = [];
  for (let wanted = 0; wanted < count; wanted++) {
    for (let i = 0; ; i++) {
      const suffix = `${base}-${wanted}-${i}`;
      if (partitionOfDomain('routing-inputs', `bench-routing-${suffix}`, partitions) === wanted) {
        suffixes.push(suffix);
        break;
      }
    }
  }
  return suffixes;
}

/** Polls the workers until each domain has one owner, a different one each, twice in a row (a rebalance may still move them). */
async function waitForOwners(workers: RunningService[], domains: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  for (;;) {
    const owned = await Promise.all(workers.map(async (w) => ({ pid: w.child.pid ?? null, domains: (await ownedDomains(w)) ?? [] })));
    const owners = domains.map((domain) => {
      const by = owned.filter((o) => o.domains.includes(domain));
      return { domain, worker: by.length === 1 ? by[0]!.pid : null };
    });
    const settled = owners.every((o) => o.worker !== null);
    const distinct = new Set(owners.map((o) => o.worker)).size === owners.length;
    const now = JSON.stringify(owners);
    if ((settled && distinct && now === previous) || Date.now() > deadline) return { owners, settled };
    previous = now;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function runOnce(place: PhasePlace, options: ScalingOptions, count: number): Promise<ScalingRun> {
  const { say } = options;
  const suffix = randomUUID().slice(0, 8);
  const database = await freshDatabase(place, `bench_scaling_${count}_${suffix}`);
  const cleanup: (() => Promise<unknown>)[] = [() => database.drop()];
  try {
    const partitions = 6;
    const queues: RoutingQueue[] = [];
    // Before the workers start: each takes over the domains on its partitions when it joins.
    for (const s of domainSuffixes(count, partitions, suffix)) queues.push(await seedRoutingQueue(database.db, Math.round(options.agents / count), s));
    const headers = await phaseHeaders(database.db, 'edge', `scaling ${suffix}`);
    const services = await startPhaseServices({ place, databaseUrl: database.url, name: `scaling-${count}`, workers: count });
    cleanup.push(() => services.stop());
    const domains = queues.map((q) => q.domain);
    const { owners, settled } = await waitForOwners(services.workers, domains, 60_000);
    if (!settled) throw new Error(`scaling: not every domain had one owner within 60 s: ${JSON.stringify(owners)}`);
    const withPartitions = owners.map((o) => ({ ...o, partition: partitionOfDomain('routing-inputs', o.domain, partitions) }));
    const ownersDistinct = new Set(owners.map((o) => o.worker)).size === owners.length;
    say(
      `scaling: ${count} worker(s), ${count} domain(s): ${withPartitions.map((o) => `${o.domain} (partition ${o.partition}) → worker ${o.worker}`).join(', ')}`,
    );

    const agents = new SimulatedAgents(services.kafka, services.topics.callEvents, services.api.url, headers);
    const ids: string[] = [];
    let phase: RoutingPhase;
    let elapsedMs: number;
    try {
      await agents.start();
      const started = performance.now();
      [phase] = (await routingPhases(
        database.db,
        queues,
        agents,
        { url: services.api.url, headers, rates: [options.rate], durationSec: options.durationSec },
        say,
        ids,
      )) as [RoutingPhase];
      elapsedMs = performance.now() - started;
    } finally {
      await agents.stop();
    }
    const accounting = await accountRouting(
      database.db,
      queues.map((q) => q.id),
      ids,
    );
    if (services.exits.length > 0) throw new Error(`scaling: ${services.exits.join('; ')}`);
    const routedPerSec = accounting.acceptedRoutedOnce / (elapsedMs / 1000);
    say(`  ${Math.round(routedPerSec)} routed calls/s (${accounting.acceptedRoutedOnce} in ${(elapsedMs / 1000).toFixed(1)} s)`);
    return {
      workers: count,
      domains: count,
      owners: withPartitions,
      ownersDistinct,
      phase: phase!,
      elapsedMs: Math.round(elapsedMs),
      routedPerSec,
      accounting,
      repeatedRings: agents.repeatedRings,
      loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
    };
  } finally {
    for (const stop of cleanup.reverse()) await stop().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  }
}

/** 1 worker and 1 domain, then 3 workers and 3 domains, each on a database, topics and consumer group of its own. */
export async function measureScaling(place: PhasePlace, options: ScalingOptions): Promise<ScalingResult> {
  const one = await runOnce(place, options, 1);
  const three = await runOnce(place, options, 3);
  return {
    cores: cpus().length,
    rate: options.rate,
    durationSec: options.durationSec,
    agents: options.agents,
    one,
    three,
    ratio: three.routedPerSec / one.routedPerSec,
  };
}

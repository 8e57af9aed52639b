// A worker dies owning a large routing domain: 10,000 agents, 10,000 calls waiting. Two workers share the consumer
// group; the owner gets SIGKILL, an agent is made available at the same moment, and the clock runs until that agent
// rings for a waiting call, which only the domain's next owner can decide (after Kafka's session timeout passes, the
// group rebalances, and the survivor claims the domain and rebuilds it from PostgreSQL).
import { randomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Database } from '@switchboard/db';
import { buildServices } from '../../../local-stack/src/build-services.ts';
import { provisionServices } from '../../../local-stack/src/provision.ts';
import { pacedLoad } from '../load/paced-load.ts';
import { freshDatabase, phaseHeaders, startPhaseServices, type PhasePlace } from '../stack/phase-stack.ts';

export type TakeoverOptions = { agents: number; calls: number; sessionTimeoutMs: number; say: (line: string) => void };

/** After routing resumed: every accepted call is there, waiting, except the one that rings for the agent made available. */
export type TakeoverAccounting = { accepted: number; created: number; queued: number; ringing: number; other: number; ok: boolean };

export type TakeoverResult = {
  agents: number;
  waitingCalls: number;
  sessionTimeoutMs: number;
  /** From the owner's SIGKILL until the agent made available then rings for a waiting call. */
  resumeMs: number;
  /** The survivor's own figure for claiming and rebuilding the domain (its log line). */
  rebuildMs: number | null;
  /** When, after the SIGKILL, the survivor joined the rebalanced group, claimed the domain, and had rebuilt it (its log lines). */
  steps: { joinedMs: number | null; claimedMs: number | null; rebuiltMs: number | null };
  survivorRssBeforeMiB: number | null;
  survivorPeakRssMiB: number | null;
  accounting: TakeoverAccounting;
};

/** The issue's target: routing resumes within the consumer session timeout + 2 s. */
export const takeoverTargetMs = (result: Pick<TakeoverResult, 'sessionTimeoutMs'>) => result.sessionTimeoutMs + 2_000;

const statusOf = async (pid: number, field: 'VmRSS' | 'VmHWM') => {
  const kib = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1];
  return kib ? Math.round(Number(kib) / 1024) : null;
};

async function until<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`takeover: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Agents (on a break: logged in, not available), one queue holding them all, in a routing domain of the run's own. */
async function seedDomain(db: Database, domain: string, agents: number): Promise<{ queueId: string; number: string; firstAgent: string }> {
  const sql = db.$client;
  const number = String(randomInt(10_000_000, 99_999_999));
  await sql`insert into routing_domains (name) values (${domain})`;
  const [queue] = await sql<[{ id: string }]>`
    insert into queues (name, number, domain, strategy) values (${`Takeover ${number}`}, ${number}, ${domain}, 'longest_idle') returning id`;
  await sql`
    insert into agents (name, extension, domain, languages, state)
    select 'Takeover agent ' || n, ${number} || '-' || n, ${domain}, '{en}', 'break' from generate_series(1, ${agents}::int) as n`;
  await sql`
    insert into queue_members (queue_id, agent_id, position)
    select ${queue.id}, id, row_number() over (order by extension) from agents where domain = ${domain}`;
  const [first] = await sql<[{ id: string }]>`select id from agents where domain = ${domain} order by extension limit 1`;
  return { queueId: queue.id, number, firstAgent: first.id };
}

async function accountTakeover(db: Database, queueId: string, accepted: number): Promise<TakeoverAccounting> {
  const [row] = await db.$client<[{ created: number; queued: number; ringing: number }]>`
    select count(*)::int as created, count(*) filter (where status = 'queued')::int as queued, count(*) filter (where status = 'ringing')::int as ringing
      from calls where destination_id = ${queueId}`;
  const other = row.created - row.queued - row.ringing;
  // One agent is available, so exactly one call rings; the rest still wait, none lost, none created twice.
  return { accepted, ...row, other, ok: row.created === accepted && row.ringing === 1 && other === 0 };
}

/** `npm run bench:takeover`: on a PostgreSQL (durable) and Kafka of its own. */
export async function measureTakeoverOnOwnStack(options: TakeoverOptions): Promise<TakeoverResult> {
  await buildServices();
  const stack = await provisionServices({ env: process.env, useTestcontainers: false, durableStorage: true, say: options.say });
  try {
    return await measureTakeover({ databaseUrl: stack.databaseUrl, kafkaBrokers: stack.kafkaBrokers }, options);
  } finally {
    await stack.stop().catch((e: unknown) => options.say(`cleanup: ${String(e)}`));
  }
}

/** On a database of its own on the place's server, topics and consumer group of its own; the services must be built. */
export async function measureTakeover(place: PhasePlace, options: TakeoverOptions): Promise<TakeoverResult> {
  const { say } = options;
  const suffix = randomUUID().slice(0, 8);
  const database = await freshDatabase(place, `bench_takeover_${suffix}`);
  const { db } = database;
  const cleanup: (() => Promise<unknown>)[] = [() => database.drop()];
  try {
    const domain = `takeover-${suffix}`;
    const seedStarted = performance.now();
    const { queueId, number, firstAgent } = await seedDomain(db, domain, options.agents);
    const headers = await phaseHeaders(db, 'admin', `takeover ${suffix}`);
    const services = await startPhaseServices({
      place,
      databaseUrl: database.url,
      name: 'takeover',
      workers: 2,
      env: { CONSUMER_SESSION_TIMEOUT_MS: String(options.sessionTimeoutMs) },
      // The workers log at info: the survivor's rebuild line carries its own timing.
      workerEnv: { LOG_LEVEL: 'info' },
    });
    cleanup.push(() => services.stop());
    const { api, workers } = services;
    // Calls through the front door, as the edge posts them: each waits (every agent is on a break).
    const body = { from: '+15550001', to: number, language: 'en' };
    const posted = await pacedLoad({ url: api.url, headers, rate: 500, durationSec: options.calls / 500, body });
    const waiting = await until(
      'every call to be queued',
      300_000,
      async () => {
        const [row] = await db.$client<[{ queued: number; all: number }]>`
        select count(*) filter (where status = 'queued')::int as queued, count(*)::int as all from calls where destination_id = ${queueId}`;
        return row.all > 0 && row.queued === row.all ? row.queued : undefined;
      },
      200,
    );
    say(
      `${options.agents.toLocaleString('en-US')} agents, ${waiting.toLocaleString('en-US')} calls waiting (${posted.accepted} accepted) after ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`,
    );

    const ownerPid = await until('a worker to own the domain', 60_000, async () => {
      const [row] = await db.$client<[{ owner: string | null }?]>`select owner from routing_domains where name = ${domain}`;
      const pid = Number(row?.owner?.split(':').at(-1));
      return workers.some((w) => w.child.pid === pid) ? pid : undefined;
    });
    const owner = workers.find((w) => w.child.pid === ownerPid)!;
    const survivor = workers.find((w) => w !== owner)!;
    const survivorRssBeforeMiB = await statusOf(survivor.child.pid!, 'VmRSS');
    const linesBefore = survivor.output.length;

    services.expectExit(owner);
    const killedAt = performance.now();
    const killedAtEpochMs = Date.now();
    owner.child.kill('SIGKILL');
    // The request commits at once (its outbox row); it is decided when the domain has an owner again.
    void fetch(`${api.url}/agents/${firstAgent}/status`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'available' }),
    }).catch(() => {});
    await until(
      'the agent made available to ring',
      options.sessionTimeoutMs + 120_000,
      async () => {
        const [row] = await db.$client<[{ n: number }]>`select count(*)::int as n from calls where destination_id = ${queueId} and status = 'ringing'`;
        return row.n > 0 ? true : undefined;
      },
      10,
    );
    const resumeMs = performance.now() - killedAt;
    say(`routing resumed ${(resumeMs / 1000).toFixed(2)} s after the SIGKILL`);
    const logged = survivor.output.slice(linesBefore).map((line): { msg?: string; domain?: string; ms?: number; time?: number } => {
      try {
        return JSON.parse(line) as { msg?: string; domain?: string; ms?: number; time?: number };
      } catch {
        return {};
      }
    });
    const at = (msg: string, ofDomain = true) => {
      const entry = logged.find((e) => e.msg === msg && (!ofDomain || e.domain === domain));
      return entry?.time === undefined ? null : entry.time - killedAtEpochMs;
    };
    const rebuilt = logged.find((entry) => entry.msg === 'rebuilt the routing domain from PostgreSQL' && entry.domain === domain);
    const steps = {
      joinedMs: at('joined the consumer group', false),
      claimedMs: at('took the routing domain over'),
      rebuiltMs: at('rebuilt the routing domain from PostgreSQL'),
    };
    const step = (x: number | null) => (x === null ? 'n/a' : `${(x / 1000).toFixed(2)} s`);
    say(
      `after the SIGKILL: the survivor joined the rebalanced group at ${step(steps.joinedMs)}, claimed the domain at ${step(steps.claimedMs)}, rebuilt it at ${step(steps.rebuiltMs)}`,
    );
    const accounting = await accountTakeover(db, queueId, posted.accepted);
    if (services.exits.length > 0) throw new Error(`takeover: ${services.exits.join('; ')}`);
    return {
      agents: options.agents,
      waitingCalls: waiting,
      sessionTimeoutMs: options.sessionTimeoutMs,
      resumeMs,
      rebuildMs: rebuilt?.ms ?? null,
      steps,
      survivorRssBeforeMiB,
      survivorPeakRssMiB: await statusOf(survivor.child.pid!, 'VmHWM'),
      accounting,
    };
  } finally {
    for (const stop of cleanup.reverse()) await stop().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  }
}

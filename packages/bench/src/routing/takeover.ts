// A worker dies owning a large routing domain: 10,000 agents, 10,000 calls waiting. Two workers share the consumer
// group; the owner gets SIGKILL, an agent is made available at the same moment, and the clock runs until that agent
// rings for a waiting call, which only the domain's next owner can decide (after Kafka's session timeout passes, the
// group rebalances, and the survivor claims the domain and rebuilds it from PostgreSQL).
import { randomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { closeDatabase, createApiKey, createDatabase, migrateDatabase, type Database } from '@switchboard/db';
import { createKafka, ensureTopics } from '@switchboard/messaging';
import { buildServices } from '../../../local-stack/src/build-services.ts';
import { provisionServices } from '../../../local-stack/src/provision.ts';
import { freePort } from '../../../local-stack/src/process.ts';
import { serviceEntries, spawnService, waitReady, type RunningService } from '../../../local-stack/src/services.ts';
import { pacedLoad } from '../load/paced-load.ts';

export type TakeoverOptions = { agents: number; calls: number; sessionTimeoutMs: number; say: (line: string) => void };
export type TakeoverResult = {
  agents: number;
  waitingCalls: number;
  sessionTimeoutMs: number;
  /** From the owner's SIGKILL until the agent made available then rings for a waiting call. */
  resumeMs: number;
  /** The survivor's own figure for claiming and rebuilding the domain (its log line). */
  rebuildMs: number | null;
  survivorRssBeforeMiB: number | null;
  survivorPeakRssMiB: number | null;
};

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

export async function measureTakeover(options: TakeoverOptions): Promise<TakeoverResult> {
  const { say } = options;
  await buildServices();
  const stack = await provisionServices({ env: process.env, useTestcontainers: false, durableStorage: true, say });
  const cleanup: (() => Promise<unknown>)[] = [() => stack.stop()];
  try {
    await migrateDatabase(stack.databaseUrl);
    const suffix = randomUUID().slice(0, 8);
    const topics = {
      TOPIC_ROUTING_INPUTS: `takeover-routing-inputs-${suffix}`,
      TOPIC_ROUTING_INPUTS_DLQ: `takeover-routing-inputs-${suffix}.dlq`,
      TOPIC_CALL_EVENTS: `takeover-call-events-${suffix}`,
    };
    await ensureTopics(
      createKafka({ brokers: stack.kafkaBrokers, clientId: 'bench-takeover' }),
      Object.values(topics).map((topic) => ({ topic, partitions: 6 })),
    );
    const db = createDatabase(stack.databaseUrl, { max: 4, applicationName: 'bench' });
    cleanup.push(() => closeDatabase(db));
    const domain = `takeover-${suffix}`;
    const seedStarted = performance.now();
    const { queueId, number, firstAgent } = await seedDomain(db, domain, options.agents);
    const adminKey = (await createApiKey(db.$client, { name: `takeover ${suffix}`, role: 'admin' })).key;
    const headers = { authorization: `Bearer ${adminKey}` };
    const env = {
      DATABASE_URL: stack.databaseUrl,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      ...topics,
      CONSUMER_GROUP: `queue-worker-takeover-${suffix}`,
      CONSUMER_SESSION_TIMEOUT_MS: String(options.sessionTimeoutMs),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SECOND: '1000000',
    };
    const start = async (which: 'callApi' | 'queueWorker') => {
      // The workers log at info: the survivor's rebuild line carries its own timing.
      const own = which === 'queueWorker' ? { ...env, LOG_LEVEL: 'info' } : env;
      const service = spawnService(
        { name: which === 'callApi' ? 'call-api' : 'queue-worker', entry: serviceEntries[which], port: await freePort(), env: own },
        () => {},
      );
      cleanup.push(() => service.stop());
      await waitReady(service);
      return service;
    };
    const [api, ...workers] = await Promise.all([start('callApi'), start('queueWorker'), start('queueWorker')]);
    // Calls through the front door, as the edge posts them: each waits (every agent is on a break).
    const body = { from: '+15550001', to: number, language: 'en' };
    const posted = await pacedLoad({ url: api!.url, headers, rate: 500, durationSec: options.calls / 500, body });
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
    const survivor = workers.find((w) => w !== owner)! as RunningService;
    const survivorRssBeforeMiB = await statusOf(survivor.child.pid!, 'VmRSS');
    const linesBefore = survivor.output.length;

    const killedAt = performance.now();
    owner.child.kill('SIGKILL');
    // The request commits at once (its outbox row); it is decided when the domain has an owner again.
    void fetch(`${api!.url}/agents/${firstAgent}/status`, {
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
    const rebuilt = survivor.output
      .slice(linesBefore)
      .map((line): { msg?: string; domain?: string; ms?: number } => {
        try {
          return JSON.parse(line) as { msg?: string; domain?: string; ms?: number };
        } catch {
          return {};
        }
      })
      .find((entry) => entry.msg === 'rebuilt the routing domain from PostgreSQL' && entry.domain === domain);
    return {
      agents: options.agents,
      waitingCalls: waiting,
      sessionTimeoutMs: options.sessionTimeoutMs,
      resumeMs,
      rebuildMs: rebuilt?.ms ?? null,
      survivorRssBeforeMiB,
      survivorPeakRssMiB: await statusOf(survivor.child.pid!, 'VmHWM'),
    };
  } finally {
    for (const stop of cleanup.reverse()) await stop().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  }
}

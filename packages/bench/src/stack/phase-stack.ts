// A phase's own Switchboard on the run's PostgreSQL server and Kafka: a fresh database, fresh topics, one call-api and
// as many workers as asked in one consumer group. Routing domains live in the database and every worker takes over
// all the domains on its partitions, so a phase that counts workers and domains needs a database no other phase's
// worker routes from.
import { randomUUID } from 'node:crypto';
import { closeDatabase, createApiKey, createDatabase, createFreshDatabase, type Database } from '@switchboard/db';
import { createKafka, ensureTopics } from '@switchboard/messaging';
import type { Kafka } from 'kafkajs';
import { freePort } from '../../../local-stack/src/process.ts';
import { serviceEntries, spawnService, waitReady, type RunningService } from '../../../local-stack/src/services.ts';

/** Where a phase runs: a PostgreSQL server (the URL of any database on it) and Kafka's brokers. */
export type PhasePlace = { databaseUrl: string; kafkaBrokers: string[] };

export type PhaseDatabase = { url: string; db: Database; drop(): Promise<void> };

/** A new, migrated database on the place's server, with a connection of the bench's; `drop()` closes it and drops it. */
export async function freshDatabase(place: PhasePlace, name: string): Promise<PhaseDatabase> {
  const fresh = await createFreshDatabase(place.databaseUrl, name);
  const db = createDatabase(fresh.url, { max: 4, applicationName: 'bench' });
  return {
    url: fresh.url,
    db,
    drop: async () => {
      await closeDatabase(db);
      await fresh.drop();
    },
  };
}

export type PhaseServices = {
  api: RunningService;
  workers: RunningService[];
  kafka: Kafka;
  topics: { routingInputs: string; callEvents: string };
  /** Messages of services that exited on their own (not stopped, not killed by the phase). */
  exits: string[];
  /** Marks a service the phase kills on purpose, so its exit is not counted as a failure. */
  expectExit(service: RunningService): void;
  stop(): Promise<void>;
};

export type PhaseServicesOptions = {
  place: PhasePlace;
  databaseUrl: string;
  /** Names the topics and the consumer group (a random suffix is added). */
  name: string;
  workers: number;
  /** Added to both services' environment. */
  env?: Record<string, string>;
  /** Added to the workers' environment only. */
  workerEnv?: Record<string, string>;
};

/** Topics of its own (6 partitions, as the bench's), then call-api and the workers, all ready. */
export async function startPhaseServices(options: PhaseServicesOptions): Promise<PhaseServices> {
  const suffix = `${options.name}-${randomUUID().slice(0, 8)}`;
  const topicEnv = {
    TOPIC_ROUTING_INPUTS: `${suffix}-routing-inputs`,
    TOPIC_ROUTING_INPUTS_DLQ: `${suffix}-routing-inputs.dlq`,
    TOPIC_CALL_EVENTS: `${suffix}-call-events`,
  };
  const kafka = createKafka({ brokers: options.place.kafkaBrokers, clientId: `bench-${options.name}` });
  await ensureTopics(
    kafka,
    Object.values(topicEnv).map((topic) => ({ topic, partitions: 6 })),
  );
  const env = {
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.place.kafkaBrokers.join(','),
    ...topicEnv,
    CONSUMER_GROUP: `queue-worker-${suffix}`,
    LOG_LEVEL: 'warn',
    // The bench looks for what the services can take, so no key's rate limit may be what stops them.
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_EDGE_PER_SECOND: '1000000',
    ...options.env,
  };
  const exits: string[] = [];
  const expected = new Set<RunningService>();
  const started: RunningService[] = [];
  let stopping = false;
  const start = async (which: 'callApi' | 'queueWorker') => {
    const own = which === 'queueWorker' ? { ...env, ...options.workerEnv } : env;
    const service = spawnService(
      { name: which === 'callApi' ? 'call-api' : 'queue-worker', entry: serviceEntries[which], port: await freePort(), env: own },
      (s, code, signal) => {
        if (!stopping && !expected.has(s)) exits.push(`${options.name}: ${s.name} exited ${code ?? signal}`);
      },
    );
    started.push(service);
    await waitReady(service);
    return service;
  };
  const stop = async () => {
    stopping = true;
    await Promise.all(started.map((s) => s.stop().catch(() => {})));
  };
  try {
    const [api, ...workers] = await Promise.all([start('callApi'), ...Array.from({ length: options.workers }, () => start('queueWorker'))]);
    return {
      api: api!,
      workers,
      kafka,
      topics: { routingInputs: topicEnv.TOPIC_ROUTING_INPUTS, callEvents: topicEnv.TOPIC_CALL_EVENTS },
      exits,
      expectExit: (service) => expected.add(service),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The routing domains a worker says it owns (its readiness check's detail), or null if it did not answer. */
export async function ownedDomains(worker: RunningService): Promise<string[] | null> {
  try {
    const response = await fetch(`${worker.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    const health = (await response.json()) as { checks?: { routing?: { detail?: string } } };
    const detail = health.checks?.routing?.detail ?? '';
    return detail
      .replace(/^owns routing domains: /, '')
      .split(', ')
      .filter((d) => d && d !== 'none');
  } catch {
    return null;
  }
}

/** An edge key (what the telephony edge posts calls and actions with) or an admin key, in the phase's database. */
export async function phaseHeaders(db: Database, role: 'edge' | 'admin', name: string): Promise<Record<string, string>> {
  const { key } = await createApiKey(db.$client, { name, role });
  return { authorization: `Bearer ${key}` };
}

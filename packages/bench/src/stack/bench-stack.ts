// Brings up what one bench run loads: PostgreSQL and Kafka, both services on topics of their own, and a fresh queue.
import { randomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { closeDatabase, createApiKey, createDatabase, migrateDatabase, queues, type Database } from '@switchboard/db';
import { createKafka, ensureTopics } from '@switchboard/messaging';
import { buildServices } from '../../../local-stack/src/build-services.ts';
import { provisionServices, type ProvisionedServices } from '../../../local-stack/src/provision.ts';
import { freePort } from '../../../local-stack/src/process.ts';
import { serviceEntries, spawnService, waitReady, type RunningService } from '../../../local-stack/src/services.ts';
import type { Kafka } from 'kafkajs';
import { seedRoutingQueue, type RoutingQueue } from '../routing/routing-load.ts';

export type BenchStack = {
  stack: ProvisionedServices;
  db: Database;
  kafka: Kafka;
  api: RunningService;
  worker: RunningService;
  topics: { routingInputs: string; callEvents: string };
  queue: { id: string; number: string };
  /** A queue of free agents with no wrap-up, for the routing phases. */
  routingQueue: RoutingQueue;
  /** Headers of every POST /call the load sends (an edge key). */
  headers: Record<string, string>;
  /** Messages of services that exited on their own: a run with any is not trustworthy. */
  exits: string[];
  /** The environment both services run with (the run's database, brokers, topics and consumer group). */
  serviceEnv: Record<string, string>;
  stop(): Promise<void>;
};

export type ServiceName = 'callApi' | 'queueWorker';

export type BenchStackOptions = {
  say: (line: string) => void;
  /** Extra environment for call-api (e.g. NODE_OPTIONS=--cpu-prof while profiling). */
  apiEnv?: Record<string, string>;
  /** A local PostgreSQL with its crash-safe defaults (fsync, synchronous_commit on), as `npm start` runs it; false: throwaway settings. */
  durableStorage: boolean;
  /** Available agents of the routing phases' queue. */
  routingAgents: number;
};

/** `application_name` of the bench's own database connections (the cost per call leaves their backends out). */
export const benchApplicationName = 'bench';

export async function startBenchStack({ say, apiEnv = {}, durableStorage, routingAgents }: BenchStackOptions): Promise<BenchStack> {
  // The services run compiled, as in production: built from the sources as they are now.
  await buildServices();
  const stack = await provisionServices({ env: process.env, useTestcontainers: false, durableStorage, say });
  const cleanup: (() => Promise<void>)[] = [() => stack.stop()];
  const stopAll = async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  };
  try {
    await migrateDatabase(stack.databaseUrl);
    const suffix = randomUUID().slice(0, 8);
    const topicEnv = {
      TOPIC_ROUTING_INPUTS: `bench-routing-inputs-${suffix}`, TOPIC_ROUTING_INPUTS_DLQ: `bench-routing-inputs-${suffix}.dlq`,
      TOPIC_CALL_EVENTS: `bench-call-events-${suffix}`,
    };
    const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'bench' });
    await ensureTopics(kafka, Object.values(topicEnv).map((topic) => ({ topic, partitions: 6 })));
    const db = createDatabase(stack.databaseUrl, { max: 4, applicationName: benchApplicationName });
    cleanup.push(() => closeDatabase(db));
    const number = String(randomInt(10_000_000, 99_999_999));
    const [queue] = await db.insert(queues).values({ name: `Bench queue ${number}`, number }).returning();
    // Before the worker starts: it reads the domain's agents when it takes the domain over.
    const routingQueue = await seedRoutingQueue(db, routingAgents, suffix);
    // The load posts calls as the telephony edge does, with an edge key (so the key check is in every figure).
    const edgeKey = (await createApiKey(db.$client, { name: `bench ${suffix}`, role: 'edge' })).key;

    const env = {
      DATABASE_URL: stack.databaseUrl, KAFKA_BROKERS: stack.kafkaBrokers.join(','), ...topicEnv,
      CONSUMER_GROUP: `queue-worker-bench-${suffix}`, LOG_LEVEL: 'warn',
      // The bench looks for the most the service can take, so the edge key's rate limit must not be what stops it.
      RATE_LIMIT_EDGE_PER_SECOND: '1000000',
    };
    const exits: string[] = [];
    const start = async (which: ServiceName, extra: Record<string, string> = {}) => {
      const name = which === 'callApi' ? 'call-api' : 'queue-worker';
      const service = spawnService({ name, entry: serviceEntries[which], port: await freePort(), env: { ...env, ...extra } }, (s, code, signal) => {
        if (!stopping && !stoppedOnPurpose.has(s)) exits.push(`${s.name} exited ${code ?? signal}`);
      });
      // A service the caller stops (the start-time measurement stops these two) did not exit on its own.
      const stop = service.stop;
      service.stop = () => {
        stoppedOnPurpose.add(service);
        return stop();
      };
      cleanup.push(() => service.stop());
      await waitReady(service);
      return service;
    };
    let stopping = false;
    const stoppedOnPurpose = new Set<RunningService>();
    const [api, worker] = await Promise.all([start('callApi', apiEnv), start('queueWorker')]);
    return {
      stack, db, kafka, api, worker, exits, queue: { id: queue!.id, number }, routingQueue, serviceEnv: env,
      headers: { authorization: `Bearer ${edgeKey}` },
      topics: { routingInputs: topicEnv.TOPIC_ROUTING_INPUTS, callEvents: topicEnv.TOPIC_CALL_EVENTS },
      stop: async () => {
        stopping = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Peak resident memory (VmHWM) of a service in MiB. Services run as `node entry`, one process, so the child we
 * spawned is the service itself.
 */
export async function peakRssMiB(service: RunningService): Promise<number | null> {
  const status = await readFile(`/proc/${service.child.pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kib ? Math.round(Number(kib) / 1024) : null;
}

// Starts call-api and queue-worker as real processes on the test stack, with topics and a destination of their own.
import { randomInt, randomUUID } from 'node:crypto';
import { closeDatabase, createDatabase, queues, ringGroups } from '@switchboard/db';
import { createKafka, ensureTopics } from '@switchboard/messaging';
import { stackUrls } from '../../local-stack/src/test/context.ts';
export { eventually } from '../../local-stack/src/test/eventually.ts';
import { freePort } from '../../local-stack/src/process.ts';
import { serviceEntries, spawnService, waitReady, type RunningService } from '../../local-stack/src/services.ts';

export async function startSystem() {
  const { databaseUrl, kafkaBrokers } = stackUrls();
  const suffix = randomUUID().slice(0, 8);
  const topics = { TOPIC_CALL_REQUESTS: `call-requests-${suffix}`, TOPIC_CALL_REQUESTS_DLQ: `call-requests-${suffix}.dlq`, TOPIC_CALL_EVENTS: `call-events-${suffix}` };
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'e2e' });
  await ensureTopics(kafka, Object.values(topics).map((topic) => ({ topic, partitions: 6 })));
  const db = createDatabase(databaseUrl, { max: 4 });
  const number = String(randomInt(10_000_000, 99_999_999));
  const [queue] = await db.insert(queues).values({ name: `E2E queue ${number}`, number }).returning();
  const groupNumber = String(randomInt(10_000_000, 99_999_999));
  const [group] = await db.insert(ringGroups).values({ name: `E2E group ${groupNumber}`, number: groupNumber }).returning();

  const env = {
    DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers.join(','), ...topics,
    CONSUMER_GROUP: `queue-worker-${suffix}`, LOG_LEVEL: 'warn', OUTBOX_SWEEP_INTERVAL_MS: '250',
  };
  const exits: string[] = [];
  const onExit = (s: RunningService, code: number | null, signal: string | null) => exits.push(`${s.name} exited ${code ?? signal}`);
  const start = async (which: 'callApi' | 'queueWorker', port?: number) => {
    const service = spawnService({ name: which === 'callApi' ? 'call-api' : 'queue-worker', entry: serviceEntries[which], port: port ?? (await freePort()), env }, onExit);
    await waitReady(service);
    return service;
  };
  const [api, worker] = await Promise.all([start('callApi'), start('queueWorker')]);
  const system = {
    api: api as RunningService, worker: worker as RunningService, db, kafka, queue: queue!, group: group!, exits,
    topics: { callRequests: topics.TOPIC_CALL_REQUESTS, callEvents: topics.TOPIC_CALL_EVENTS },
    post: (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${system.api.url}/call`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    getCall: async (id: string) => (await fetch(`${system.api.url}/calls/${id}`)).json() as Promise<any>,
    /** Replaces the worker with a new process (same port, same consumer group). */
    async startWorker() {
      system.worker = await start('queueWorker', worker!.port);
      return system.worker;
    },
    /** Replaces the API with a new process on the same port. */
    async startApi() {
      system.api = await start('callApi', api!.port);
      return system.api;
    },
    /** The worker's count of call requests by outcome, read from its /metrics. */
    async workerCount(outcome: 'distributed' | 'redelivered' | 'dead_lettered'): Promise<number> {
      const text = await (await fetch(`${system.worker.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`switchboard_call_requests_total{outcome="${outcome}"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    },
    async stop() {
      await Promise.all([system.api.stop(), system.worker.stop()]);
      await closeDatabase(db);
    },
  };
  return system;
}
export type System = Awaited<ReturnType<typeof startSystem>>;

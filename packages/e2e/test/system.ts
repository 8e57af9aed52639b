// Starts call-api and queue-worker as real processes on the test stack, with topics and a destination of their own.
import { randomInt, randomUUID } from 'node:crypto';
import { closeDatabase, createApiKey, createDatabase, createFreshDatabase, queues, ringGroups, routingDomains } from '@switchboard/db';
import { createKafka, ensureTopics } from '@switchboard/messaging';
import { stackUrls } from '../../local-stack/src/test/context.ts';
export { eventually } from '../../local-stack/src/test/eventually.ts';
import { freePort } from '../../local-stack/src/process.ts';
import { serviceEntries, spawnService, waitReady, type RunningService } from '../../local-stack/src/services.ts';

export type SystemOptions = {
  /** Extra environment for every service (shorter session timeouts for takeover tests, say). */
  env?: Record<string, string>;
  /** Queue-worker processes to start (same consumer group). Default 1. */
  workers?: number;
  /** A database of its own (migrated) instead of the test stack's, for a run that leaves many rows behind. */
  databaseUrl?: string;
};

export async function startSystem(options: SystemOptions = {}) {
  const { kafkaBrokers } = stackUrls();
  const suffix = randomUUID().slice(0, 8);
  // A database of the system's own on the stack's server: another test file's call-api (its sweep sends calls still
  // received to its own topics) or worker never acts on this system's calls and domains, nor this one on theirs.
  const own = options.databaseUrl ? null : await createFreshDatabase(stackUrls().databaseUrl, `e2e_${suffix}`);
  const databaseUrl = options.databaseUrl ?? own!.url;
  const topics = { TOPIC_ROUTING_INPUTS: `routing-inputs-${suffix}`, TOPIC_ROUTING_INPUTS_DLQ: `routing-inputs-${suffix}.dlq`, TOPIC_CALL_EVENTS: `call-events-${suffix}` };
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'e2e' });
  await ensureTopics(kafka, Object.values(topics).map((topic) => ({ topic, partitions: 6 })));
  const db = createDatabase(databaseUrl, { max: 4 });
  // A routing domain of this system's own: workers of other test files (other topics, other groups) never decide for it.
  const domain = `e2e-${suffix}`;
  await db.insert(routingDomains).values({ name: domain });
  // An admin key for every request the tests make (keys and roles have tests of their own).
  const adminKey = (await createApiKey(db.$client, { name: `e2e ${suffix}`, role: 'admin' })).key;
  const authorization = { authorization: `Bearer ${adminKey}` };
  const number = String(randomInt(10_000_000, 99_999_999));
  const [queue] = await db.insert(queues).values({ name: `E2E queue ${number}`, number, domain }).returning();
  const groupNumber = String(randomInt(10_000_000, 99_999_999));
  const [group] = await db.insert(ringGroups).values({ name: `E2E group ${groupNumber}`, number: groupNumber, domain }).returning();

  const env = {
    DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers.join(','), ...topics,
    CONSUMER_GROUP: `queue-worker-${suffix}`, LOG_LEVEL: 'warn', OUTBOX_SWEEP_INTERVAL_MS: '250', ...options.env,
  };
  const exits: string[] = [];
  const onExit = (s: RunningService, code: number | null, signal: string | null) => exits.push(`${s.name} exited ${code ?? signal}`);
  const start = async (which: 'callApi' | 'queueWorker', port?: number) => {
    const service = spawnService({ name: which === 'callApi' ? 'call-api' : 'queue-worker', entry: serviceEntries[which], port: port ?? (await freePort()), env }, onExit);
    await waitReady(service);
    return service;
  };
  const [api, worker, ...moreWorkers] = await Promise.all([
    start('callApi'), ...Array.from({ length: options.workers ?? 1 }, () => start('queueWorker')),
  ]);
  const json = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${system.api.url}${path}`, {
      method, headers: body === undefined ? authorization : { ...authorization, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const system = {
    adminKey,
    api: api as RunningService, worker: worker as RunningService, workers: [worker!, ...moreWorkers] as RunningService[], db, kafka, domain, queue: queue!, group: group!, exits,
    topics: { routingInputs: topics.TOPIC_ROUTING_INPUTS, callEvents: topics.TOPIC_CALL_EVENTS },
    post: (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${system.api.url}/call`, { method: 'POST', headers: { ...authorization, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    getCall: async (id: string) => (await fetch(`${system.api.url}/calls/${id}`, { headers: authorization })).json() as Promise<any>,
    /** Any call-api route: the answer's status and parsed body. */
    json,
    /** The domains a worker says it owns (its readiness check lists them). */
    async ownedBy(service: RunningService): Promise<string[]> {
      const health = (await (await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).json()) as { checks: { routing?: { detail?: string } } };
      const detail = health.checks.routing?.detail ?? '';
      return detail.replace(/^owns routing domains: /, '').split(', ').filter((d) => d && d !== 'none');
    },
    /** Starts one more worker in the same consumer group. */
    async addWorker() {
      const added = await start('queueWorker');
      system.workers.push(added);
      return added;
    },
    /** Replaces the worker with a new process (same port, same consumer group). */
    async startWorker() {
      system.worker = await start('queueWorker', worker!.port);
      system.workers.push(system.worker);
      return system.worker;
    },
    /** Replaces the API with a new process on the same port. */
    async startApi() {
      system.api = await start('callApi', api!.port);
      return system.api;
    },
    /** The worker's count of call requests by outcome, read from its /metrics. */
    async workerCount(outcome: 'decided' | 'redelivered' | 'dead_lettered'): Promise<number> {
      const text = await (await fetch(`${system.worker.url}/metrics`, { headers: authorization })).text();
      const line = text.split('\n').find((l) => l.startsWith(`switchboard_routing_inputs_total{outcome="${outcome}"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    },
    async stop() {
      await Promise.all([system.api.stop(), system.worker.stop(), ...system.workers.map((w) => w.stop())]);
      await closeDatabase(db);
      await own?.drop();
    },
  };
  return system;
}
export type System = Awaited<ReturnType<typeof startSystem>>;

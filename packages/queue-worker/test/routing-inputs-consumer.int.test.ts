// The worker's consumer against real Kafka and PostgreSQL: calls are routed, malformed messages go to the DLQ and the
// partition goes on, and a redelivery changes nothing.
import { randomInt, randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqHeaders } from '@switchboard/contracts';
import { callEvents, calls, claimDomain, closeDatabase, createDatabase, queues, ringGroups, routingDomains, type Database } from '@switchboard/db';
import { createKafka, ensureTopics, OutboxRelay } from '@switchboard/messaging';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { partitionOfDomain } from '../src/ownership/domain-partition.ts';
import { stackUrls } from '../../local-stack/src/test/context.ts';
import { eventually } from '../../local-stack/src/test/eventually.ts';
import { readTopicUntil } from '../../messaging/test/read-topic.ts';
import { RoutingInputsConsumer } from '../src/consume/routing-inputs-consumer.ts';

const suffix = randomUUID().slice(0, 8);
// Topics of this file's own, one partition each, so order on the request topic is the order we sent.
const topics = { routingInputs: `inputs-${suffix}`, routingInputsDlq: `inputs-${suffix}.dlq`, callEvents: `events-${suffix}` };
// A routing domain of this file's own, so no other test's worker decides for it.
const defaultDomain = `worker-test-${suffix}`;
let db: Database;
let kafka: Kafka;
let producer: Producer;
let relay: OutboxRelay;
let worker: RoutingInputsConsumer;
const handled = { decided: 0, redelivered: 0, deadLettered: 0, chunks: 0, largestChunk: 0 };
const silent = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(m, o) };

async function newCall(kind: 'queue' | 'ring_group', domain = defaultDomain) {
  const number = String(randomInt(10_000_000, 99_999_999));
  const table = kind === 'queue' ? queues : ringGroups;
  const [destination] = await db.insert(table).values({ name: `Worker test ${number}`, number, domain }).returning();
  // As the configuration API does: the domain's owner reloads before it sees a call for the new destination.
  await send(domain, JSON.stringify({ id: randomUUID(), type: 'routing.config_changed', version: 1, occurredAt: new Date().toISOString(), domain, reason: 'test destination' }));
  const [call] = await db
    .insert(calls)
    .values({ id: randomUUID(), from: '1', to: number, language: 'en', type: kind, destinationId: destination!.id, destinationName: destination!.name, destinationNumber: number, domain, currentDestinationId: destination!.id })
    .returning();
  await db.insert(callEvents).values({ id: randomUUID(), callId: call!.id, sequence: 1, type: 'call.received', status: 'received', data: {} });
  const message = {
    id: randomUUID(), type: 'call.requested', version: 1, occurredAt: call!.createdAt.toISOString(), domain,
    call: {
      id: call!.id, from: '1', to: number, language: 'en', type: kind, priority: 0, metadata: {},
      destination: { kind, id: destination!.id, name: destination!.name, number }, createdAt: call!.createdAt.toISOString(),
    },
  };
  return { call: call!, message };
}

const send = (domain: string, ...values: string[]) =>
  producer.send({ topic: topics.routingInputs, acks: -1, messages: values.map((value) => ({ key: domain, value })) });

beforeAll(async () => {
  const { databaseUrl, kafkaBrokers } = stackUrls();
  db = createDatabase(databaseUrl, { max: 4 });
  kafka = createKafka({ brokers: kafkaBrokers, clientId: 'worker-test' });
  await ensureTopics(kafka, Object.values(topics).map((topic) => ({ topic, partitions: 1 })));
  await db.insert(routingDomains).values({ name: defaultDomain });
  producer = kafka.producer();
  await producer.connect();
  relay = new OutboxRelay({ db, kafka, sweepIntervalMs: 200 });
  await relay.start();
  worker = new RoutingInputsConsumer({
    kafka, db, relay, groupId: `worker-${suffix}`, topics, log: silent,
    onBatch: (s) => {
      handled.decided += s.decided;
      handled.redelivered += s.redelivered;
      handled.deadLettered += s.deadLettered;
      handled.chunks++;
      handled.largestChunk = Math.max(handled.largestChunk, s.decided + s.redelivered + s.deadLettered);
    },
  });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await relay?.stop();
  await producer?.disconnect();
  if (db) await closeDatabase(db);
});

describe('queue-worker consuming routing-inputs', () => {
  it('queues a queue call with nobody free and ends an empty ring group\'s call unanswered, each transition an event in order, on call-events too', async () => {
    const queued = await newCall('queue');
    const unanswered = await newCall('ring_group');
    await send(defaultDomain, JSON.stringify(queued.message), JSON.stringify(unanswered.message));
    const status = (id: string) => db.select({ status: calls.status }).from(calls).where(eq(calls.id, id)).then((r) => r[0]!.status);
    await eventually(() => status(queued.call.id), (s) => s === 'queued', 'the queue call to be queued');
    await eventually(() => status(unanswered.call.id), (s) => s === 'unanswered', 'the ring-group call to end unanswered');

    const timeline = await db.select().from(callEvents).where(eq(callEvents.callId, queued.call.id)).orderBy(asc(callEvents.sequence));
    expect(timeline.map((e) => [e.sequence, e.type])).toEqual([[1, 'call.received'], [2, 'call.queued']]);
    const { match } = await readTopicUntil(kafka, topics.callEvents, (m) => m.key === queued.call.id);
    expect(match.value).toMatchObject({ type: 'call.queued', callId: queued.call.id, sequence: 2, status: 'queued', data: { queueId: queued.message.call.destination.id } });
  });

  it('dead-letters malformed messages with the reason and goes on with the partition', async () => {
    const after = await newCall('queue');
    const unknown = await newCall('queue');
    const ghost = { ...unknown.message, call: { ...unknown.message.call, id: randomUUID() } };
    await send(defaultDomain, '{not json', JSON.stringify({ hello: 'world' }), JSON.stringify(ghost), JSON.stringify(after.message));

    await eventually(() => db.select().from(calls).where(eq(calls.id, after.call.id)).then((r) => r[0]!.status), (s) => s === 'queued', 'the call after the bad ones');
    const { all } = await readTopicUntil(kafka, topics.routingInputsDlq, (_m, all) => all.length >= 3);
    const reasons = all.map((m) => m.headers[dlqHeaders.reason]!.toString());
    expect(reasons).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/not a routing input v1 envelope/),
      expect.stringMatching(new RegExp(`unknown call ${ghost.call.id}`)),
    ]);
    expect(all[0]!.headers[dlqHeaders.sourceTopic]!.toString()).toBe(topics.routingInputs);
    expect(all[0]!.value).toBe('{not json');
  });

  it('decides a batch larger than a chunk (250) in several commits, each call once, none left behind', async () => {
    const domain = `worker-chunks-${suffix}`;
    await db.insert(routingDomains).values({ name: domain });
    const [queue] = await db.insert(queues).values({ name: `Chunks ${suffix}`, number: String(randomInt(10_000_000, 99_999_999)), domain }).returning();
    const ids: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < 600; i++) {
      const [call] = await db
        .insert(calls)
        .values({ id: randomUUID(), from: '1', to: queue!.number, language: 'en', type: 'queue', destinationId: queue!.id, destinationName: queue!.name, destinationNumber: queue!.number, domain, currentDestinationId: queue!.id })
        .returning();
      await db.insert(callEvents).values({ id: randomUUID(), callId: call!.id, sequence: 1, type: 'call.received', status: 'received', data: {} });
      ids.push(call!.id);
      values.push(JSON.stringify({
        id: randomUUID(), type: 'call.requested', version: 1, occurredAt: new Date().toISOString(), domain,
        call: {
          id: call!.id, from: '1', to: queue!.number, language: 'en', type: 'queue', priority: 0, metadata: {},
          destination: { kind: 'queue', id: queue!.id, name: queue!.name, number: queue!.number }, createdAt: call!.createdAt.toISOString(),
        },
      }));
    }
    const before = { ...handled };
    await send(domain, ...values); // one produce request: the consumer fetches them as one batch
    const queued = () => db.$client<[{ n: number }]>`select count(*)::int as n from calls where id = any(${ids}::uuid[]) and status = 'queued'`.then((r) => r[0].n);
    await eventually(queued, (n) => n === 600, 'all 600 calls to be queued');
    expect(handled.decided - before.decided).toBe(600);
    expect(handled.chunks - before.chunks).toBeGreaterThanOrEqual(3);
    expect(handled.largestChunk).toBeLessThanOrEqual(250);
    const events = await db.$client<[{ n: number }]>`select count(*)::int as n from call_events where call_id = any(${ids}::uuid[]) and type = 'call.queued'`;
    expect(events[0].n).toBe(600);
  });

  it('changes nothing when a call request is delivered again', async () => {
    const { call, message } = await newCall('queue');
    await send(defaultDomain, JSON.stringify(message));
    await eventually(() => db.select().from(callEvents).where(eq(callEvents.callId, call.id)), (e) => e.length === 2, 'the first delivery');
    const redeliveredBefore = handled.redelivered;
    await send(defaultDomain, JSON.stringify(message), JSON.stringify({ ...message, id: randomUUID() }));
    await eventually(async () => handled.redelivered, (n) => n === redeliveredBefore + 2, 'both redeliveries to be handled');
    const events = await db.select().from(callEvents).where(eq(callEvents.callId, call.id));
    expect(events.map((e) => e.type).sort()).toEqual(['call.queued', 'call.received']);
  });
});

describe('a routing domain whose applied offset is of another Kafka log', () => {
  it('routes new calls rather than skip them as redeliveries (Kafka\'s data made anew while PostgreSQL kept its own)', async () => {
    // As PostgreSQL kept it from an earlier Kafka cluster: far past anything this topic holds.
    const domain = `worker-reset-${suffix}`;
    await db.insert(routingDomains).values({ name: domain, appliedPartition: 0, appliedOffset: 1_000_000_000, appliedLog: 'an-earlier-kafka' });
    const { call, message } = await newCall('queue', domain);
    await send(domain, JSON.stringify(message));
    await eventually(() => db.select().from(calls).where(eq(calls.id, call.id)).then((r) => r[0]!.status), (s) => s === 'queued', 'the call to be queued');
    const [stored] = await db.select().from(routingDomains).where(eq(routingDomains.name, domain));
    expect(stored!.appliedOffset).toBeLessThan(1_000_000_000);
    expect(stored!.appliedLog).not.toBe('an-earlier-kafka');
  });
});

describe('a domain claimed by another worker while its partition stays this worker\'s', () => {
  it('is claimed again once a session timeout has passed with no rebalance, and its calls are routed: nobody else would route them', async () => {
    const domain = `worker-stale-claim-${suffix}`;
    await db.insert(routingDomains).values({ name: domain });
    const status = (id: string) => db.select({ status: calls.status }).from(calls).where(eq(calls.id, id)).then((r) => r[0]!.status);
    const first = await newCall('queue', domain);
    await send(domain, JSON.stringify(first.message));
    await eventually(() => status(first.call.id), (s) => s === 'queued', 'the first call to be queued');
    // A claim made under an earlier assignment (its worker lost the partition since, or never got it): it fences this
    // worker, but no rebalance follows to give the domain to anyone else.
    await claimDomain(db.$client, domain, 'a worker without the partition');
    const second = await newCall('queue', domain);
    await send(domain, JSON.stringify(second.message));
    const sent = Date.now();
    await eventually(() => status(second.call.id), (s) => s === 'queued', 'the call after the fence to be queued', 30_000);
    // Held off for the session timeout (10 s, the default) first, the time a rebalance would take to move the partition.
    expect(Date.now() - sent).toBeGreaterThan(9_000);
    const [row] = await db.select().from(routingDomains).where(eq(routingDomains.name, domain));
    expect(row!.owner).toBe(worker.owner);
  });
});

describe('partitionOfDomain', () => {
  it('names the partition the outbox relay\'s producer puts a domain\'s messages on', async () => {
    const topic = `partitions-${suffix}`;
    await ensureTopics(kafka, [{ topic, partitions: 6 }]);
    const keyed = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await keyed.connect();
    try {
      const domains = Array.from({ length: 24 }, (_, i) => `domain-${i}`);
      const [sent] = await Promise.all(domains.map((d) => keyed.send({ topic, acks: -1, messages: [{ key: d, value: d }] })));
      expect(sent).toBeDefined();
      const { all } = await readTopicUntil(kafka, topic, (_m, all) => all.length >= domains.length);
      const actual = new Map(all.map((m) => [m.key!, m.partition]));
      expect(domains.map((d) => partitionOfDomain(topic, d, 6))).toEqual(domains.map((d) => actual.get(d)));
      expect(new Set(actual.values()).size, 'keys spread over several partitions').toBeGreaterThan(1);
    } finally {
      await keyed.disconnect();
    }
  });
});

// A routing domain's call events published from what its decisions committed, on real PostgreSQL: in order per call,
// `call.received` ahead of the call's first decided event, nothing lost while Kafka refuses sends, and a new owner
// sending first what the previous one committed but never had acknowledged. Kafka's side is a sender that records what
// it took and refuses on demand (a refused send may have delivered part of its events, as a real one can): what is
// checked is what an edge reading call-events would see. call-flow.e2e and routing-invariants.e2e read the real topic.
import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent, CallRequested } from '@switchboard/contracts';
import { agents, callEvents, calls, createDatabase, queueMembers, queues, routingDomains, type Database } from '@switchboard/db';
import { createRandom } from '@switchboard/routing';
import { stackUrls } from '../../local-stack/src/test/context.ts';
import { eventually } from '../../local-stack/src/test/eventually.ts';
import { DomainRouter, type RouterItem } from '../src/decide/domain-router.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let db: Database;
let offset = 0;
const routers: DomainRouter[] = [];

/** Kafka as the publisher sees it: takes events in order, or refuses (having kept a prefix of them, or none). */
class FlakyKafka {
  readonly delivered: CallEvent[] = [];
  refusing = false;
  constructor(
    private readonly failureRate = 0,
    private readonly random = createRandom(7),
  ) {}
  send = async (events: readonly CallEvent[]): Promise<void> => {
    await new Promise((r) => setTimeout(r, 1));
    if (this.refusing || this.random.next() < this.failureRate) {
      this.delivered.push(...events.slice(0, Math.floor(this.random.next() * (events.length + 1))));
      throw new Error('Kafka did not acknowledge');
    }
    this.delivered.push(...events);
  };
}

type Domain = { name: string; queueId: string; queueNumber: string; agentIds: string[] };

async function newDomain(agentCount: number, ringTimeoutSec: number): Promise<Domain> {
  const suffix = randomUUID().slice(0, 8);
  const name = `publisher-test-${suffix}`;
  await db.insert(routingDomains).values({ name });
  const rows = await db
    .insert(agents)
    .values(
      Array.from({ length: agentCount }, (_, n) => ({
        name: `Agent ${n}`,
        extension: `${suffix}-${n}`,
        languages: ['en'],
        domain: name,
        state: 'available' as const,
      })),
    )
    .returning();
  const queueNumber = `7${String(Date.now()).slice(-7)}${Math.floor(Math.random() * 1e4)}`;
  const [queue] = await db
    .insert(queues)
    .values({ name: `Publisher ${suffix}`, number: queueNumber, domain: name, strategy: 'ring_all', ringTimeoutSec })
    .returning();
  await db.insert(queueMembers).values(rows.map((a, position) => ({ queueId: queue!.id, agentId: a.id, position })));
  return { name, queueId: queue!.id, queueNumber, agentIds: rows.map((a) => a.id) };
}

function router(domain: Domain, kafka: FlakyKafka): DomainRouter {
  const r = new DomainRouter({
    db,
    domain: domain.name,
    owner: `test-${routers.length}`,
    inputsLog: 'this-kafka',
    sendCallEvents: kafka.send,
    log: silent,
    publisher: { saveAfterMs: 50, idleAdvanceMs: 100, retryMs: 10, maxRetryMs: 50, catchUpBatch: 7 },
  });
  routers.push(r);
  return r;
}

/** A call stored as the API stores it (the call and its `call.received`), and its request as the worker reads it. */
async function newCall(domain: Domain): Promise<RouterItem> {
  const id = randomUUID();
  const createdAt = new Date().toISOString();
  await db.insert(calls).values({
    id,
    from: '1',
    to: domain.queueNumber,
    language: 'en',
    type: 'queue',
    destinationId: domain.queueId,
    destinationName: 'q',
    destinationNumber: domain.queueNumber,
    domain: domain.name,
    currentDestinationId: domain.queueId,
  });
  const received: CallEvent = {
    id: randomUUID(),
    type: 'call.received',
    version: 1,
    occurredAt: createdAt,
    callId: id,
    sequence: 1,
    status: 'received',
    data: { destinationId: domain.queueId },
  };
  await db
    .insert(callEvents)
    .values({ id: received.id, callId: id, sequence: 1, type: 'call.received', status: 'received', data: received.data, occurredAt: new Date(createdAt) });
  const message: CallRequested = {
    id: randomUUID(),
    type: 'call.requested',
    version: 1,
    occurredAt: createdAt,
    domain: domain.name,
    received,
    call: {
      id,
      from: '1',
      to: domain.queueNumber,
      language: 'en',
      type: 'queue',
      priority: 0,
      metadata: {},
      createdAt,
      destination: { kind: 'queue', id: domain.queueId, name: 'q', number: domain.queueNumber },
    },
  };
  return { kind: 'call', message, partition: 0, offset: ++offset };
}

const action = (domain: Domain, a: Extract<RouterItem, { kind: 'action' }>['message']['action']): RouterItem => ({
  kind: 'action',
  partition: 0,
  offset: ++offset,
  message: {
    id: randomUUID(),
    type: 'routing.action',
    version: 1,
    occurredAt: new Date().toISOString(),
    domain: domain.name,
    requestId: randomUUID(),
    action: a,
  },
});

/** Every stored event of the domain's calls, per call in sequence order. */
async function storedTimelines(domain: Domain): Promise<Map<string, { id: string; sequence: number; type: string }[]>> {
  const ids = (await db.select({ id: calls.id }).from(calls).where(eq(calls.domain, domain.name))).map((c) => c.id);
  const rows = ids.length
    ? await db.select().from(callEvents).where(inArray(callEvents.callId, ids)).orderBy(asc(callEvents.callId), asc(callEvents.sequence))
    : [];
  const timelines = new Map<string, { id: string; sequence: number; type: string }[]>();
  for (const id of ids) timelines.set(id, []);
  for (const e of rows) timelines.get(e.callId)!.push({ id: e.id, sequence: e.sequence, type: e.type });
  return timelines;
}

/**
 * What an edge reading call-events saw of each call, each event at its first arrival (a copy sent again is recognised
 * by its sequence and dropped).
 */
function firstArrivals(kafka: FlakyKafka): Map<string, { id: string; sequence: number; type: string }[]> {
  const seen = new Map<string, { id: string; sequence: number; type: string }[]>();
  for (const e of kafka.delivered) {
    let timeline = seen.get(e.callId);
    if (!timeline) seen.set(e.callId, (timeline = []));
    if (!timeline.some((t) => t.sequence === e.sequence)) timeline.push({ id: e.id, sequence: e.sequence, type: e.type });
  }
  return seen;
}

/**
 * Every event stored now reaches the edge, and what arrived of each call is its stored timeline's beginning, in order
 * and nothing else (ring timeouts may go on deciding meanwhile: what they add is checked as far as it arrived).
 */
async function expectEveryEventInOrder(domain: Domain, kafka: FlakyKafka): Promise<void> {
  const stored = await storedTimelines(domain);
  const live = async () => {
    const arrived = firstArrivals(kafka);
    return [...stored].filter(([id, events]) => (arrived.get(id)?.length ?? 0) < events.length).length;
  };
  await eventually(live, (missing) => missing === 0, 'every stored event to reach call-events', 15_000);
  const arrived = firstArrivals(kafka);
  // Read after the arrivals: everything sent was committed before it was sent, so it is here.
  const now = await storedTimelines(domain);
  for (const [callId, events] of now) {
    const seen = arrived.get(callId) ?? [];
    expect(seen, `call ${callId}: events as they first arrived`).toEqual(events.slice(0, seen.length));
  }
  expect(
    [...arrived.keys()].filter((id) => !now.has(id)),
    'calls with events that were never stored',
  ).toEqual([]);
}

const publishedTx = async (domain: Domain) =>
  (await db.$client<{ tx: string }[]>`select published_tx::text as tx from routing_domains where name = ${domain.name}`)[0]!.tx;
const lastDecisionTx = async (domain: Domain) =>
  (
    await db.$client<{ tx: string | null }[]>`
    select max(e.tx_id)::text as tx from call_events e join calls c on c.id = e.call_id where c.domain = ${domain.name} and e.sequence > 1`
  )[0]!.tx;

beforeAll(() => {
  db = createDatabase(stackUrls().databaseUrl, { max: 6 });
});

afterAll(async () => {
  for (const r of routers) await r.stop();
  await db?.$client.end({ timeout: 5 });
});

describe('call events published from what the decisions committed', () => {
  it('are sent live in commit order, call.received ahead of the first decided event, and how far is saved', async () => {
    const domain = await newDomain(2, 30);
    const kafka = new FlakyKafka();
    const owner = router(domain, kafka);
    await owner.start();
    const first = await Promise.all([newCall(domain), newCall(domain), newCall(domain)]);
    await owner.run(first);
    const ringing = (first[0] as Extract<RouterItem, { kind: 'call' }>).message.call.id;
    await owner.run([action(domain, { type: 'agent_answered', callId: ringing, agentId: domain.agentIds[0]! })]);
    await owner.run([action(domain, { type: 'call_ended', callId: ringing, by: 'agent' })]);
    await expectEveryEventInOrder(domain, kafka);
    // Each sent once: nothing failed, so nothing was read back.
    expect(kafka.delivered.length).toBe(new Set(kafka.delivered.map((e) => e.id)).size);
    expect(
      firstArrivals(kafka)
        .get(ringing)!
        .map((e) => e.type),
    ).toEqual(['call.received', 'call.queued', 'call.ringing', 'call.answered', 'call.completed']);
    // Saved on its own after the last send (no decision came to carry it): a new owner would send nothing again.
    const last = (await lastDecisionTx(domain))!;
    await eventually(
      () => publishedTx(domain),
      (tx) => BigInt(tx) >= BigInt(last),
      'the published position to be saved',
      5_000,
    );
  });

  it('wait while Kafka refuses them, decisions going on, then all go in order once it takes them again', async () => {
    const domain = await newDomain(2, 0.3);
    const kafka = new FlakyKafka();
    const owner = router(domain, kafka);
    await owner.start();
    await owner.run([await newCall(domain)]);
    await expectEveryEventInOrder(domain, kafka);
    const acknowledged = (await lastDecisionTx(domain))!;
    const saved = await eventually(
      () => publishedTx(domain),
      (tx) => BigInt(tx) >= BigInt(acknowledged),
      'the published position to be saved',
      5_000,
    );
    kafka.refusing = true;
    for (let i = 0; i < 5; i++) await owner.run([await newCall(domain), await newCall(domain)]);
    // Ring timeouts fire meanwhile (0.3 s): decisions of their own, with events.
    await new Promise((r) => setTimeout(r, 700));
    const stored = await storedTimelines(domain);
    const whileRefused = firstArrivals(kafka);
    expect(
      [...stored].filter(([id, events]) => (whileRefused.get(id)?.length ?? 0) < events.length).length,
      'calls with events not yet on call-events',
    ).toBeGreaterThan(0);
    // The decisions went on (each saves the position with its fence), but nothing Kafka did not acknowledge counts as published.
    expect(BigInt((await lastDecisionTx(domain))!)).toBeGreaterThan(BigInt(saved));
    expect(await publishedTx(domain)).toBe(saved);
    kafka.refusing = false;
    await owner.run([await newCall(domain)]);
    await expectEveryEventInOrder(domain, kafka);
  });

  it('a new owner sends first what the previous one committed and Kafka never acknowledged', async () => {
    const domain = await newDomain(3, 30);
    const deadKafka = new FlakyKafka();
    deadKafka.refusing = true;
    const old = router(domain, deadKafka);
    await old.start();
    const waiting = await Promise.all(Array.from({ length: 10 }, () => newCall(domain)));
    await old.run(waiting);
    const kafka = new FlakyKafka();
    const successor = router(domain, kafka);
    await successor.start();
    await old.stop();
    await successor.run([await newCall(domain)]);
    await expectEveryEventInOrder(domain, kafka);
    // The old owner's events came back from call_events, each call's `call.received` first.
    const arrived = firstArrivals(kafka);
    for (const item of waiting) {
      const callId = (item as Extract<RouterItem, { kind: 'call' }>).message.call.id;
      expect(arrived.get(callId)![0]!.type).toBe('call.received');
    }
  });

  it('of an idle domain: its position moves past its last decision, so a takeover need not read through what other domains wrote since', async () => {
    const domain = await newDomain(1, 30);
    const kafka = new FlakyKafka();
    const owner = router(domain, kafka);
    await owner.start();
    await owner.run([await newCall(domain)]);
    await expectEveryEventInOrder(domain, kafka);
    const last = (await lastDecisionTx(domain))!;
    await eventually(
      () => publishedTx(domain),
      (tx) => BigInt(tx) > BigInt(last),
      "the idle domain's position to move past its last decision",
      5_000,
    );
    // Not while an event is owed: Kafka refusing, the next decision's events wait, and so does the position.
    kafka.refusing = true;
    await owner.run([await newCall(domain)]);
    const owed = await publishedTx(domain);
    await new Promise((r) => setTimeout(r, 400));
    expect(await publishedTx(domain)).toBe(owed);
    kafka.refusing = false;
    await expectEveryEventInOrder(domain, kafka);
  });

  it('stay in order under random refusals, partial sends and takeovers (seeded)', { timeout: 120_000 }, async () => {
    const domain = await newDomain(4, 0.2);
    const random = createRandom(20261201);
    // One edge: every owner sends to the same topic.
    const kafka = new FlakyKafka(0.3, createRandom(99));
    let owner = router(domain, kafka);
    await owner.start();
    const live: string[] = [];
    for (let round = 0; round < 60; round++) {
      const roll = random.next();
      if (roll < 0.45) {
        const batch = await Promise.all(Array.from({ length: 1 + Math.floor(random.next() * 4) }, () => newCall(domain)));
        await owner.run(batch);
        live.push(...batch.map((b) => (b as Extract<RouterItem, { kind: 'call' }>).message.call.id));
      } else if (roll < 0.75 && live.length) {
        const rows = await db.select().from(calls).where(inArray(calls.id, live));
        const items = rows.flatMap((c): RouterItem[] => {
          const ringing = (c.routing as { ringing?: string[] } | null)?.ringing ?? [];
          if (c.status === 'ringing' && ringing.length) return [action(domain, { type: 'agent_answered', callId: c.id, agentId: ringing[0]! })];
          if (c.status === 'answered' || c.status === 'queued')
            return random.next() < 0.5 ? [action(domain, { type: 'call_ended', callId: c.id, by: 'caller' })] : [];
          return [];
        });
        await owner.run(items);
      } else if (roll < 0.85) {
        // A takeover: the next owner claims (fencing this one, whose unsent events are in call_events), then this stops.
        const next = router(domain, kafka);
        await next.start();
        await owner.stop();
        owner = next;
      } else {
        // Ring timeouts and sends in flight while nothing new comes.
        await new Promise((r) => setTimeout(r, 50 + random.next() * 250));
      }
    }
    const stored = await storedTimelines(domain);
    expect(stored.size).toBeGreaterThan(20);
    expect(
      [...stored.values()].some((t) => t.some((e) => e.type === 'call.no_answer')),
      'ring timeouts decided along the way',
    ).toBe(true);
    await expectEveryEventInOrder(domain, kafka);
  });
});

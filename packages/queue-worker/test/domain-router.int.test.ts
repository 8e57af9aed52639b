// A routing domain's router on real PostgreSQL: decisions and their effects commit together, timers are durable, a
// second owner fences the first, and a new owner rebuilds the engine and carries on where the last one stopped.
import { randomInt, randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRequested } from '@switchboard/contracts';
import {
  agents, callEvents, calls, createDatabase, FencedError, queueMembers, queues, routingDomains, routingTimers,
  type Database,
} from '@switchboard/db';
import { stackUrls } from '../../local-stack/src/test/context.ts';
import { eventually } from '../../local-stack/src/test/eventually.ts';
import { DomainRouter, type RouterItem } from '../src/decide/domain-router.ts';

const suffix = randomUUID().slice(0, 8);
const domain = `router-test-${suffix}`;
const silent = { info: () => {}, warn: () => {}, error: () => {} };
let db: Database;
let queueId: string;
let agentIds: string[];
const routers: DomainRouter[] = [];
let offset = 0;

function router(): DomainRouter {
  // What reaches call-events is call-events-publisher.int.test.ts's subject; here it is taken and dropped.
  const r = new DomainRouter({ db, domain, owner: `test-${routers.length}`, inputsLog: 'this-kafka', sendCallEvents: async () => {}, log: silent });
  routers.push(r);
  return r;
}

async function newCall(at = queueId): Promise<RouterItem> {
  const id = randomUUID();
  const queueId = at;
  const [queue] = await db.select().from(queues).where(eq(queues.id, queueId));
  await db.insert(calls).values({
    id, from: '1', to: queue!.number, language: 'en', type: 'queue', destinationId: queueId, destinationName: queue!.name,
    destinationNumber: queue!.number, domain, currentDestinationId: queueId,
  });
  await db.insert(callEvents).values({ id: randomUUID(), callId: id, sequence: 1, type: 'call.received', status: 'received', data: {} });
  const message: CallRequested = {
    id: randomUUID(), type: 'call.requested', version: 1, occurredAt: new Date().toISOString(), domain,
    call: {
      id, from: '1', to: queue!.number, language: 'en', type: 'queue', priority: 0, metadata: {}, createdAt: new Date().toISOString(),
      destination: { kind: 'queue', id: queueId, name: queue!.name, number: queue!.number },
    },
  };
  return { kind: 'call', message, partition: 0, offset: ++offset };
}

const action = (a: Extract<RouterItem, { kind: 'action' }>['message']['action']): RouterItem => ({
  kind: 'action', partition: 0, offset: ++offset,
  message: { id: randomUUID(), type: 'routing.action', version: 1, occurredAt: new Date().toISOString(), domain, requestId: randomUUID(), action: a },
});

const callRow = async (id: string) => (await db.select().from(calls).where(eq(calls.id, id)))[0]!;
const timeline = async (id: string) =>
  (await db.select().from(callEvents).where(eq(callEvents.callId, id)).orderBy(asc(callEvents.sequence))).map((e) => [e.sequence, e.type, e.data]);
const agentRows = async () => db.select().from(agents).where(inArray(agents.id, agentIds)).orderBy(asc(agents.extension));
const ringingFor = async (id: string) => ((await callRow(id)).routing as { ringing: string[] } | null)?.ringing ?? [];

beforeAll(async () => {
  db = createDatabase(stackUrls().databaseUrl, { max: 6 });
  await db.insert(routingDomains).values({ name: domain });
  const rows = await db
    .insert(agents)
    .values([1, 2, 3].map((n) => ({ name: `Agent ${n}`, extension: `${suffix}-${n}`, languages: ['en'], domain, state: 'available' as const, availableSince: new Date(Date.now() - (4 - n) * 60_000) })))
    .returning();
  agentIds = rows.sort((a, b) => a.extension.localeCompare(b.extension)).map((a) => a.id);
  const [queue] = await db.insert(queues).values({ name: `Router ${suffix}`, number: `9${Date.now() % 1e8}`, domain, strategy: 'longest_idle', ringTimeoutSec: 0.4 }).returning();
  queueId = queue!.id;
  await db.insert(queueMembers).values(agentIds.map((agentId, position) => ({ queueId, agentId, position })));
});

afterAll(async () => {
  for (const r of routers) await r.stop();
  await db?.$client.end({ timeout: 5 });
});

describe('a routing domain\'s router', () => {
  it('rings the longest idle agent, moves on after the ring timeout, and commits an answer and a hang-up with their effects', async () => {
    const first = router();
    await first.start();
    const call = await newCall();
    const callId = (call as Extract<RouterItem, { kind: 'call' }>).message.call.id;
    expect(await first.run([call])).toMatchObject({ decided: 1, redelivered: 0 });
    // Agent 1 became available longest ago.
    expect(await ringingFor(callId)).toEqual([agentIds[0]]);
    expect((await agentRows()).map((a) => [a.state, a.currentCallId])).toEqual([['ringing', callId], ['available', null], ['available', null]]);
    expect(await db.select().from(routingTimers).where(eq(routingTimers.domain, domain))).toHaveLength(1);

    // The ring timer fires from memory 0.4 s later and the next longest idle agent rings.
    await eventually(() => ringingFor(callId), (r) => r[0] === agentIds[1], 'agent 2 to ring after the timeout', 5_000);
    expect(await first.run([action({ type: 'agent_answered', callId, agentId: agentIds[1]! })])).toMatchObject({ decided: 1 });
    expect(await callRow(callId)).toMatchObject({ status: 'answered', agentId: agentIds[1] });
    expect((await agentRows())[1]).toMatchObject({ state: 'on_call', currentCallId: callId, callsAnswered: 1 });
    await first.run([action({ type: 'call_ended', callId, by: 'caller' })]);
    expect(await callRow(callId)).toMatchObject({ status: 'completed', routing: null });
    expect((await agentRows())[1]).toMatchObject({ state: 'available', currentCallId: null });
    expect((await agentRows())[1]!.talkTimeSec).toBeGreaterThan(0);
    expect((await timeline(callId)).map(([sequence, type]) => [sequence, type])).toEqual([
      [1, 'call.received'], [2, 'call.queued'], [3, 'call.ringing'], [4, 'call.no_answer'], [5, 'call.ringing'], [6, 'call.answered'], [7, 'call.completed'],
    ]);
  });

  it('skips a message it already applied (a redelivery after the offset commit was lost)', async () => {
    const [current] = routers.slice(-1);
    const call = await newCall();
    await current!.run([call]);
    const before = await timeline((call as Extract<RouterItem, { kind: 'call' }>).message.call.id);
    expect(await current!.run([call])).toMatchObject({ decided: 0, redelivered: 1 });
    expect(await timeline((call as Extract<RouterItem, { kind: 'call' }>).message.call.id)).toEqual(before);
  });

  it('is fenced once another worker claims the domain: it writes nothing more, and the new owner rings on from PostgreSQL', async () => {
    const old = routers.at(-1)!;
    const call = await newCall();
    const callId = (call as Extract<RouterItem, { kind: 'call' }>).message.call.id;
    const successor = router();
    await successor.start();
    const eventsBefore = await timeline(callId);
    await expect(old.run([call])).rejects.toBeInstanceOf(FencedError);
    expect(await timeline(callId)).toEqual(eventsBefore);
    expect((await callRow(callId)).status).toBe('received');

    await successor.run([call]);
    expect((await callRow(callId)).status).toBe('ringing');
    const rung = (await ringingFor(callId))[0]!;
    // The new owner is stopped while the call rings (a crash): a third rebuilds and its ring timer still fires.
    await successor.stop();
    const third = router();
    await third.start();
    await eventually(() => ringingFor(callId), (r) => r.length === 1 && r[0] !== rung, 'another agent to ring after the rebuilt timer fired', 5_000);
    const sequences = (await timeline(callId)).map(([sequence]) => sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
  });

  // Kafka's data made anew (or the topic deleted and made again) while PostgreSQL kept its own: new messages come at
  // offsets the stored applied offset is far past. Skipping them as redeliveries would leave their calls `received`.
  const storeApplied = (offset: number, log: string | null) =>
    db.update(routingDomains).set({ appliedPartition: 0, appliedOffset: offset, appliedLog: log }).where(eq(routingDomains.name, domain));
  const callIdOf = (item: RouterItem) => (item as Extract<RouterItem, { kind: 'call' }>).message.call.id;

  it('forgets an applied offset stored from another Kafka cluster, and routes a call at a lower offset', async () => {
    for (const r of routers) await r.stop();
    await storeApplied(1_000_000_000, 'an-earlier-kafka');
    const owner = router();
    await owner.start();
    const call = await newCall();
    expect(await owner.run([call])).toMatchObject({ decided: 1, redelivered: 0 });
    expect((await callRow(callIdOf(call))).status).not.toBe('received');
    const [stored] = await db.select().from(routingDomains).where(eq(routingDomains.name, domain));
    expect(stored).toMatchObject({ appliedPartition: 0, appliedOffset: call.offset, appliedLog: 'this-kafka' });
  });

  it('forgets an applied offset past the end of the partition (the topic made anew in the same cluster)', async () => {
    for (const r of routers) await r.stop();
    await storeApplied(1_000_000_000, 'this-kafka');
    const owner = router();
    await owner.start();
    const call = await newCall();
    // Without the partition's end, the stored offset is believed: the call is taken for a redelivery.
    expect(await owner.run([call])).toMatchObject({ decided: 0, redelivered: 1 });
    expect((await callRow(callIdOf(call))).status).toBe('received');
    // With it, the offset is seen to be of another log; a partition that truly reached it keeps skipping.
    expect(await owner.run([call], { highWatermark: call.offset + 1 })).toMatchObject({ decided: 1, redelivered: 0 });
    expect((await callRow(callIdOf(call))).status).not.toBe('received');
    await storeApplied(1_000_000_000, 'this-kafka');
    const next = router();
    await next.start();
    const later = await newCall();
    expect(await next.run([later], { highWatermark: 1_000_000_001 })).toMatchObject({ decided: 0, redelivered: 1 });
  });
});

describe('a call whose request overtakes the reload of its destination', () => {
  const callIdOf = (item: RouterItem) => (item as Extract<RouterItem, { kind: 'call' }>).message.call.id;
  let owner: DomainRouter;
  // A queue made behind the router's back: as a configuration change whose reload has not reached the worker yet (call
  // requests go to Kafka right after intake commits, reloads through the outbox, maybe of another call-api).
  const queueNobodyReloaded = async () =>
    (await db.insert(queues).values({ name: `Late ${randomUUID()}`, number: `8${randomInt(1e8, 1e9)}`, domain, strategy: 'ring_all', ringTimeoutSec: 30 }).returning())[0]!;

  beforeAll(async () => {
    for (const r of routers) await r.stop();
    await db.update(routingDomains).set({ appliedPartition: null, appliedOffset: null, appliedLog: null }).where(eq(routingDomains.name, domain));
    owner = router();
    await owner.start();
  });

  it('is queued there: the router reloads the configuration first, having committed the decisions before it', async () => {
    const late = await queueNobodyReloaded();
    const before = await newCall(); // a known queue, earlier in the same batch
    const call = await newCall(late.id);
    expect(await owner.run([before, call])).toMatchObject({ decided: 2, redelivered: 0 });
    expect((await timeline(callIdOf(call))).map(([, type]) => type)).toEqual(['call.received', 'call.queued']);
    expect((await callRow(callIdOf(call))).status).toBe('queued');
    expect((await timeline(callIdOf(before))).map(([, type]) => type)).toContain('call.queued');
    const [stored] = await db.select().from(routingDomains).where(eq(routingDomains.name, domain));
    expect(stored!.appliedOffset).toBe(call.offset);
    // The next call there needs no reload: the router knows the queue now.
    const next = await newCall(late.id);
    expect(await owner.run([next])).toMatchObject({ decided: 1 });
    expect((await callRow(callIdOf(next))).status).toBe('queued');
    await owner.run([action({ type: 'call_ended', callId: callIdOf(call), by: 'caller' }), action({ type: 'call_ended', callId: callIdOf(next), by: 'caller' })]);
  });

  it('fails as unknown_destination when the database has no such destination either (it was removed after intake)', async () => {
    const gone = await queueNobodyReloaded();
    const call = await newCall(gone.id);
    await db.delete(queues).where(eq(queues.id, gone.id));
    expect(await owner.run([call])).toMatchObject({ decided: 1 });
    expect(await timeline(callIdOf(call))).toEqual([
      [1, 'call.received', {}], [2, 'call.failed', { reason: 'unknown_destination' }],
    ]);
  });
});

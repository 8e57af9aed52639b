// The relay publishes what a crash left in the outbox, in order, and removes it once Kafka has it.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LatestSequencePerCall } from '@switchboard/contracts';
import { closeDatabase, createDatabase, outbox, type Database } from '@switchboard/db';
import type { Kafka } from 'kafkajs';
import { pauseKafka, resumeKafka, stackUrls } from '../../local-stack/src/test/context.ts';
import { createKafka, ensureTopics, OutboxRelay } from '../src/index.ts';
import { readTopicUntil } from './read-topic.ts';

const topic = `outbox-${randomUUID().slice(0, 8)}`;
let db: Database;
let kafka: Kafka;

beforeAll(async () => {
  const { databaseUrl, kafkaBrokers } = stackUrls();
  db = createDatabase(databaseUrl, { max: 4 });
  kafka = createKafka({ brokers: kafkaBrokers, clientId: 'outbox-test' });
  await ensureTopics(kafka, [{ topic, partitions: 3 }]);
});
afterAll(() => closeDatabase(db));

describe('OutboxRelay', () => {
  it('sweeps rows that no fast path published (as after a crash), keeping per-key order, then deletes them', async () => {
    const keys = ['a', 'b', 'c'];
    // Written as a process would before dying between commit and publish: nobody called relay.publish.
    const rows = await db
      .insert(outbox)
      .values(Array.from({ length: 30 }, (_, i) => ({ topic, key: keys[i % 3]!, payload: { n: i }, headers: { type: 'test' } })))
      .returning();
    const relay = new OutboxRelay({ db, kafka, sweepIntervalMs: 100, sweepMinAgeMs: 0 });
    await relay.start();
    try {
      const { all } = await readTopicUntil(kafka, topic, (_m, all) => all.length >= 30);
      for (const key of keys) {
        const ns = all.filter((m) => m.key === key).map((m) => m.value.n);
        expect(ns).toEqual(ns.toSorted((x: number, y: number) => x - y));
      }
      expect(all.map((m) => m.value.n).sort((x, y) => x - y)).toEqual(rows.map((r) => r.payload.n));
      const left = await db.select().from(outbox).where(inArray(outbox.id, rows.map((r) => r.id)));
      expect(left).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it('holds its claim transaction no longer than sendTimeoutMs while Kafka takes the request and never answers', async () => {
    // Kafka frozen (SIGSTOP): connections stay open and a produce request waits for KafkaJS's request timeout (10 s)
    // and its retries. The claim's transaction must end at the relay's own deadline, with the row back in the outbox.
    const appName = `relay-deadline-${randomUUID().slice(0, 8)}`;
    const relayDb = createDatabase(stackUrls().databaseUrl, { max: 2, applicationName: appName });
    const errors: unknown[] = [];
    const relay = new OutboxRelay({ db: relayDb, kafka, sendTimeoutMs: 500, sweepIntervalMs: 60_000, onError: (error) => errors.push(error) });
    await relay.start();
    const inTransaction = async () =>
      (await db.$client`select count(*)::int as n from pg_stat_activity where application_name = ${appName} and state like 'idle in transaction%'`)[0]!.n;
    const rows = await db.insert(outbox).values([{ topic, key: 'deadline', payload: { n: 1 }, headers: {} }]).returning();
    await pauseKafka();
    try {
      relay.publish(rows);
      await new Promise((r) => setTimeout(r, 250));
      expect(await inTransaction()).toBe(1); // the claim waits on Kafka…
      await new Promise((r) => setTimeout(r, 600));
      expect(await inTransaction()).toBe(0); // …for 500 ms, no more
      expect(errors.map((e) => (e as Error).name)).toContain('SendTimeoutError');
      expect(await db.select().from(outbox).where(inArray(outbox.id, rows.map((r) => r.id)))).toHaveLength(1);
    } finally {
      await resumeKafka();
    }
    // Kafka back: the row goes out (a late ack of the abandoned send may make it twice: at least once).
    await relay.sweep();
    const { all } = await readTopicUntil(kafka, topic, (_m, all) => all.some((m) => m.key === 'deadline'));
    expect(all.filter((m) => m.key === 'deadline').length).toBeGreaterThanOrEqual(1);
    await relay.stop();
    await closeDatabase(relayDb);
  });

  it('takes a backlog handed over at once a claim at a time, oldest first: per-key order kept, settled() only after the last', async () => {
    const keys = Array.from({ length: 50 }, () => randomUUID());
    const rows = await db
      .insert(outbox)
      .values(Array.from({ length: 5_000 }, (_, i) => ({ topic, key: keys[i % keys.length]!, payload: { n: i }, headers: { type: 'test' } })))
      .returning();
    const claims: number[] = [];
    const relay = new OutboxRelay({
      db, kafka, sweepIntervalMs: 60_000, sweepBatchSize: 1_000, orderedTopics: [topic], afterSend: async (sent) => void claims.push(sent.length),
    });
    await relay.start();
    try {
      relay.publish(rows);
      await relay.settled();
      // Every row was tried by then: the fast path sent them all, a claim's worth (1,000) at a time.
      expect(await db.select().from(outbox).where(inArray(outbox.id, rows.map((r) => r.id)))).toEqual([]);
      expect(claims).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
      const ours = new Set<string | null>(keys);
      const { all } = await readTopicUntil(kafka, topic, (_m, all) => all.filter((m) => ours.has(m.key)).length >= 5_000);
      for (const key of keys) {
        const ns = all.filter((m) => m.key === key).map((m) => m.value.n as number);
        expect(ns).toEqual(ns.toSorted((x, y) => x - y));
        expect(ns).toHaveLength(100);
      }
    } finally {
      await relay.stop();
    }
  });

  it('a claim cut after Kafka acknowledged: its row goes again, and never after a newer row of its key', async () => {
    // A call's events as the API and then the worker write them: sequence 1, then 2. The claim of 1 is cut (its backend
    // terminated) after Kafka acknowledged the send, so the row comes back. Before the fix the sweep sent it again after
    // 2 went (consumers saw 1, 2, 1); now the claim of 2 takes 1 with it, first.
    const callId = randomUUID();
    const appName = `relay-cut-${callId.slice(0, 8)}`;
    const relayDb = createDatabase(stackUrls().databaseUrl, { max: 2, applicationName: appName });
    const errors: unknown[] = [];
    let cut = 1;
    const relay = new OutboxRelay({
      db: relayDb, kafka, sweepIntervalMs: 60_000, orderedTopics: [topic], onError: (error) => errors.push(error),
      afterSend: async () => {
        if (cut-- > 0) await db.$client`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${appName} and state like 'idle in transaction%'`;
      },
    });
    await relay.start();
    const event = (sequence: number) => ({ topic, key: callId, payload: { callId, sequence }, headers: { type: 'test' } });
    try {
      const first = await db.insert(outbox).values([event(1)]).returning();
      relay.publish(first);
      await readTopicUntil(kafka, topic, (m) => m.key === callId); // Kafka has it…
      await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5_000 });
      expect(await db.select().from(outbox).where(inArray(outbox.id, first.map((r) => r.id)))).toHaveLength(1); // …and so does the outbox

      const second = await db.insert(outbox).values([event(2)]).returning();
      relay.publish(second);
      await vi.waitFor(async () => expect(await db.select().from(outbox).where(inArray(outbox.id, [...first, ...second].map((r) => r.id)))).toEqual([]), { timeout: 5_000 });
      // A last event of the call marks the end: on its partition, whatever was sent before it is read before it.
      await new Promise((r) => setTimeout(r, 300));
      relay.publish(await db.insert(outbox).values([event(3)]).returning());
      const { all } = await readTopicUntil(kafka, topic, (m) => m.key === callId && m.value.sequence === 3);
      const sequences = all.filter((m) => m.key === callId).map((m) => m.value.sequence as number);
      expect(sequences).toEqual([1, 1, 2, 3]); // 1 redelivered, but before 2: first deliveries in order
      const latest = new LatestSequencePerCall();
      expect(sequences.filter((sequence) => latest.accept({ callId, sequence }))).toEqual([1, 2, 3]);
    } finally {
      await relay.stop();
      await closeDatabase(relayDb);
    }
  });
});

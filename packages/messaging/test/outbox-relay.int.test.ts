// The relay publishes what a crash left in the outbox, in order, and removes it once Kafka has it.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase, outbox, type Database } from '@switchboard/db';
import type { Kafka } from 'kafkajs';
import { stackUrls } from '../../local-stack/src/test/context.ts';
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
});

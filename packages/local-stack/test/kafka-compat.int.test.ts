// Proves KafkaJS 2.2.4 works against the Kafka this stack runs: admin, idempotent producer, consumer groups and commits.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { stackUrls } from '../src/test/context.ts';

const { kafkaBrokers, stackPath } = stackUrls();
const kafka = new Kafka({ brokers: kafkaBrokers, clientId: 'kafka-compat-test', logLevel: logLevel.ERROR });
const topic = `compat-${randomUUID()}`;
const groupId = `compat-group-${randomUUID()}`;
const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
});

/** Runs a consumer in `groupId` until `count` messages arrived, committing each offset as it is processed. */
async function consume(count: number): Promise<{ key: string; value: string; partition: number; offset: string }[]> {
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: { key: string; value: string; partition: number; offset: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message, partition }: EachMessagePayload) => {
          seen.push({ key: String(message.key), value: String(message.value), partition, offset: message.offset });
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          if (seen.length === count) resolve();
        },
      })
      .catch(reject);
  });
  // A moment more: anything beyond `count` would be a redelivery the assertions must see.
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return seen;
}

describe(`KafkaJS 2.2.4 against the stack's Kafka (${stackPath})`, () => {
  it('creates a topic, produces idempotently with acks=all, and a consumer group resumes after committed offsets', async () => {
    const admin = kafka.admin();
    await admin.connect();
    cleanup.push(() => admin.disconnect());
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    const send = async (from: number, to: number) => {
      const messages = Array.from({ length: to - from }, (_, i) => ({ key: `call-${(from + i) % 5}`, value: `message-${from + i}` }));
      const acks = await producer.send({ topic, acks: -1, messages });
      for (const ack of acks) expect(ack.errorCode).toBe(0);
    };
    await send(0, 20);

    const first = await consume(20);
    expect(first.map((m) => m.value).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `message-${i}`).sort());
    // Same key → same partition, and within a partition offsets only grow: keyed order holds.
    for (const key of new Set(first.map((m) => m.key))) {
      const ofKey = first.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => Number(m.value.split('-')[1]))).toEqual([...ofKey.map((m) => Number(m.value.split('-')[1]))].sort((a, b) => a - b));
    }

    // The group's committed offset of every partition is its end (high watermark); unused partitions stay at -1.
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition, high } of ends) {
      const offset = committed[0]!.partitions.find((p) => p.partition === partition)?.offset;
      expect(offset).toBe(high === '0' ? '-1' : high);
    }
    expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(20);

    // A second consumer in the same group starts after the committed offsets: only the new messages, none twice.
    await send(20, 30);
    const second = await consume(10);
    expect(second.map((m) => m.value).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `message-${20 + i}`).sort());

    await admin.deleteTopics({ topics: [topic] });
  });
});

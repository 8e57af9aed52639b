// Test reader: every message a topic holds right now, read up to each partition's end.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { ReadMessage } from './read-topic.ts';

export async function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
  const all: ReadMessage[] = [];
  if (remaining.size === 0) return all;
  const consumer = kafka.consumer({ groupId: `test-whole-${randomUUID()}`, maxWaitTimeInMs: 100 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not reach the end of ${topic} within ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          all.push({ key: message.key?.toString() ?? null, value: JSON.parse(message.value!.toString()), headers: message.headers ?? {}, partition, offset: message.offset });
          const last = remaining.get(partition);
          if (last !== undefined && BigInt(message.offset) >= last) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return all;
  } finally {
    await consumer.disconnect();
  }
}

// Test reader: consumes a topic from the beginning with a fresh group until a predicate matches (or time runs out).
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

export type ReadMessage = { key: string | null; value: any; headers: IHeaders; partition: number; offset: string };

export async function readTopicUntil(
  kafka: Kafka,
  topic: string,
  done: (message: ReadMessage, all: ReadMessage[]) => boolean,
  timeoutMs = 20_000,
): Promise<{ match: ReadMessage; all: ReadMessage[] }> {
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const all: ReadMessage[] = [];
  let match: ReadMessage | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms (read ${all.length})`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const text = message.value?.toString() ?? '';
          let value: unknown = text;
          try {
            value = JSON.parse(text);
          } catch {
            /* keep the raw text: a test may be reading a malformed message on purpose */
          }
          const read = { key: message.key?.toString() ?? null, value, headers: message.headers ?? {}, partition, offset: message.offset };
          all.push(read);
          if (!match && done(read, all)) {
            match = read;
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return { match: match!, all };
  } finally {
    await consumer.disconnect();
  }
}

// Runs the prototype's design (prototype-design.ts) beside the services: its own process and topic, the same PostgreSQL
// and Kafka; loaded like POST /call, then checked against what it stored and sent.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Database } from '@switchboard/db';
import { ensureTopics } from '@switchboard/messaging';
import type { Kafka } from 'kafkajs';
import { maxLoad, type MaxLoadOptions, type MaxLoadResult } from '../load/post-call-load.ts';
import { startBenchServer, type BenchServer } from '../stack/bench-server.ts';

const serverEntry = fileURLToPath(new URL('./prototype-design.ts', import.meta.url));

export type Prototype = BenchServer & { topic: string; destinationId: string };

/** What the prototype's answers left behind: each 201 should be a stored row and a message on its topic. */
export type PrototypeCheck = { answered: number; rows: number; answeredStored: number; messages: number };

export async function startPrototype(opts: { databaseUrl: string; brokers: string[]; kafka: Kafka }): Promise<Prototype> {
  // Nothing consumes the topic: the prototype's queue service only logged what it read.
  const topic = `bench-prototype-calls-${randomUUID().slice(0, 8)}`;
  await ensureTopics(opts.kafka, [{ topic, partitions: 6 }]);
  const destinationId = randomUUID();
  const server = await startBenchServer('prototype design', serverEntry, {
    DATABASE_URL: opts.databaseUrl,
    KAFKA_BROKERS: opts.brokers.join(','),
    PROTOTYPE_TOPIC: topic,
    PROTOTYPE_DESTINATION_ID: destinationId,
  });
  return { ...server, topic, destinationId };
}

/** The same closed-loop load as POST /call; its route answers 201 with the stored call, as the prototype's did. */
export function loadPrototype(prototype: Prototype, options: Omit<MaxLoadOptions, 'url' | 'expectStatus'>): Promise<MaxLoadResult> {
  return maxLoad({ ...options, url: prototype.url, expectStatus: 201 });
}

export async function checkPrototype(db: Database, kafka: Kafka, prototype: Prototype, answeredIds: string[]): Promise<PrototypeCheck> {
  const [row] = await db.$client<{ rows: string; answered_stored: string }[]>`
    select count(*) as rows, count(*) filter (where id = any(${answeredIds}::uuid[])) as answered_stored
      from calls where destination_id = ${prototype.destinationId}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(prototype.topic);
    const messages = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    return { answered: answeredIds.length, rows: Number(row!.rows), answeredStored: Number(row!.answered_stored), messages };
  } finally {
    await admin.disconnect();
  }
}

/** Its rows are the baseline's, not the system's: removed once the rounds are over, before the fixed-rate phases. */
export async function removePrototypeRows(db: Database, prototype: Prototype): Promise<void> {
  await db.$client`delete from calls where destination_id = ${prototype.destinationId}`;
}

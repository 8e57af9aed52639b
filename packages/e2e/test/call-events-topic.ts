// What an edge reading call-events sees of each call: its events as they first arrived, by sequence (a copy sent again
// after a failure or a takeover is recognised by its sequence and dropped, as an edge does).
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { readWholeTopic } from '../../messaging/test/read-whole-topic.ts';
import { eventually } from './system.ts';

async function firstArrivals(kafka: Kafka, topic: string, callIds: ReadonlySet<string>): Promise<Map<string, number[]>> {
  const seen = new Map<string, number[]>();
  for (const message of await readWholeTopic(kafka, topic)) {
    const { callId, sequence } = message.value as { callId: string; sequence: number };
    if (!callIds.has(callId)) continue;
    let sequences = seen.get(callId);
    if (!sequences) seen.set(callId, (sequences = []));
    if (!sequences.includes(sequence)) sequences.push(sequence);
  }
  return seen;
}

/**
 * Waits until every stored event of these calls (`stored`: call id → its sequences, 1 to n) is on the topic, then
 * expects each call's to have first arrived in sequence order.
 */
export async function expectStoredEventsOnTopicInOrder(
  kafka: Kafka,
  topic: string,
  stored: ReadonlyMap<string, readonly number[]>,
  timeoutMs = 60_000,
): Promise<void> {
  const ids = new Set(stored.keys());
  const missing = (seen: Map<string, number[]>) => [...stored].filter(([id, sequences]) => (seen.get(id)?.length ?? 0) < sequences.length).length;
  const seen = await eventually(
    async () => firstArrivals(kafka, topic, ids),
    (s) => missing(s) === 0,
    `every stored event of ${ids.size} calls on ${topic}`,
    timeoutMs,
  );
  const outOfOrder = [...stored].filter(([id, sequences]) => JSON.stringify(seen.get(id)) !== JSON.stringify(sequences)).map(([id]) => [id, seen.get(id)]);
  expect(outOfOrder, 'calls whose events first reached call-events out of sequence order').toEqual([]);
}

// Proves the fault-test control works: Kafka stops, comes back on the same address with its data, and clients carry on.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { stackUrls, startKafka, stopKafka } from '../src/test/context.ts';

it('stops and starts Kafka on the same port, keeping topics and messages', async () => {
  const { kafkaBrokers } = stackUrls();
  const kafka = new Kafka({ brokers: kafkaBrokers, clientId: 'kafka-restart-test', logLevel: logLevel.NOTHING });
  const topic = `restart-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: 'a', value: 'before' }] });
  await admin.disconnect();

  await stopKafka();
  const down = kafka.admin();
  await expect(down.connect().then(() => down.listTopics())).rejects.toThrow();
  await down.disconnect().catch(() => {});

  await startKafka();
  // The same producer reconnects by itself and its idempotent sequence carries on.
  await producer.send({ topic, acks: -1, messages: [{ key: 'a', value: 'after' }] });
  await producer.disconnect();
  const again = kafka.admin();
  await again.connect();
  expect(await again.listTopics()).toContain(topic);
  expect((await again.fetchTopicOffsets(topic))[0]?.high).toBe('2');
  await again.deleteTopics({ topics: [topic] });
  await again.disconnect();
});

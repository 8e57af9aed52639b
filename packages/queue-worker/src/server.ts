// queue-worker process: consume call-requests, distribute, publish events; close gracefully on SIGTERM/SIGINT.
import { setTimeout as sleep } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import { closeDatabase, createDatabase } from '@switchboard/db';
import { createKafka, ensureTopics, OutboxRelay } from '@switchboard/messaging';
import { buildWorkerApp } from './app.ts';
import { loadConfig } from './config.ts';
import { CallRequestsConsumer } from './distribution/call-requests-consumer.ts';
import { createWorkerMetrics } from './metrics.ts';

const config = loadConfig();
const db = createDatabase(config.DATABASE_URL, { max: config.DB_POOL_MAX, applicationName: 'queue-worker' });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-queue-worker` });
const topics = { callRequests: config.TOPIC_CALL_REQUESTS, callRequestsDlq: config.TOPIC_CALL_REQUESTS_DLQ, callEvents: config.TOPIC_CALL_EVENTS };
const metrics = createWorkerMetrics();

const relay = new OutboxRelay({
  db, kafka, sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS,
  onError: (error, where) => app.log.warn({ err: error, where }, 'outbox relay could not publish; the sweep will retry'),
  onPublished: (count, via) => metrics.outboxPublished.inc({ via }, count),
});
const consumer = new CallRequestsConsumer({
  kafka, db, relay, groupId: config.CONSUMER_GROUP, sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS, topics,
  log: { info: (o, m) => app.log.info(o, m), warn: (o, m) => app.log.warn(o, m), error: (o, m) => app.log.error(o, m) },
  onBatch: ({ distributed, redelivered, deadLettered, lagMs }) => {
    metrics.callRequests.inc({ outcome: 'distributed' }, distributed);
    metrics.callRequests.inc({ outcome: 'redelivered' }, redelivered);
    metrics.callRequests.inc({ outcome: 'dead_lettered' }, deadLettered);
    for (const lag of lagMs) metrics.requestLag.observe(lag / 1000);
  },
});
const app = await buildWorkerApp({ db, consumerReady: () => consumer.isReady, registry: metrics.registry, logger: { level: config.LOG_LEVEL } });

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await consumer.stop(); // stops fetching and lets the batch in hand finish and commit
  await relay.stop(); // sends the events it holds, flushes and disconnects the producer
  await app.close();
  await closeDatabase(db);
});

await app.listen({ host: config.HOST, port: config.PORT });
// Kafka may come up after the worker: keep trying, not ready meanwhile.
for (;;) {
  try {
    await ensureTopics(kafka, Object.values(topics).map((topic) => ({ topic })));
    break;
  } catch (error) {
    app.log.warn({ err: error }, 'Kafka not reachable yet; retrying in 2 s');
    await sleep(2_000);
  }
}
await relay.start();
await consumer.start();
app.log.info({ topics, group: config.CONSUMER_GROUP }, 'consuming call requests');

// call-api process: read config, connect, listen, and close gracefully on SIGTERM/SIGINT.
import closeWithGrace from 'close-with-grace';
import { closeDatabase, createDatabase } from '@switchboard/db';
import { createKafka, ensureTopics, OutboxRelay } from '@switchboard/messaging';
import { buildApp } from './app.ts';
import { CallIntake } from './calls/intake.ts';
import { loadConfig } from './config.ts';
import { createApiMetrics } from './metrics.ts';
import { RoutingRequests } from './routing/routing-requests.ts';

const config = loadConfig();
const db = createDatabase(config.DATABASE_URL, { max: config.DB_POOL_MAX, applicationName: 'call-api' });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-call-api` });
const metrics = createApiMetrics();
const topics = { routingInputs: config.TOPIC_ROUTING_INPUTS, callEvents: config.TOPIC_CALL_EVENTS };

const relay = new OutboxRelay({
  db, kafka, sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS,
  onError: (error, where) => app.log.warn({ err: error, where }, 'outbox relay could not publish; the sweep will retry'),
  onPublished: (count, via) => metrics.outboxPublished.inc({ via }, count),
});
const intake = new CallIntake({ db, relay, topics, maxBatch: config.INTAKE_MAX_BATCH, maxConcurrent: config.INTAKE_MAX_CONCURRENT,
  onCommitted: (results) => {
    metrics.intakeBatch.observe(results.length);
    for (const r of results) metrics.calls.inc({ outcome: r.kind === 'accepted' && r.replayed ? 'replayed' : r.kind });
  },
});
const routing = new RoutingRequests({ db, relay, topic: topics.routingInputs, timeoutMs: config.ROUTING_DECISION_TIMEOUT_MS });
await routing.start();
const app = await buildApp({
  db, intake, relay, topics, routing, bodyLimit: config.BODY_LIMIT_BYTES, kafkaConnected: () => relay.isConnected, registry: metrics.registry,
  logger: { level: config.LOG_LEVEL },
});


closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await app.close(); // stops taking requests and waits for those in flight
  await routing.stop();
  await relay.stop(); // sends what the fast path holds, flushes and disconnects the producer
  await closeDatabase(db);
});

await app.listen({ host: config.HOST, port: config.PORT });

// Kafka is not needed to take calls (they wait in the outbox), so it is set up after listening, without blocking.
void ensureTopics(kafka, [{ topic: topics.routingInputs }, { topic: topics.callEvents }])
  .catch((error) => app.log.warn({ err: error }, 'could not ensure Kafka topics at start; the relay retries on its own'))
  .finally(() => relay.start());

// Builds the whole worker from its config: the Fastify host (health, metrics), the outbox relay (its producer sends the
// call events each domain publishes and the dead letters; its sweep sends outbox rows left by any process) and the
// routing consumer.
// server.ts and the tests both use it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyServerOptions } from 'fastify';
import { closeDatabase, createDatabase, pingDatabase, principalOfApiKey } from '@switchboard/db';
import { createKafka, ensureTopics, OutboxRelay } from '@switchboard/messaging';
import type { QueueWorkerConfig } from './config.ts';
import { RoutingInputsConsumer } from './consume/routing-inputs-consumer.ts';
import { createWorkerMetrics } from './metrics.ts';
import { createServiceApp, healthRoutes, hostOptions } from '@switchboard/service';

export type WorkerOptions = { logger?: FastifyServerOptions['logger'] };

export async function createWorker(config: QueueWorkerConfig, options: WorkerOptions = {}) {
  const db = createDatabase(config.DATABASE_URL, { max: config.DB_POOL_MAX, applicationName: 'queue-worker' });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-queue-worker` });
  const topics = { routingInputs: config.TOPIC_ROUTING_INPUTS, routingInputsDlq: config.TOPIC_ROUTING_INPUTS_DLQ, callEvents: config.TOPIC_CALL_EVENTS };
  const metrics = createWorkerMetrics();
  // The worker serves health and metrics only; metrics take a viewer key, like the API's.
  const app = createServiceApp({ logger: options.logger, ...hostOptions(config, (key) => principalOfApiKey(db.$client, key)) });
  const log = { info: (o: object, m: string) => app.log.info(o, m), warn: (o: object, m: string) => app.log.warn(o, m), error: (o: object, m: string) => app.log.error(o, m) };

  const relay = new OutboxRelay({
    db, kafka, sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, sendTimeoutMs: config.OUTBOX_SEND_TIMEOUT_MS,
    orderedTopics: [config.TOPIC_CALL_EVENTS],
    onError: (error, where) => app.log.warn({ err: error, where }, 'outbox relay could not publish; the sweep will retry'),
    onPublished: (count, via) => metrics.outboxPublished.inc({ via }, count),
  });
  const consumer = new RoutingInputsConsumer({
    kafka, db, relay, groupId: config.CONSUMER_GROUP, sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS, topics, log,
    onBatch: ({ decided, redelivered, deadLettered, lagMs }) => {
      metrics.routingInputs.inc({ outcome: 'decided' }, decided);
      metrics.routingInputs.inc({ outcome: 'redelivered' }, redelivered);
      metrics.routingInputs.inc({ outcome: 'dead_lettered' }, deadLettered);
      for (const lag of lagMs) metrics.callLag.observe(lag / 1000);
      metrics.ownedDomains.set(consumer.ownedDomains.length);
    },
    onCommitted: (committed) => {
      metrics.decisions.inc(committed.decisions);
      metrics.observeVisits(committed);
    },
    onPublished: (count, via) => metrics.callEventsPublished.inc({ via }, count),
  });
  await app.register(healthRoutes, {
    registry: metrics.registry,
    checks: [
      { name: 'database', required: true, check: async () => ({ ok: await pingDatabase(db) }) },
      { name: 'kafka', required: true, check: () => ({ ok: consumer.isReady, detail: consumer.isReady ? 'consumer joined its group' : 'consumer not in its group' }) },
      // Which domains this worker decides for: operators (and the takeover tests) read it here.
      { name: 'routing', required: false, check: () => ({ ok: true, detail: `owns routing domains: ${consumer.ownedDomains.join(', ') || 'none'}` }) },
    ],
  });

  return {
    app, db, consumer, relay, topics,
    /** Connects to Kafka (waiting for it if it is not up yet), then consumes. */
    async start(): Promise<void> {
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
      app.log.info({ topics, group: config.CONSUMER_GROUP }, 'consuming routing inputs');
    },
    /** Stops consuming after the batch in hand commits, sends what the relay holds, and closes everything. */
    async stop(): Promise<void> {
      await consumer.stop();
      await relay.stop();
      await app.close();
      await closeDatabase(db);
    },
  };
}
export type Worker = Awaited<ReturnType<typeof createWorker>>;

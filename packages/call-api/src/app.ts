// Builds the whole call-api from its config: database, Kafka relay, intake, routing requests and the Fastify app with
// its routes. server.ts listens and closes it; the tests build it the same way and call `app.inject()`.
import type { FastifyServerOptions } from 'fastify';
import { pingDatabase, closeDatabase, createDatabase, principalOfApiKey, type OutboxRow } from '@switchboard/db';
import { createKafka, ensureTopics, OutboxRelay } from '@switchboard/messaging';
import { createServiceApp, healthRoutes, hostOptions } from '@switchboard/service';
import { CallRequests } from './calls/call-requests.ts';
import { CallIntake } from './calls/intake.ts';
import type { CallApiConfig } from './config.ts';
import { EventStreamHub } from './events/event-stream-hub.ts';
import { createApiMetrics } from './metrics.ts';
import { registerDocs } from './plugins/docs.ts';
import { RoutingRequests } from './routing/routing-requests.ts';
import { agentStatusRoutes } from './routes/agent-status.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { agentRoutes } from './routes/agents.ts';
import { callActionRoutes } from './routes/call-actions.ts';
import { callRoutes } from './routes/calls.ts';
import { eventRoutes } from './routes/events.ts';
import { queueRoutes } from './routes/queues.ts';
import { ringGroupRoutes } from './routes/ring-groups.ts';
import { statisticsRoutes } from './routes/statistics.ts';
import { wallboardRoutes } from './routes/wallboard.ts';

export type CallApiOptions = {
  logger?: FastifyServerOptions['logger'];
  /** Sees each batch of committed outbox rows handed to the relay (the tests check what a change published). */
  onPublish?: (rows: OutboxRow[]) => void;
};

export async function createCallApi(config: CallApiConfig, options: CallApiOptions = {}) {
  const db = createDatabase(config.DATABASE_URL, { max: config.DB_POOL_MAX, applicationName: 'call-api' });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-call-api` });
  const metrics = createApiMetrics(db);
  const topics = { routingInputs: config.TOPIC_ROUTING_INPUTS, callEvents: config.TOPIC_CALL_EVENTS };
  const app = createServiceApp({
    logger: options.logger, bodyLimit: config.BODY_LIMIT_BYTES, ...hostOptions(config, (key) => principalOfApiKey(db.$client, key)),
  });

  const relay = new OutboxRelay({
    db, kafka, sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, sendTimeoutMs: config.OUTBOX_SEND_TIMEOUT_MS,
    orderedTopics: [config.TOPIC_CALL_EVENTS],
    onError: (error, where) => app.log.warn({ err: error, where }, 'outbox relay could not publish; the sweep will retry'),
    onPublished: (count, via) => metrics.outboxPublished.inc({ via }, count),
  });
  const publisher = { publish: (rows: OutboxRow[]) => (options.onPublish?.(rows), relay.publish(rows)) };
  const requests = new CallRequests({
    db, relay, topic: topics.routingInputs, sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, resendAfterMs: config.CALL_REQUEST_RESEND_AFTER_MS,
    onError: (error, where) => app.log.warn({ err: error, where }, 'could not send call requests to Kafka; the calls stay received and are sent again'),
    onSent: (count, via) => metrics.callRequestsSent.inc({ via }, count),
  });
  const intake = new CallIntake({
    db, requests, topics, maxBatch: config.INTAKE_MAX_BATCH, maxConcurrent: config.INTAKE_MAX_CONCURRENT,
    onCommitted: (results) => {
      metrics.intakeBatch.observe(results.length);
      for (const r of results) metrics.calls.inc({ outcome: r.kind === 'accepted' && r.replayed ? 'replayed' : r.kind });
    },
    onRefused: () => metrics.calls.inc({ outcome: 'unstorable' }),
  });
  const routing = new RoutingRequests({
    db, kafka, earlierSends: () => Promise.all([relay.settled(), requests.settled()]), topic: topics.routingInputs, timeoutMs: config.ROUTING_DECISION_TIMEOUT_MS, sendTimeoutMs: config.ROUTING_DECISION_TIMEOUT_MS,
  });

  await registerDocs(app);
  await app.register(healthRoutes, {
    registry: metrics.registry,
    checks: [
      { name: 'database', required: true, check: async () => ({ ok: await pingDatabase(db) }) },
      // Reported, not required: calls wait in the outbox while Kafka is away.
      { name: 'kafka', required: false, check: () => ({ ok: relay.isConnected, detail: relay.isConnected ? 'producer connected' : 'producer not connected: calls wait in the outbox' }) },
    ],
  });
  await app.register(callRoutes, { db, intake });
  const configuration = { db, relay: publisher, topics };
  await app.register(agentRoutes, configuration);
  await app.register(queueRoutes, configuration);
  await app.register(ringGroupRoutes, configuration);
  await app.register(statisticsRoutes, { db });
  await app.register(callActionRoutes, { db, routing });
  await app.register(agentStatusRoutes, { db, routing });
  await app.register(apiKeyRoutes, { db });
  const events = new EventStreamHub({
    db, pollIntervalMs: config.EVENTS_POLL_INTERVAL_MS, heartbeatMs: config.EVENTS_HEARTBEAT_MS, maxBufferedBytes: config.EVENTS_CLIENT_BUFFER_BYTES,
    onDropped: () => metrics.eventStreamsDropped.inc(),
    onError: (error) => app.log.warn({ err: error }, 'event stream reader could not read call_events; it tries again'),
  });
  metrics.trackEventStreams(() => events.size);
  await app.register(eventRoutes, { db, hub: events });
  await app.register(wallboardRoutes);

  return {
    app, db, kafka, relay, requests, intake, routing, topics, events,
    /** Listens for routing decisions and starts the relay; Kafka is not needed to take calls, so it never blocks. */
    async start(): Promise<void> {
      await routing.start();
      void ensureTopics(kafka, [{ topic: topics.routingInputs }, { topic: topics.callEvents }])
        .catch((error) => app.log.warn({ err: error }, 'could not ensure Kafka topics at start; the relay retries on its own'))
        .finally(() => {
          void relay.start();
          requests.start();
        });
    },
    /** Stops taking requests and waits for those in flight, sends what the relay holds, closes the pool. */
    async stop(): Promise<void> {
      await app.close();
      await routing.stop();
      await requests.stop();
      await relay.stop();
      await closeDatabase(db);
    },
  };
}
export type CallApi = Awaited<ReturnType<typeof createCallApi>>;

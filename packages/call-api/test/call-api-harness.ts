// Builds the real call-api app against the test stack's PostgreSQL and Kafka, with a destination of its own.
import { randomInt } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ApiRole } from '@switchboard/contracts';
import { callEvents, calls, createApiKey, outbox, queues, ringGroups, type Database, type OutboxRow } from '@switchboard/db';
import { stackUrls } from '../../local-stack/src/test/context.ts';
import { createCallApi } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

/** call-api's settings for the test stack, read through the service's own config schema. */
export function callApiTestConfig() {
  const { databaseUrl, kafkaBrokers } = stackUrls();
  return loadConfig({
    DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers.join(','), KAFKA_CLIENT_ID: 'call-api-test', DB_POOL_MAX: '5',
    OUTBOX_SWEEP_INTERVAL_MS: '200', INTAKE_MAX_BATCH: '64',
  });
}

/** A key of the role, made in the test database (an agent key needs its agent). */
export async function testKey(db: Database, role: ApiRole = 'admin', agentId?: string): Promise<string> {
  return (await createApiKey(db.$client, { name: `test ${role}`, role, agentId: agentId ?? null })).key;
}

/** `app.inject` sending the key as `Authorization: Bearer` unless the request sets its own authorization header. */
export function injectWithKey(app: FastifyInstance, key: string) {
  return (options: InjectOptions) => app.inject({ ...options, headers: { authorization: `Bearer ${key}`, ...options.headers } });
}

export async function startCallApi() {
  const config = callApiTestConfig();
  /** Outbox rows the app handed to the relay after its commits (configuration changes), oldest first. */
  const published: OutboxRow[] = [];
  const api = await createCallApi(config, { onPublish: (rows) => published.push(...rows) });
  await api.start();
  const { app, db, kafka, relay, intake } = api;
  const adminKey = await testKey(db);

  // Numbers of our own, so other test files' rows never collide with ours.
  const queueNumber = String(randomInt(10_000_000, 99_999_999));
  const groupNumber = String(randomInt(10_000_000, 99_999_999));
  const [queue] = await db.insert(queues).values({ name: `Test queue ${queueNumber}`, number: queueNumber }).returning();
  const [group] = await db.insert(ringGroups).values({ name: `Test group ${groupNumber}`, number: groupNumber }).returning();

  /** Rows the API writes for our destinations (calls, their received events), to prove that a refusal wrote nothing. */
  async function rowCounts() {
    const ids = [queue!.id, group!.id];
    const callRows = await db.select({ id: calls.id }).from(calls).where(inArray(calls.destinationId, ids));
    const callIds = callRows.map((c) => c.id);
    const events = callIds.length ? await db.select({ id: callEvents.id }).from(callEvents).where(and(inArray(callEvents.callId, callIds), eq(callEvents.type, 'call.received'))) : [];
    return { calls: callRows.length, events: events.length };
  }

  return {
    app, db, kafka, relay, intake, published, queue: queue!, group: group!, rowCounts, adminKey,
    /** `app.inject` with an admin key (a test of keys and roles sets its own authorization header). */
    inject: injectWithKey(app, adminKey),
    outboxCount: async () => (await db.select({ id: outbox.id }).from(outbox)).length,
    callById: async (id: string) => (await db.select().from(calls).where(eq(calls.id, id)))[0],
    close: () => api.stop(),
  };
}
export type CallApiHarness = Awaited<ReturnType<typeof startCallApi>>;

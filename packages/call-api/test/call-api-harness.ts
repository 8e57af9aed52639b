// Builds the real call-api app against the test stack's PostgreSQL and Kafka, with a destination of its own.
import { randomInt } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { defaultTopics } from '@switchboard/contracts';
import { callEvents, calls, closeDatabase, createDatabase, outbox, queues, ringGroups, type OutboxRow } from '@switchboard/db';
import { createKafka, OutboxRelay } from '@switchboard/messaging';
import { stackUrls } from '../../local-stack/src/test/context.ts';
import { buildApp } from '../src/app.ts';
import { CallIntake } from '../src/calls/intake.ts';
import { RoutingRequests } from '../src/routing/routing-requests.ts';

export async function startCallApi() {
  const { databaseUrl, kafkaBrokers } = stackUrls();
  const db = createDatabase(databaseUrl, { max: 5 });
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'call-api-test' });
  const relay = new OutboxRelay({ db, kafka, sweepIntervalMs: 200 });
  await relay.start();
  const routing = new RoutingRequests({ db, relay, topic: defaultTopics.routingInputs, timeoutMs: 5_000 });
  await routing.start();
  const intake = new CallIntake({ db, relay, topics: defaultTopics, maxBatch: 64, maxConcurrent: 4 });
  const { Registry } = await import('prom-client');
  /** Outbox rows the app handed to the relay after its commits (configuration changes), oldest first. */
  const published: OutboxRow[] = [];
  const appRelay = { publish: (rows: OutboxRow[]) => (published.push(...rows), relay.publish(rows)) };
  const app = await buildApp({ db, intake, relay: appRelay, topics: defaultTopics, routing, bodyLimit: 16_384, kafkaConnected: () => relay.isConnected, registry: new Registry() });

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
    app, db, kafka, relay, published, queue: queue!, group: group!, rowCounts,
    outboxCount: async () => (await db.select({ id: outbox.id }).from(outbox)).length,
    callById: async (id: string) => (await db.select().from(calls).where(eq(calls.id, id)))[0],
    async close() {
      await app.close();
      await routing.stop();
      await relay.stop();
      await closeDatabase(db);
    },
  };
}
export type CallApiHarness = Awaited<ReturnType<typeof startCallApi>>;

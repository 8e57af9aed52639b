// Liveness, readiness and metrics. Ready needs the database; Kafka is reported but not required, since the outbox holds calls while it is away.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Health } from '@switchboard/contracts';
import { pingDatabase, type Database } from '@switchboard/db';
import type { Registry } from 'prom-client';

export type HealthRoutesOptions = { db: Database; kafkaConnected: () => boolean; registry: Registry };

export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, { db, kafkaConnected, registry }) => {
  app.get('/health/live', { logLevel: 'warn', schema: { tags: ['health'], response: { 200: Health } } }, async () => ({ status: 'ok' as const, checks: {} }));

  app.get('/health/ready', { logLevel: 'warn', schema: { tags: ['health'], response: { 200: Health, 503: Health } } }, async (_request, reply) => {
    const database = await pingDatabase(db);
    const kafka = kafkaConnected();
    const body: Health = {
      status: database ? 'ok' : 'unavailable',
      checks: {
        database: { ok: database },
        kafka: { ok: kafka, detail: kafka ? 'producer connected' : 'producer not connected: calls wait in the outbox' },
      },
    };
    return reply.code(database ? 200 : 503).send(body);
  });
  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
};

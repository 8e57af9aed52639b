// Liveness, readiness (database reachable and consumer in its group) and metrics of the worker.
import type { FastifyPluginAsync } from 'fastify';
import type { Health } from '@switchboard/contracts';
import { pingDatabase, type Database } from '@switchboard/db';
import type { Registry } from 'prom-client';

export type WorkerRoutesOptions = { db: Database; consumerReady: () => boolean; ownedDomains: () => string[]; registry: Registry };

export const workerRoutes: FastifyPluginAsync<WorkerRoutesOptions> = async (app, { db, consumerReady, ownedDomains, registry }) => {
  app.get('/health/live', { logLevel: 'warn' }, async () => ({ status: 'ok', checks: {} }) satisfies Health);

  app.get('/health/ready', { logLevel: 'warn' }, async (_request, reply) => {
    const database = await pingDatabase(db);
    const consumer = consumerReady();
    const ok = database && consumer;
    const body: Health = {
      status: ok ? 'ok' : 'unavailable',
      checks: {
        database: { ok: database },
        kafka: { ok: consumer, detail: consumer ? 'consumer joined its group' : 'consumer not in its group' },
        routing: { ok: true, detail: `owns routing domains: ${ownedDomains().join(', ') || 'none'}` },
      },
    };
    return reply.code(ok ? 200 : 503).send(body);
  });

  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
};

// Builds the worker's Fastify host: health, readiness and metrics beside the Kafka consumer.
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Database } from '@switchboard/db';
import type { Registry } from 'prom-client';
import { workerRoutes } from './routes/health.ts';

export async function buildWorkerApp(deps: { db: Database; consumerReady: () => boolean; registry: Registry; logger?: FastifyServerOptions['logger'] }) {
  const app = Fastify({ logger: deps.logger ?? false, return503OnClosing: true });
  await app.register(workerRoutes, deps);
  return app;
}

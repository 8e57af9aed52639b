// Builds the call-api Fastify app from its parts; server.ts listens, tests inject.
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '@switchboard/db';
import type { Registry } from 'prom-client';
import { registerDocs } from './plugins/docs.ts';
import { registerProblemHandlers } from './plugins/problems.ts';
import { callRoutes } from './routes/calls.ts';
import { healthRoutes } from './routes/health.ts';
import type { CallIntake } from './calls/intake.ts';

export type AppDependencies = {
  db: Database;
  intake: CallIntake;
  kafkaConnected: () => boolean;
  registry: Registry;
  bodyLimit: number;
  logger?: FastifyServerOptions['logger'];
};

export async function buildApp(deps: AppDependencies) {
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: deps.bodyLimit, return503OnClosing: true }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: any other body (text/plain included) is answered 415, not parsed.
  app.removeContentTypeParser('text/plain');
  // While closing, answers end their connection: a keep-alive client would otherwise hold close() open until it times out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  registerProblemHandlers(app);
  await registerDocs(app);
  await app.register(healthRoutes, { db: deps.db, kafkaConnected: deps.kafkaConnected, registry: deps.registry });
  await app.register(callRoutes, { db: deps.db, intake: deps.intake });
  return app;
}

// Builds the call-api Fastify app from its parts; server.ts listens, tests inject.
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '@switchboard/db';
import type { Registry } from 'prom-client';
import { registerDocs } from './plugins/docs.ts';
import { registerProblemHandlers } from './plugins/problems.ts';
import { agentRoutes } from './routes/agents.ts';
import { agentStatusRoutes } from './routes/agent-status.ts';
import { callActionRoutes } from './routes/call-actions.ts';
import { callRoutes } from './routes/calls.ts';
import { healthRoutes } from './routes/health.ts';
import { queueRoutes } from './routes/queues.ts';
import { ringGroupRoutes } from './routes/ring-groups.ts';
import type { CallIntake } from './calls/intake.ts';
import type { Topics } from '@switchboard/contracts';
import type { OutboxRelay } from '@switchboard/messaging';
import type { RoutingRequests } from './routing/routing-requests.ts';

export type AppDependencies = {
  db: Database;
  intake: CallIntake;
  /** Hands committed outbox rows to Kafka at once (configuration changes, routing actions). */
  relay: Pick<OutboxRelay, 'publish'>;
  topics: Pick<Topics, 'routingInputs' | 'callEvents'>;
  /** Sends answers, declines, hang-ups and presence to the owning worker and waits for its decision. */
  routing: RoutingRequests;
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
  const configuration = { db: deps.db, relay: deps.relay, topics: deps.topics };
  await app.register(agentRoutes, configuration);
  await app.register(queueRoutes, configuration);
  await app.register(ringGroupRoutes, configuration);
  await app.register(callActionRoutes, { db: deps.db, routing: deps.routing });
  await app.register(agentStatusRoutes, { db: deps.db, routing: deps.routing });
  return app;
}

// The Fastify instance every service starts from: zod validation and serialization, one problem+json error handler,
// and connections closed while the service drains.
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerProblemHandlers } from './problems.ts';

export type ServiceAppOptions = { logger?: FastifyServerOptions['logger']; bodyLimit?: number };

export function createServiceApp(options: ServiceAppOptions = {}) {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit, return503OnClosing: true }).withTypeProvider<ZodTypeProvider>();
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
  return app;
}
export type ServiceApp = ReturnType<typeof createServiceApp>;

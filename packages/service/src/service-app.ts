// The Fastify instance every service starts from: zod validation and serialization, one problem+json error handler
// (for the router's and Node's refusals too), and connections closed while the service drains.
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { defaultMaxJsonDepth, limitJsonDepth } from './json-depth.ts';
import { clientProblem, problemType, registerProblemHandlers, requestLimits, routerProblem, sendProblem } from './problems.ts';

export type ServiceAppOptions = { logger?: FastifyServerOptions['logger']; bodyLimit?: number; maxJsonDepth?: number };

export function createServiceApp(options: ServiceAppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit,
    http: { maxHeaderSize: requestLimits.maxHeaderSize },
    routerOptions: { maxParamLength: requestLimits.maxParamLength },
    frameworkErrors: routerProblem,
    clientErrorHandler: clientProblem,
    // Fastify's own 503 while closing is application/json; the onRequest hook below answers problem+json instead.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: any other body (text/plain included) is answered 415, not parsed.
  app.removeContentTypeParser('text/plain');
  limitJsonDepth(app, options.maxJsonDepth ?? defaultMaxJsonDepth);
  // While closing, answers end their connection: a keep-alive client would otherwise hold close() open until it times out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // First hook of every request (routes and 404s alike): while closing, 503 before any work.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    void sendProblem(reply, {
      type: problemType('shutting-down'), title: 'Service unavailable', status: 503,
      detail: 'the service is shutting down: retry, another instance will answer',
    });
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  registerProblemHandlers(app);
  return app;
}
export type ServiceApp = ReturnType<typeof createServiceApp>;

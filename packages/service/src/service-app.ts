// The Fastify instance every service starts from: zod validation and serialization, one problem+json error handler
// (for the router's and Node's refusals too), and connections closed while the service drains.
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { accessControl, type AccessOptions } from './access.ts';
import { defaultMaxJsonDepth, limitJsonDepth } from './json-depth.ts';
import { clientProblem, problemType, registerProblemHandlers, requestLimits, routerProblem, sendProblem } from './problems.ts';

export type ServiceAppOptions = {
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  maxJsonDepth?: number;
  /** Keys, roles, rate limits and security headers; `false` only for tests of the host itself. */
  access: AccessOptions | false;
  /** Bounds on slow clients (Node's defaults are 60 s for headers and none for the request). */
  timeouts?: { headersMs: number; requestMs: number; keepAliveMs: number };
};

export function createServiceApp(options: ServiceAppOptions) {
  const timeouts = options.timeouts ?? { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 72_000 };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit,
    // A request (body included) that takes longer is answered 408; headers must arrive sooner still (Node requires
    // headersTimeout ≤ requestTimeout). Idle keep-alive connections close after keepAliveMs.
    requestTimeout: Math.max(timeouts.requestMs, timeouts.headersMs),
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node looks for connections past those timeouts every connectionsCheckingInterval (30 s by default, which would
    // let a slow client hold a socket up to 30 s longer): a tenth of the headers timeout, at most a second.
    http: {
      maxHeaderSize: requestLimits.maxHeaderSize,
      headersTimeout: timeouts.headersMs,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.round(timeouts.headersMs / 10))),
    },
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
  // Registered before any route, so every route gets its hooks (the rate limit adds its own per route).
  if (options.access) void app.register(accessControl, options.access);
  return app;
}
export type ServiceApp = ReturnType<typeof createServiceApp>;

/** The settings of the host every service reads from its environment (`commonEnv`). */
export type HostSettings = {
  HTTP_HEADERS_TIMEOUT_MS: number; HTTP_REQUEST_TIMEOUT_MS: number; HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  AUTH_KEY_CACHE_MS: number; RATE_LIMIT_PER_SECOND: number; RATE_LIMIT_EDGE_PER_SECOND: number; RATE_LIMIT_AUTH_FAILURES_PER_SECOND: number;
};

/** The host's options from a service's settings and its way of finding a key's holder. */
export function hostOptions(config: HostSettings, findPrincipal: AccessOptions['findPrincipal']): Pick<ServiceAppOptions, 'access' | 'timeouts'> {
  return {
    access: {
      findPrincipal,
      cacheMs: config.AUTH_KEY_CACHE_MS,
      ratePerSecond: config.RATE_LIMIT_PER_SECOND,
      edgeRatePerSecond: config.RATE_LIMIT_EDGE_PER_SECOND,
      authFailuresPerSecond: config.RATE_LIMIT_AUTH_FAILURES_PER_SECOND,
    },
    timeouts: { headersMs: config.HTTP_HEADERS_TIMEOUT_MS, requestMs: config.HTTP_REQUEST_TIMEOUT_MS, keepAliveMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS },
  };
}

// Liveness, readiness and metrics routes, the same for every service; each service says what its readiness checks.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Health } from '@switchboard/contracts';
import type { Registry } from 'prom-client';

export type ReadinessCheck = {
  name: string;
  /** A check that is not required is reported but does not make the service unready. */
  required: boolean;
  check: () => Promise<{ ok: boolean; detail?: string }> | { ok: boolean; detail?: string };
};

export type HealthRoutesOptions = { checks: readonly ReadinessCheck[]; registry: Registry };

/** Health answers whoever asks (orchestrators, load balancers), without a key and without a rate limit; metrics take a viewer key. */
const open = { access: 'public' as const, rateLimit: false as const };

export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, { checks, registry }) => {
  app.get('/health/live', { logLevel: 'warn', config: open, schema: { tags: ['health'], response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    checks: {},
  }));

  const notReady = { description: 'Not ready: a required check failed; `checks` says which', content: { 'application/json': { schema: Health } } };
  app.get(
    '/health/ready',
    { logLevel: 'warn', config: open, schema: { tags: ['health'], response: { 200: Health, 503: notReady } } },
    async (_request, reply) => {
      const results = await Promise.all(checks.map(async ({ name, required, check }) => ({ name, required, ...(await check()) })));
      const ok = results.every((r) => r.ok || !r.required);
      const body: Health = {
        status: ok ? 'ok' : 'unavailable',
        checks: Object.fromEntries(results.map(({ name, ok: passed, detail }) => [name, detail === undefined ? { ok: passed } : { ok: passed, detail }])),
      };
      return reply.code(ok ? 200 : 503).send(body);
    },
  );

  app.get('/metrics', { logLevel: 'warn', config: { access: ['viewer'] }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
};

// Who may call what: API keys sent as `Authorization: Bearer <key>` (checked by @fastify/bearer-auth), each route's
// roles, per-key rate limits (@fastify/rate-limit) and security headers (@fastify/helmet). Every refusal is problem+json.
import bearerAuth from '@fastify/bearer-auth';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiRole } from '@switchboard/contracts';

/** Who a key speaks for. */
export type Principal = { keyId: string; name: string; role: ApiRole; agentId: string | null };

/**
 * What a route takes: `public` (no key: health, docs), or the roles that may call it besides `admin`, who may call
 * anything. A route that says nothing is for `admin` alone, so a route added without thought is closed, not open.
 */
export type RouteAccess = 'public' | readonly Exclude<ApiRole, 'admin'>[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The key's holder, once the key was checked; null on public routes. */
    principal: Principal | null;
  }
}

export type AccessOptions = {
  /** Finds who a key speaks for (undefined: no such key). Called at most once per key per `cacheMs`. */
  findPrincipal: (key: string) => Promise<Principal | undefined>;
  /** How long a key's lookup is reused: a deleted key still works this long on an instance that had just used it. */
  cacheMs: number;
  /** Requests per second per key (per client address without a key), and for `edge` and `admin` keys. */
  ratePerSecond: number;
  edgeRatePerSecond: number;
};

export class ForbiddenError extends Error {
  readonly code = 'SWB_FORBIDDEN';
  readonly statusCode = 403;
  constructor(detail: string) {
    super(detail);
    this.name = 'ForbiddenError';
  }
}

export class RateLimitedError extends Error {
  readonly code = 'SWB_RATE_LIMITED';
  readonly statusCode = 429;
  constructor(readonly limit: number) {
    super(`more than ${limit} requests per second with this key: retry after Retry-After seconds`);
    this.name = 'RateLimitedError';
  }
}

/** The roles a route takes, in words (for 403s and the OpenAPI document). */
export function rolesOf(access: RouteAccess | undefined): ApiRole[] {
  return access === 'public' ? [] : ['admin', ...(access ?? [])];
}

/** For handlers of routes an `agent` key may call: such a key acts only for its own agent. */
export function actsFor(request: FastifyRequest, agentId: string): boolean {
  return request.principal?.role !== 'agent' || request.principal.agentId === agentId;
}

export function forbidOtherAgent(request: FastifyRequest, agentId: string, field: string): void {
  if (!actsFor(request, agentId)) throw new ForbiddenError(`this key acts for agent ${request.principal!.agentId}, not ${agentId} (${field})`);
}

/** Lookups by key, each kept `ttlMs`; a bounded map, oldest entries dropped first. */
function principalCache(find: AccessOptions['findPrincipal'], ttlMs: number, max = 10_000) {
  const entries = new Map<string, { at: number; principal: Promise<Principal | undefined> }>();
  return (key: string): Promise<Principal | undefined> => {
    const now = performance.now();
    const hit = entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.principal;
    const principal = find(key);
    entries.delete(key);
    entries.set(key, { at: now, principal });
    // A lookup that failed (the database away) is not kept.
    principal.catch(() => entries.delete(key));
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    return principal;
  };
}

async function access(app: FastifyInstance, options: AccessOptions): Promise<void> {
  const lookup = principalCache(options.findPrincipal, options.cacheMs);
  app.decorateRequest('principal', null);

  // Security headers on every answer. No content security policy here: the API answers JSON, which no browser renders
  // as a page; Swagger UI's own (`staticCSP`) has upgrade-insecure-requests, which plain-HTTP docs cannot follow.
  await app.register(helmet, { global: true, contentSecurityPolicy: false });

  await app.register(bearerAuth, {
    addHook: false,
    keys: [],
    verifyErrorLogLevel: 'debug',
    auth: async (key: string, request: FastifyRequest) => {
      const principal = await lookup(key);
      if (!principal) return false;
      request.principal = principal;
      return true;
    },
  });

  // First the key, then the role. Runs before the rate limit (a route hook), so that can count per key.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const routeAccess = request.routeOptions.config.access;
    if (routeAccess === 'public' || request.is404) return done();
    app.verifyBearerAuth!(request, reply, (error?: Error) => {
      if (error) return done(error);
      const roles = rolesOf(routeAccess);
      const role = request.principal!.role;
      if (!roles.includes(role)) return done(new ForbiddenError(`a key of role ${role} cannot do this; it takes ${roles.join(', ')}`));
      done();
    });
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: 1_000,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    max: (request) => (request.principal?.role === 'edge' || request.principal?.role === 'admin' ? options.edgeRatePerSecond : options.ratePerSecond),
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.max),
  });
}

/** Registers keys and roles, rate limits and security headers for every route registered after it. */
export const accessControl = fp(access, { name: 'switchboard-access', fastify: '5.x' });

/** Route configs for the common cases: configuration changes and keys (admin), and reads (viewer). */
export const adminOnly = { access: [] as const } satisfies { access: RouteAccess };
export const reads = { access: ['viewer'] as const } satisfies { access: RouteAccess };

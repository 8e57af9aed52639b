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
  /** Requests per second per client address that fail authentication; past it, 429 before any key is looked up. */
  authFailuresPerSecond: number;
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
  constructor(detail: string) {
    super(detail);
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
  const entries = new Map<string, { at: number; principal: Promise<Principal | undefined>; known?: boolean }>();
  const lookup = (key: string): Promise<Principal | undefined> => {
    const now = performance.now();
    const hit = entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.principal;
    const principal = find(key);
    entries.delete(key);
    entries.set(key, { at: now, principal });
    // A lookup that failed (the database away) is not kept.
    principal.then(
      (found) => found && entries.get(key)?.principal === principal && (entries.get(key)!.known = true),
      () => entries.delete(key),
    );
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    return principal;
  };
  /** True when the key was found valid within the last `ttlMs` (no lookup needed). */
  const known = (key: string): boolean => {
    const hit = entries.get(key);
    return hit?.known === true && performance.now() - hit.at < ttlMs;
  };
  return { lookup, known };
}

/** The key of an `Authorization: Bearer <key>` header, if that is what the request sends. */
function bearerKey(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

async function access(app: FastifyInstance, options: AccessOptions): Promise<void> {
  const keys = principalCache(options.findPrincipal, options.cacheMs);
  app.decorateRequest('principal', null);

  // Security headers on every answer. No content security policy here: the API answers JSON, which no browser renders
  // as a page; Swagger UI's own (`staticCSP`) has upgrade-insecure-requests, which plain-HTTP docs cannot follow.
  await app.register(helmet, { global: true, contentSecurityPolicy: false });

  await app.register(bearerAuth, {
    addHook: false,
    keys: [],
    verifyErrorLogLevel: 'debug',
    auth: async (key: string, request: FastifyRequest) => {
      const principal = await keys.lookup(key);
      if (!principal) return false;
      request.principal = principal;
      return true;
    },
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: 1_000,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    max: (request) => (request.principal?.role === 'edge' || request.principal?.role === 'admin' ? options.edgeRatePerSecond : options.ratePerSecond),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`more than ${context.max} requests per second with this key: retry after Retry-After seconds`),
  });

  // Failed authentication, counted per client address: past the limit, an address is refused with 429 until its window
  // ends, before any key it sends is looked up (a flood of made-up keys would otherwise be a flood of database lookups).
  // A key found valid within AUTH_KEY_CACHE_MS still gets through from such an address; another valid key waits too.
  const failures = app.createRateLimit({ max: options.authFailuresPerSecond, timeWindow: 1_000, keyGenerator: (request) => `auth-failures:${request.ip}` });
  const refusedUntil = new Map<string, number>();
  const tooManyFailures = (reply: FastifyReply, ms: number) => {
    reply.header('retry-after', String(Math.max(1, Math.ceil(ms / 1_000))));
    return new RateLimitedError(
      `more than ${options.authFailuresPerSecond} requests per second from this address without a valid key: retry after Retry-After seconds`,
    );
  };

  // First the key, then the role. An app-level hook, so it runs before the rate limit's route hooks, which count per key.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const routeAccess = request.routeOptions.config.access;
    if (routeAccess === 'public' || request.is404) return done();
    const until = refusedUntil.get(request.ip);
    if (until !== undefined) {
      const left = until - performance.now();
      const key = bearerKey(request);
      if (left <= 0) refusedUntil.delete(request.ip);
      else if (!key || !keys.known(key)) return done(tooManyFailures(reply, left));
    }
    app.verifyBearerAuth!(request, reply, (error?: Error) => {
      if (error) {
        failures(request).then(
          (limit) => {
            if (limit.isAllowed || !limit.isExceeded) return done(error);
            refusedUntil.set(request.ip, performance.now() + limit.ttl);
            if (refusedUntil.size > 10_000) refusedUntil.delete(refusedUntil.keys().next().value!);
            done(tooManyFailures(reply, limit.ttl));
          },
          () => done(error),
        );
        return;
      }
      const roles = rolesOf(routeAccess);
      const role = request.principal!.role;
      if (!roles.includes(role)) return done(new ForbiddenError(`a key of role ${role} cannot do this; it takes ${roles.join(', ')}`));
      done();
    });
  });
}

/** Registers keys and roles, rate limits and security headers for every route registered after it. */
export const accessControl = fp(access, { name: 'switchboard-access', fastify: '5.x' });

/** Route configs for the common cases: configuration changes and keys (admin), and reads (viewer). */
export const adminOnly = { access: [] as const } satisfies { access: RouteAccess };
export const reads = { access: ['viewer'] as const } satisfies { access: RouteAccess };

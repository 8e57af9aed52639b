// The one error handler: every error answer is RFC 9457 problem+json; 4xx say why, 5xx are logged whole and say nothing inside.
// That holds before any route runs too: the router's refusals (a URL it cannot decode, a path segment too long), a known
// path asked with a method it lacks (405 with Allow), and what Node's HTTP parser refuses (431, malformed requests).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { problemContentType, type FieldError, type Problem } from '@switchboard/contracts';
import { rolesOf, type RouteAccess } from './access.ts';
import { JsonTooDeepError } from './json-depth.ts';

const problemType = (slug: string) => `urn:switchboard:problem:${slug}`;

/** Limits the host enforces before any route runs; their refusals are problem+json like every other. */
export const requestLimits = {
  /** Node's default, stated: a request line and headers larger than this are refused with 431. */
  maxHeaderSize: 16_384,
  /** find-my-way's default, stated: a path parameter longer than this is refused with 414 before its route runs. */
  maxParamLength: 100,
};

/** Sends a problem; `instance` is the request's URL unless the caller gives one (or `undefined`: none). */
export function sendProblem(reply: FastifyReply, problem: Omit<Problem, 'type'> & { type?: string }): FastifyReply {
  const body: Problem = { type: problem.type ?? 'about:blank', ...problem, instance: 'instance' in problem ? problem.instance : reply.request.url };
  return reply.code(problem.status).type(problemContentType).send(body);
}

function fieldErrors(error: FastifyError): FieldError[] {
  if (!hasZodFastifySchemaValidationErrors(error)) return [];
  const context = error.validationContext ?? 'body';
  return error.validation.flatMap((v) => {
    const at = v.instancePath.split('/').filter(Boolean);
    const keys = (v.params as { keys?: string[] }).keys;
    if (v.keyword === 'unrecognized_keys' && keys) {
      return keys.map((key) => ({ field: [context, ...at, key].join('.'), reason: 'is not a known field' }));
    }
    const missing = v.keyword === 'invalid_type' && /received undefined$/.test(v.message ?? '');
    return [{ field: [context, ...at].join('.'), reason: missing ? 'is required' : (v.message ?? 'is invalid') }];
  });
}

const byCode: Record<string, { status: number; slug: string; title: string; field: string; reason: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type',
    field: 'headers.content-type', reason: 'must be application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, slug: 'body-too-large', title: 'Body too large', field: 'body', reason: 'is larger than the limit' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, slug: 'invalid-json', title: 'Invalid JSON', field: 'body', reason: 'is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, slug: 'invalid-json', title: 'Invalid JSON', field: 'body', reason: 'is not valid JSON' },
};

/**
 * Errors that say the database could not be reached or gave up, not that the request was wrong: the connection refused,
 * lost or timed out (postgres.js's codes and Node's), SQLSTATE class 08 (connection exception), 53300 (too many
 * connections), 57P01–57P03 (shutting down, crashed, starting), 57014 (a statement or lock timeout cancelled it).
 * Nothing of the request was committed, so it can be retried as it is: 503 with Retry-After.
 */
const connectionCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
]);
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return connectionCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code) || ['53300', '57P01', '57P02', '57P03', '57014'].includes(code);
}

export function registerProblemHandlers(app: FastifyInstance): void {
  // Every method some route has, so a 404 can ask the router which of them the path has (405 and Allow).
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) methods.add(method);
  });
  function allowedMethods(path: string): string[] {
    // The router matches a URL it cannot decode to its bad-URL handler, whatever the method: such a path has none.
    try {
      decodeURI(path);
    } catch {
      return [];
    }
    return [...methods].filter((method) => app.findRoute({ method: method as HTTPMethods, url: path }) !== null).sort();
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const errors = fieldErrors(error);
      return sendProblem(reply, {
        type: problemType('validation'),
        title: 'Invalid request',
        status: 400,
        detail: errors.map((e) => `${e.field} ${e.reason}`).join('; ') || error.message,
        errors,
      });
    }
    if (error instanceof JsonTooDeepError) {
      const reason = `nests arrays and objects more than ${error.maxDepth} levels deep`;
      return sendProblem(reply, {
        type: problemType('json-too-deep'), title: 'JSON nested too deep', status: 400, detail: `body ${reason}`,
        errors: [{ field: 'body', reason }],
      });
    }
    if (error.code === 'FST_BEARER_AUTH_MISSING_AUTHORIZATION_HEADER' || error.code === 'FST_BEARER_AUTH_INVALID_AUTHORIZATION_HEADER') {
      const missing = error.code === 'FST_BEARER_AUTH_MISSING_AUTHORIZATION_HEADER';
      const reason = missing ? 'is required: Bearer <API key>' : 'is not Bearer with a valid API key';
      reply.header('www-authenticate', `Bearer realm="switchboard"${missing ? '' : ', error="invalid_token"'}`);
      return sendProblem(reply, {
        type: problemType('unauthorized'), title: 'Unauthorized', status: 401, detail: `headers.authorization ${reason}`,
        errors: [{ field: 'headers.authorization', reason }],
      });
    }
    if (error.code === 'SWB_FORBIDDEN') {
      return sendProblem(reply, { type: problemType('forbidden'), title: 'Forbidden', status: 403, detail: error.message });
    }
    if (error.code === 'SWB_RATE_LIMITED') {
      return sendProblem(reply, { type: problemType('rate-limited'), title: 'Too many requests', status: 429, detail: error.message });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', '1');
      return sendProblem(reply, {
        type: problemType('database-unavailable'), title: 'Service unavailable', status: 503,
        detail: 'the database is not answering: nothing was written; retry after Retry-After seconds',
      });
    }
    const known = error.code ? byCode[error.code] : undefined;
    if (known || (error instanceof SyntaxError && error.statusCode === 400)) {
      const k = known ?? byCode.FST_ERR_CTP_INVALID_JSON_BODY!;
      return sendProblem(reply, {
        type: problemType(k.slug), title: k.title, status: k.status, detail: `${k.field} ${k.reason}`,
        errors: [{ field: k.field, reason: k.reason }],
      });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return sendProblem(reply, { title: 'Bad request', status, detail: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, { title: 'Internal error', status, detail: 'the server could not complete the request; it has been logged' });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allow = allowedMethods(path);
    if (allow.length > 0) {
      reply.header('allow', allow.join(', '));
      return sendProblem(reply, {
        type: problemType('method-not-allowed'), title: 'Method not allowed', status: 405,
        detail: `${path} answers ${allow.join(', ')}, not ${request.method}`,
      });
    }
    return sendProblem(reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `no route ${request.method} ${path}` });
  });
}

/** Fastify's `frameworkErrors`: what the router refuses before a route is found, as problem+json (never echoing the URL). */
export function routerProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendProblem(reply, {
      type: problemType('uri-too-long'), title: 'URI too long', status: 414, instance: undefined,
      detail: `a path segment is longer than ${requestLimits.maxParamLength} characters`,
    });
  } else if (error.code === 'FST_ERR_BAD_URL') {
    void sendProblem(reply, { type: problemType('invalid-url'), title: 'Invalid URL', status: 400, instance: undefined, detail: 'the URL is not valid percent-encoding' });
  } else {
    request.log.error({ err: error }, 'request failed before routing');
    void sendProblem(reply, { title: 'Internal error', status: 500, instance: undefined, detail: 'the server could not complete the request; it has been logged' });
  }
}

const clientErrors: Record<string, { status: number; slug: string; title: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431, slug: 'headers-too-large', title: 'Request header fields too large',
    detail: `the request line and headers are larger than ${requestLimits.maxHeaderSize} bytes`,
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, slug: 'body-too-large', title: 'Body too large', detail: 'the chunk extensions are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, slug: 'request-timeout', title: 'Request timeout', detail: 'the request did not arrive in time' },
};

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (no request, no route, no reply) is written to the
 * socket as problem+json, and the connection closed, as Node's own handler does.
 */
export function clientProblem(this: FastifyInstance, error: ConnectionError & { reason?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = clientErrors[error.code];
  const problem: Problem = known
    ? { type: problemType(known.slug), title: known.title, status: known.status, detail: known.detail }
    : { type: problemType('malformed-request'), title: 'Bad request', status: 400, detail: `the request is not valid HTTP/1.1${error.reason ? `: ${error.reason}` : ''}` };
  this.log.debug({ err: error }, 'client error');
  // Nothing is written once a response on this connection has begun (as Node does): it would corrupt that response.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: ${problemContentType}\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export { problemType };

/** Methods whose body Fastify reads (a DELETE's too, when one is sent), whatever the route's schema says. */
const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The problem answers this host gives a route whatever its handler does, with what each means: a service's OpenAPI
 * document lists them on every operation, so the document says every status a route can answer.
 */
export function hostProblemAnswers(route: {
  method: string | readonly string[];
  schema?: { params?: unknown; querystring?: unknown; headers?: unknown; body?: unknown };
  config?: { access?: RouteAccess; rateLimit?: unknown };
}): Record<number, string> {
  const takesBody = [route.method].flat().some((method) => bodyMethods.has(method.toUpperCase()));
  const { params, querystring, headers, body } = route.schema ?? {};
  const inputs = [params && 'a path parameter', querystring && 'a query parameter', headers && 'a header', body && 'the body'].filter((x) => typeof x === 'string');
  const reasons = [
    ...(inputs.length > 0 ? [`${[inputs.slice(0, -1).join(', '), inputs.at(-1)].filter(Boolean).join(' or ')} breaks its schema`] : []),
    ...(takesBody ? ['the body is not JSON'] : []),
  ];
  const answers: Record<number, string> = {};
  if (reasons.length > 0) answers[400] = `Invalid request: ${reasons.join(', or ')}; \`errors\` names each field (\`params.id\`, \`body.language\`, …)`;
  if (takesBody) {
    answers[413] = 'Body too large: the body is larger than the service takes';
    answers[415] = 'Unsupported media type: a body must be `application/json`';
  }
  const access = route.config?.access;
  if (access !== 'public') {
    answers[401] = 'Unauthorized: no `Authorization: Bearer` API key, or not a valid one';
    answers[403] = `Forbidden: the key's role may not do this (it takes ${rolesOf(access).join(', ')})`;
  }
  if (route.config?.rateLimit !== false) answers[429] = 'Too many requests: over the rate limit of this key (or address); retry after `Retry-After` seconds';
  answers[500] = 'Internal error: logged whole on the server; the answer says nothing of it';
  answers[503] = 'Service unavailable: the service is shutting down, or its database is not answering (`Retry-After`); nothing was written: retry';
  return answers;
}

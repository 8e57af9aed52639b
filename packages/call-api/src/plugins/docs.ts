// OpenAPI document generated from the contracts' zod schemas, Swagger UI at /docs, and /api (the prototype's path) redirecting there.
// The document is the contract that is served: each operation lists every status its route can answer (what it declares,
// and what the shared host answers for any route: 400, 413, 415, 500, 503), every error as application/problem+json.
import { STATUS_CODES } from 'node:http';
import swagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { Problem, problemContentType } from '@switchboard/contracts';
import { hostProblemAnswers, requestLimits, rolesOf, type RouteAccess } from '@switchboard/service';

/** What an error status means when a route declares it (the host describes its own answers). */
const declaredMeaning: Record<number, string> = {
  404: 'Not found: no such resource; `detail` names it',
  409: 'Conflict: the request contradicts the current state; `detail` says how',
  422: 'Unprocessable: the request names something that does not exist or does not fit; `errors` names the field',
  503: 'Routing unavailable: the worker that owns the routing domain did not decide in time (a takeover in progress); the action is queued and may still apply: check, then retry after `Retry-After`',
};

type ContentResponse = { description?: string; content: Record<string, { schema: unknown }> };
const isContentResponse = (r: unknown): r is ContentResponse => typeof r === 'object' && r !== null && 'content' in r;

/**
 * Per route: adds the host's answers to what the route declares, and gives every error status the problem+json content
 * type with the Problem schema (a route's own error shape, such as readiness's, stays beside it), then hands the route
 * to the zod transform, which supports this `content` form.
 */
const transform: SwaggerTransform = (input) => {
  const schema = input.schema as typeof input.schema & { hide?: boolean; response?: Record<string, unknown> };
  if (!schema || schema.hide) return jsonSchemaTransform(input);
  const declared = schema.response ?? {};
  const config = input.route.config as { access?: RouteAccess; rateLimit?: unknown } | undefined;
  const host = hostProblemAnswers({ method: input.route.method, schema, config });
  const response: Record<string, unknown> = {};
  for (const status of [...new Set([...Object.keys(declared), ...Object.keys(host)])].sort()) {
    const code = Number(status);
    const own = declared[status];
    if (!(code >= 400)) {
      response[status] = own;
      continue;
    }
    const content: ContentResponse['content'] = {};
    let meaning: string | undefined;
    if (isContentResponse(own)) {
      Object.assign(content, own.content);
      meaning = own.description;
    } else if (own !== undefined && own !== Problem) {
      content['application/json'] = { schema: own };
    }
    if (own !== undefined) meaning ??= declaredMeaning[code];
    content[problemContentType] = { schema: Problem };
    const description = [meaning, host[code]].filter(Boolean).join('.\n\n') || STATUS_CODES[code] || 'Error';
    response[status] = { description, content } satisfies ContentResponse;
  }
  // Which key the operation takes: Swagger UI's Authorize button sends it; a public route takes none.
  const access = config?.access;
  const security = access === 'public' ? [] : [{ apiKey: [] }];
  const description = access === 'public' ? schema.description : [schema.description, `Roles: ${rolesOf(access).join(', ')}.`].filter(Boolean).join('\n\n');
  const transformed = jsonSchemaTransform({ ...input, schema: { ...schema, response, security, ...(description ? { description } : {}) } }) as { schema: { response?: Record<string, Record<string, unknown>> }; url: string };
  const unavailable = transformed.schema.response?.['503'];
  if (declared['503'] === Problem && unavailable) {
    unavailable.headers = { 'retry-after': { type: 'integer', description: 'seconds to wait before checking and retrying (1)' } };
  }
  return transformed;
};

/** The zod transform's components, then the 500 every operation shares, defined once and referred to. */
const transformObject: SwaggerTransformObject = (input) => {
  const document = jsonSchemaTransformObject(input) as { paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>>; components?: Record<string, unknown> };
  let internalError: unknown;
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (!operation.responses?.['500']) continue;
      internalError ??= operation.responses['500'];
      operation.responses['500'] = { $ref: '#/components/responses/InternalError' };
    }
  }
  if (internalError) document.components = { ...document.components, responses: { InternalError: internalError } };
  return document as ReturnType<SwaggerTransformObject>;
};

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Switchboard call-api',
        version: '0.1.0',
        description: [
          'Inbound calls from the telephony edge, distributed to agents through queues and ring groups.',
          '',
          `Every error is \`${problemContentType}\` (RFC 9457), including those given before any route runs: 400 for a`,
          `malformed request or a URL that is not valid percent-encoding, 404 for an unknown path, 405 for a known path asked`,
          `with a method it does not have (\`Allow\` lists those it has), 414 for a path segment longer than`,
          `${requestLimits.maxParamLength} characters, 431 for a request line and headers over ${requestLimits.maxHeaderSize} bytes.`,
          '',
          'Every route but `/health/*` and these docs takes an API key, `Authorization: Bearer <key>` (the Authorize',
          'button): `admin` may do anything; `edge` (the telephony edge) posts calls and answers, declines and hangs up for',
          'any agent; `agent` acts for one agent (their status, their rings, their call); `viewer` reads. A missing or',
          'unknown key is 401, a role that may not is 403, and too many requests for one key is 429 with `Retry-After`.',
        ].join('\n'),
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'an API key (`sbk_…`), made by `POST /keys` or `npm run keys -- create`' },
        },
      },
      tags: [
        { name: 'calls', description: 'calls from the telephony edge, and what agents and the edge do to them' },
        { name: 'agents', description: 'agents, and their presence' },
        { name: 'queues' },
        { name: 'ring-groups' },
        { name: 'statistics', description: "what a supervisor's wallboard shows: calls waiting and agents by state now, and a window's figures" },
        { name: 'events', description: 'live call events as Server-Sent Events, for agent desktops and wallboards' },
        { name: 'keys', description: 'API keys and their roles' },
        { name: 'health' },
      ],
    },
    transform,
    transformObject,
  });
  // The UI and the document are public (the contract is no secret); a scope whose routes all say so.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
  });
  app.get('/api', { config: { access: 'public' }, schema: { hide: true } }, (_request, reply) => reply.redirect('/docs', 301));
}

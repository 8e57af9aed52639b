// The one error handler: every error answer is RFC 9457 problem+json; 4xx say why, 5xx are logged whole and say nothing inside.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { problemContentType, type FieldError, type Problem } from '@switchboard/contracts';

const problemType = (slug: string) => `urn:switchboard:problem:${slug}`;

export function sendProblem(reply: FastifyReply, problem: Omit<Problem, 'type'> & { type?: string }): FastifyReply {
  const body: Problem = { type: problem.type ?? 'about:blank', ...problem, instance: reply.request.url };
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

export function registerProblemHandlers(app: FastifyInstance): void {
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

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

export { problemType };

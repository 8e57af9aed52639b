// A bound on how deeply a JSON body may nest, checked on the raw text before it is parsed.
import type { FastifyInstance } from 'fastify';

/**
 * Bodies nest a few levels (POST /call at most 9: the body, then its metadata at its own limit of 8); 32 leaves room
 * for any schema to come. The parser itself would cope with more (V8's JSON.parse does not recurse), but much of what
 * follows does: JSON.stringify, hashing, logging a body. A deeper body is refused here, whatever route it was sent to,
 * so no handler has to remember.
 */
export const defaultMaxJsonDepth = 32;

/** Whether `text` opens more than `max` arrays or objects inside one another (brackets within strings do not count). */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The error the problem handler answers 400 for (its code is in problems.ts). */
export class JsonTooDeepError extends Error {
  readonly code = 'SWB_JSON_TOO_DEEP';
  readonly statusCode = 400;
  constructor(readonly maxDepth: number) {
    super(`body nests deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/** Puts the depth check in front of Fastify's own JSON parser, which keeps its handling of empty and invalid bodies and of `__proto__`. */
export function limitJsonDepth(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonNestsDeeperThan(body as string, maxDepth)) return done(new JsonTooDeepError(maxDepth), undefined);
    return parse(request, body as string, done);
  });
}

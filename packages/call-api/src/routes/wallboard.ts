// GET /wallboard: the supervisor's wall screen, a static page (HTML, CSS, plain JavaScript from ../../wallboard/) that
// reads GET /queues, GET /queues/{id}/stats and GET /events with a viewer key it asks for (or takes from the URL's
// fragment, #key=…, which browsers never send to the server). The page itself holds no data, so it takes no key.
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';

const files = {
  '/wallboard': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/wallboard/wallboard.js': { file: 'wallboard.js', type: 'text/javascript; charset=utf-8' },
  '/wallboard/wallboard.css': { file: 'wallboard.css', type: 'text/css; charset=utf-8' },
} as const;

/** Only the page's own files, and requests to this origin; no framing by other sites. */
const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** packages/call-api/wallboard/, from this module (src/routes/ in tests from source) or the service's bundle (dist/). */
const wallboardDir = new URL(import.meta.url.includes('/dist/') ? '../wallboard/' : '../../wallboard/', import.meta.url);

export const wallboardRoutes: FastifyPluginAsync = async (app) => {
  for (const [path, { file, type }] of Object.entries(files)) {
    const body = await readFile(new URL(file, wallboardDir));
    app.get(path, { config: { access: 'public' }, schema: { hide: true } }, (_request, reply) =>
      reply.type(type).header('content-security-policy', contentSecurityPolicy).header('cache-control', 'no-cache').send(body),
    );
  }
};

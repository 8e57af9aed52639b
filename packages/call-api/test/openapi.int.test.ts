// The OpenAPI document at /docs/json is the contract that is served: every status a route answers is in it, under the
// content type it is served with (problem+json for every error); a path asked with a method it lacks is 405 with Allow;
// the rules of language tags and cursors can be read in it.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@switchboard/db';
import { createCallApi, type CallApi } from '../src/app.ts';
import { callApiTestConfig, injectWithKey, testKey } from './call-api-harness.ts';
import { uniqueDomain, uniqueExtension, uniqueNumber, type Json } from './configuration-fixtures.ts';

type Answer = { method: string; route: string | undefined; url: string; status: number; contentType: string };

/** Routes the document leaves out on purpose: the docs themselves, the metrics scrape, the prototype's redirect. */
const undocumented = (route: string) => route.startsWith('/docs') || route === '/metrics' || route === '/api';
const openapiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');

function recordAnswers(api: CallApi, answers: Answer[]) {
  api.app.addHook('onResponse', async (request, reply) => {
    answers.push({
      method: request.method, route: request.routeOptions.url, url: request.url, status: reply.statusCode,
      contentType: String(reply.getHeader('content-type') ?? ''),
    });
  });
}

let api: CallApi;
let inject: ReturnType<typeof injectWithKey>;
let doc: Json;
const answers: Answer[] = [];

beforeAll(async () => {
  // A short decision timeout: no routing worker runs here, so every action ends in the 503 it documents.
  api = await createCallApi({ ...callApiTestConfig(), ROUTING_DECISION_TIMEOUT_MS: 300 });
  recordAnswers(api, answers);
  await api.start();
  inject = injectWithKey(api.app, await testKey(api.db));
  doc = (await inject({ method: 'GET', url: '/docs/json' })).json();
});
afterAll(() => api?.stop());

/** Follows a `$ref` inside the document. */
function resolve(node: Json): Json {
  if (!node?.$ref) return node;
  return resolve((node.$ref as string).slice(2).split('/').reduce((at: Json, key) => at?.[key], doc));
}
function operations(): { path: string; method: string; operation: Json }[] {
  return Object.entries(doc.paths as Json).flatMap(([path, methods]) =>
    Object.entries(methods as Json).map(([method, operation]) => ({ path, method, operation: operation as Json })));
}
const isProblem = (schema: Json) => schema?.$ref === '#/components/schemas/Problem';

const json = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  inject({ method: method as 'GET', url, headers: { 'content-type': 'application/json', ...headers }, payload: body === undefined ? undefined : JSON.stringify(body) });
const text = (method: string, url: string) => inject({ method: method as 'GET', url, headers: { 'content-type': 'text/plain' }, payload: 'hello' });
const huge = { blob: 'x'.repeat(20_000) };

describe('every error is documented as problem+json, every success as JSON (but the event stream)', () => {
  it('each response of each operation', () => {
    expect(operations().length).toBeGreaterThan(20);
    for (const { path, method, operation } of operations()) {
      for (const [status, raw] of Object.entries(operation.responses as Json)) {
        const response = resolve(raw);
        const where = `${method.toUpperCase()} ${path} ${status}`;
        expect(response.description, where).toEqual(expect.any(String));
        const types = Object.keys(response.content ?? {});
        if (Number(status) >= 400) {
          expect(types, where).toContain('application/problem+json');
          expect(isProblem(response.content['application/problem+json'].schema), where).toBe(true);
          // The one error that is not a problem: readiness says which check failed, in its own shape.
          const health = path === '/health/ready' && status === '503';
          expect(types.filter((t) => t !== 'application/problem+json'), where).toEqual(health ? ['application/json'] : []);
        } else if (status !== '204') {
          // The one success that is not JSON: the event stream.
          expect(types, where).toEqual([where === 'GET /events 200' ? 'text/event-stream' : 'application/json']);
        }
      }
    }
  });

  it('500 is documented once, and every operation refers to it', () => {
    expect(resolve(doc.components.responses?.InternalError)?.content?.['application/problem+json']).toBeDefined();
    for (const { path, method, operation } of operations()) {
      expect(operation.responses['500'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/InternalError' });
    }
  });

  it('what the host answers for any route is documented on each: 400 for its input, 413 and 415 for a body, 503 while draining', () => {
    for (const { path, method, operation } of operations()) {
      const codes = Object.keys(operation.responses);
      const where = `${method.toUpperCase()} ${path}`;
      const takesBody = ['post', 'put', 'patch', 'delete'].includes(method);
      if (takesBody || operation.parameters?.length) expect(codes, where).toContain('400');
      if (takesBody) expect(codes, where).toEqual(expect.arrayContaining(['413', '415']));
      expect(codes, where).toContain('503');
    }
  });

  it('the routing worker\'s 503 documents its Retry-After header', () => {
    for (const [path, method] of [['/calls/{id}/answer', 'post'], ['/calls/{id}/decline', 'post'], ['/calls/{id}/hangup', 'post'], ['/agents/{id}/status', 'put']] as const) {
      expect(doc.paths[path][method].responses['503'].headers?.['retry-after'], `${method} ${path}`).toBeDefined();
    }
  });
});

describe('every status a route answers is in the document, for that route and method', () => {
  it('requests that provoke each status', { timeout: 120_000 }, async () => {
    const domain = uniqueDomain();
    // What there is to find, change and refuse.
    const agent = (await json('POST', '/agents', { name: 'Doc', extension: uniqueExtension(), languages: ['en'], domain })).json();
    const spare = (await json('POST', '/agents', { name: 'Spare', extension: uniqueExtension(), languages: ['en'], domain })).json();
    const queue = (await json('POST', '/queues', { name: 'Doc', number: uniqueNumber(), strategy: 'ring_all', members: [{ agentId: agent.id }], domain })).json();
    const group = (await json('POST', '/ring-groups', { name: 'Doc', number: uniqueNumber(), strategy: 'ring_all', members: [agent.id], domain })).json();
    const spareQueue = (await json('POST', '/queues', { name: 'Spare', number: uniqueNumber(), strategy: 'ring_all', members: [], domain })).json();
    const spareGroup = (await json('POST', '/ring-groups', { name: 'Spare', number: uniqueNumber(), strategy: 'ring_all', members: [], domain })).json();
    const key = randomUUID();
    const call = (await json('POST', '/call', { from: '1', to: queue.number, language: 'en' }, { 'idempotency-key': key })).json();
    const missing = randomUUID();
    const bad = { nope: 1 };

    await json('POST', '/call', bad);
    await json('POST', '/call', { from: '2', to: queue.number, language: 'en' }, { 'idempotency-key': key });
    await json('POST', '/call', { from: '1', to: '5550000999', language: 'en' });
    await json('POST', '/call', { from: '1', to: queue.number, language: 'en', metadata: huge });
    await text('POST', '/call');
    for (const url of [`/calls/${call.id}`, '/calls/nope', `/calls/${missing}`, '/calls', '/calls?limit=0', '/calls?cursor=!!', `/calls?destinationId=${queue.id}&limit=1`]) await json('GET', url);

    for (const [collection, created, spareOne, body, change] of [
      ['/agents', agent, spare, { name: 'A', extension: uniqueExtension(), languages: ['en'], domain }, { name: 'Renamed' }],
      ['/queues', queue, spareQueue, { name: 'Q', number: uniqueNumber(), strategy: 'ring_all', members: [{ agentId: missing }], domain }, { name: 'Renamed' }],
      ['/ring-groups', group, spareGroup, { name: 'G', number: uniqueNumber(), strategy: 'ring_all', members: [missing], domain }, { name: 'Renamed' }],
    ] as const) {
      await json('POST', collection, body);
      await json('POST', collection, bad);
      await json('POST', collection, { ...body, ...huge });
      await text('POST', collection);
      for (const url of [collection, `${collection}?limit=0`, `${collection}?cursor=!!`, `${collection}/${created.id}`, `${collection}/nope`, `${collection}/${missing}`]) await json('GET', url);
      await json('PATCH', `${collection}/${created.id}`, change);
      await json('PATCH', `${collection}/${created.id}`, {});
      await json('PATCH', `${collection}/${missing}`, change);
      await text('PATCH', `${collection}/${created.id}`);
      await json('PATCH', `${collection}/${created.id}`, huge);
      await text('DELETE', `${collection}/${spareOne.id}`);
      await json('DELETE', `${collection}/${spareOne.id}`, huge);
      await json('DELETE', `${collection}/nope`);
      await json('DELETE', `${collection}/${missing}`);
      await inject({ method: 'DELETE', url: `${collection}/${spareOne.id}` });
    }
    // A number another queue has: 409; a member that does not exist: 422.
    await json('POST', '/queues', { name: 'Clash', number: queue.number, strategy: 'ring_all', members: [], domain });
    await json('PATCH', `/queues/${queue.id}`, { members: [{ agentId: missing }] });

    await Promise.all(['answer', 'decline'].map(async (action) => {
      await json('POST', `/calls/${call.id}/${action}`, { agentId: agent.id });
      await json('POST', `/calls/${call.id}/${action}`, { agentId: missing });
      await json('POST', `/calls/${missing}/${action}`, { agentId: agent.id });
      await json('POST', `/calls/nope/${action}`, { agentId: agent.id });
      await json('POST', `/calls/${call.id}/${action}`, huge);
      await text('POST', `/calls/${call.id}/${action}`);
    }));
    await json('POST', `/calls/${call.id}/hangup`, { by: 'nobody' });
    await json('POST', `/calls/${missing}/hangup`, { by: 'caller' });
    await json('PUT', `/agents/${agent.id}/status`, { status: 'available' });
    await json('PUT', `/agents/${missing}/status`, { status: 'available' });
    await json('PUT', `/agents/${agent.id}/status`, { status: 'ringing' });
    await text('PUT', `/agents/${agent.id}/status`);
    await json('PUT', `/agents/${agent.id}/status`, huge);
    for (const url of ['/health/live', '/health/ready', '/docs/json', '/metrics']) await inject({ method: 'GET', url });

    // 401 without a key, 403 for a role that may not, 429 over a viewer key's rate limit (50 a second by default).
    await api.app.inject({ method: 'GET', url: '/calls' });
    await api.app.inject({ method: 'GET', url: '/calls', headers: { authorization: 'Bearer sbk_not-a-key' } });
    const viewer = injectWithKey(api.app, await testKey(api.db, 'viewer'));
    await viewer({ method: 'POST', url: '/agents', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'A', extension: uniqueExtension(), languages: ['en'] }) });
    await Promise.all(Array.from({ length: 60 }, () => viewer({ method: 'GET', url: '/queues?limit=1' })));

    // 503 with Retry-After: an app whose database pool is closed cannot check a key, read or write.
    const broken = await createCallApi(callApiTestConfig());
    const brokenInject = injectWithKey(broken.app, await testKey(api.db));
    recordAnswers(broken, answers);
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    broken.app.addHook('preClose', async () => {
      holding();
      await released;
    });
    await closeDatabase(broken.db);
    for (const url of [`/calls/${call.id}`, '/calls', '/agents', `/agents/${agent.id}`, '/queues', `/ring-groups/${group.id}`, '/health/ready']) {
      await brokenInject({ method: 'GET', url });
    }
    await brokenInject({ method: 'POST', url: '/call', payload: { from: '1', to: queue.number, language: 'en' } });
    await brokenInject({ method: 'POST', url: '/agents', payload: { name: 'A', extension: uniqueExtension(), languages: ['en'] } });
    await brokenInject({ method: 'DELETE', url: `/queues/${queue.id}` });
    await brokenInject({ method: 'PUT', url: `/agents/${agent.id}/status`, payload: { status: 'available' } });

    // 503 while draining: a request that reaches the service once it closes (the preClose hook above holds the drain open).
    await broken.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(broken.app.server.address() as AddressInfo).port}`;
    const closing = broken.app.close();
    await held;
    const drained = await Promise.all([
      fetch(`${base}/calls`), fetch(`${base}/health/live`),
      fetch(`${base}/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    ]);
    release();
    await closing;
    await broken.relay.stop();
    expect(drained.map((r) => r.status)).toEqual([503, 503, 503]);

    // Each status that was provoked at all, for each route, and the content type it came with.
    const seen = new Map<string, Answer>();
    for (const answer of answers) if (answer.route !== undefined) seen.set(`${answer.method} ${answer.route} ${answer.status} ${answer.contentType}`, answer);
    const expectedStatuses = [200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 415, 422, 429, 503];
    expect(new Set([...seen.values()].map((a) => a.status))).toEqual(new Set(expectedStatuses));

    const undocumentedAnswers: string[] = [];
    for (const [name, answer] of seen) {
      if (undocumented(answer.route!)) continue;
      const operation = doc.paths[openapiPath(answer.route!)]?.[answer.method.toLowerCase()];
      const response = resolve(operation?.responses[String(answer.status)]);
      const served = answer.contentType.split(';')[0]!;
      if (!operation) undocumentedAnswers.push(`${name}: no operation (e.g. ${answer.url})`);
      else if (!response) undocumentedAnswers.push(`${name}: status not documented (e.g. ${answer.url})`);
      else if (answer.status !== 204 && !Object.keys(response.content ?? {}).includes(served)) undocumentedAnswers.push(`${name}: documented as ${Object.keys(response.content ?? {})}`);
    }
    expect(undocumentedAnswers).toEqual([]);
  });
});

describe('a known path asked with a method it does not have', () => {
  it.each([
    ['DELETE', '/call', 'POST'],
    ['PUT', '/calls', 'GET, HEAD'],
    ['PATCH', `/calls/${randomUUID()}`, 'GET, HEAD'],
    ['GET', `/calls/${randomUUID()}/answer`, 'POST'],
    ['POST', `/agents/${randomUUID()}`, 'DELETE, GET, HEAD, PATCH'],
    ['GET', `/agents/${randomUUID()}/status`, 'PUT'],
  ])('%s %s: 405 problem+json with Allow: %s', async (method, url, allow) => {
    const response = await inject({ method: method as 'GET', url });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 405, title: 'Method not allowed' });
  });

  it('an unknown path is 404', async () => {
    const response = await inject({ method: 'DELETE', url: '/calling' });
    expect(response.statusCode).toBe(404);
    expect(response.headers.allow).toBeUndefined();
  });
});

describe('the rules of language tags and cursors are in the document', () => {
  it('a language tag: its pattern and description, wherever one is taken', () => {
    const language = resolve(resolve(doc.paths['/call'].post.requestBody.content['application/json'].schema).properties.language);
    const languages = resolve(resolve(doc.paths['/agents'].post.requestBody.content['application/json'].schema).properties.languages).items;
    for (const schema of [language, languages]) {
      expect(schema.description).toMatch(/BCP 47/);
      const pattern = new RegExp(schema.pattern);
      for (const tag of ['en', 'es-MX', 'zh-Hant-TW', 'es-419', 'EN-us']) expect(pattern.test(tag), tag).toBe(true);
      for (const tag of ['not a tag', 'en_US', 'e', 'en-', 'abcdefghi']) expect(pattern.test(tag), tag).toBe(false);
    }
  });

  it('a cursor: opaque, base64url, the nextCursor of the previous page, on every list', async () => {
    for (let i = 0; i < 2; i++) await json('POST', '/agents', { name: 'Paged', extension: uniqueExtension(), languages: ['en'] });
    const page = (await inject({ method: 'GET', url: '/agents?limit=1' })).json();
    expect(page.nextCursor).toEqual(expect.any(String));
    for (const path of ['/calls', '/agents', '/queues', '/ring-groups']) {
      const cursor = doc.paths[path].get.parameters.find((p: Json) => p.name === 'cursor');
      expect(cursor.description, path).toMatch(/nextCursor/);
      expect(cursor.description, path).toMatch(/400/);
      const pattern = new RegExp(cursor.schema.pattern);
      expect(pattern.test(page.nextCursor), path).toBe(true);
      expect(pattern.test('not a cursor!'), path).toBe(false);
    }
  });
});

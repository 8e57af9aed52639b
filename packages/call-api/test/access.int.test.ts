// Keys and roles on every route: no key or an unknown one is 401, a role that may not is 403 (both problem+json), an
// agent key acts for its own agent only, keys are made and revoked by an admin (and by `npm run keys`), a key over its
// rate is 429 with Retry-After, and every answer carries the security headers.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRole } from '@switchboard/contracts';
import { createCallApi, type CallApi } from '../src/app.ts';
import { callApiTestConfig, injectWithKey, testKey } from './call-api-harness.ts';
import { uniqueExtension, uniqueNumber, type Json } from './configuration-fixtures.ts';

/**
 * Who may call what, written out here on its own (not read from the code): the roles besides `admin`, who may call
 * anything. An operation the document has and this table lacks fails the test, so a new route must be placed here.
 */
const expected: Record<string, readonly Exclude<ApiRole, 'admin'>[] | 'public'> = {
  'POST /call': ['edge'],
  'GET /calls': ['edge', 'viewer'],
  'GET /calls/{id}': ['edge', 'viewer', 'agent'],
  'POST /calls/{id}/answer': ['edge', 'agent'],
  'POST /calls/{id}/decline': ['edge', 'agent'],
  'POST /calls/{id}/hangup': ['edge', 'agent'],
  'PUT /agents/{id}/status': ['agent'],
  'GET /agents': ['viewer'],
  'GET /agents/{id}': ['viewer', 'agent'],
  'GET /agents/{id}/stats': ['viewer', 'agent'],
  'POST /agents': [],
  'PATCH /agents/{id}': [],
  'DELETE /agents/{id}': [],
  'GET /queues': ['viewer'],
  'GET /queues/{id}': ['viewer'],
  'POST /queues': [],
  'PATCH /queues/{id}': [],
  'DELETE /queues/{id}': [],
  'GET /queues/{id}/stats': ['viewer'],
  'GET /ring-groups/{id}/stats': ['viewer'],
  'GET /events': ['viewer', 'agent'],
  'GET /ring-groups': ['viewer'],
  'GET /ring-groups/{id}': ['viewer'],
  'POST /ring-groups': [],
  'PATCH /ring-groups/{id}': [],
  'DELETE /ring-groups/{id}': [],
  'POST /keys': [],
  'GET /keys': [],
  'DELETE /keys/{id}': [],
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
};

let api: CallApi;
let doc: Json;
const keys = {} as Record<ApiRole, string>;
let agentId: string;

beforeAll(async () => {
  // No worker runs here: actions that reach the routing step end in 503 after this short wait.
  // The tests below send a few dozen keyless requests at once from one address: the failed-authentication limit is
  // raised above that here, and its own test sends from addresses of its own.
  api = await createCallApi({ ...callApiTestConfig(), ROUTING_DECISION_TIMEOUT_MS: 200, AUTH_KEY_CACHE_MS: 0, RATE_LIMIT_AUTH_FAILURES_PER_SECOND: 200 });
  await api.start();
  keys.admin = await testKey(api.db, 'admin');
  const agent = await injectWithKey(
    api.app,
    keys.admin,
  )({
    method: 'POST',
    url: '/agents',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'Keyed', extension: uniqueExtension(), languages: ['en'] }),
  });
  agentId = agent.json().id;
  keys.edge = await testKey(api.db, 'edge');
  keys.viewer = await testKey(api.db, 'viewer');
  keys.agent = await testKey(api.db, 'agent', agentId);
  doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
});
afterAll(() => api?.stop());

const operations = () =>
  Object.entries(doc.paths as Json).flatMap(([path, methods]) => Object.keys(methods as Json).map((method) => `${method.toUpperCase()} ${path}`));

/** A request to the operation whose body passes its schema, for the agent under test where the path names an agent. */
function requestFor(operation: string, key?: string) {
  const [method, path] = operation.split(' ') as [string, string];
  const ownAgent = operation === 'GET /agents/{id}' || operation === 'GET /agents/{id}/stats' || operation === 'PUT /agents/{id}/status';
  const url = path.replace('{id}', ownAgent ? agentId : randomUUID());
  const bodies: Record<string, unknown> = {
    'POST /call': { from: '+1', to: uniqueNumber(), language: 'en' },
    'POST /calls/{id}/answer': { agentId },
    'POST /calls/{id}/decline': { agentId },
    'POST /calls/{id}/hangup': { by: 'agent' },
    'PUT /agents/{id}/status': { status: 'break' },
    'POST /agents': {},
    'PATCH /agents/{id}': {},
    'POST /queues': {},
    'PATCH /queues/{id}': {},
    'POST /ring-groups': {},
    'PATCH /ring-groups/{id}': {},
    'POST /keys': {},
  };
  const body = bodies[operation];
  if (operation === 'GET /events') return openEventStream(key);
  return api.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/**
 * GET /events as the other operations' answers look: a stream that opened (200) is closed at once, with an empty body;
 * a refusal is read whole. An agent key that names no agent reads its own.
 */
async function openEventStream(key: string | undefined, query = '') {
  const response = await api.app.inject({
    method: 'GET',
    url: `/events${query}`,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    payloadAsStream: true,
  });
  const stream = response.stream();
  let body = '';
  if (response.statusCode === 200) stream.destroy();
  else for await (const chunk of stream) body += String(chunk);
  return { statusCode: response.statusCode, headers: response.headers, body, json: () => JSON.parse(body) };
}

describe('every operation in the document', () => {
  it('is in the table of who may call it', () => {
    expect(operations().filter((op) => !(op in expected))).toEqual([]);
  });

  it('refuses a request without a key, or with an unknown one, with 401 problem+json', async () => {
    for (const operation of operations()) {
      if (expected[operation] === 'public') continue;
      for (const key of [undefined, 'sbk_not-a-key', `${keys.admin}x`]) {
        const response = await requestFor(operation, key);
        expect(response.statusCode, `${operation} with ${key ?? 'no key'}`).toBe(401);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="switchboard"/);
        expect(response.json().errors).toEqual([{ field: 'headers.authorization', reason: expect.any(String) }]);
      }
    }
  });

  it('refuses a role that may not call it with 403, and lets the others through', async () => {
    const wrong: string[] = [];
    for (const operation of operations()) {
      const allowed = expected[operation]!;
      for (const role of ['admin', 'edge', 'agent', 'viewer'] as const) {
        const response = await requestFor(operation, keys[role]);
        const may = allowed === 'public' || role === 'admin' || allowed.includes(role as never);
        const refused = response.statusCode === 403 || response.statusCode === 401;
        if (may === refused) wrong.push(`${operation} as ${role}: ${response.statusCode} ${response.body.slice(0, 120)}`);
        if (response.statusCode === 403) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('documents the key it takes, and 401, 403 and 429, on every operation that takes one', () => {
    for (const [path, methods] of Object.entries(doc.paths as Json)) {
      for (const [method, operation] of Object.entries(methods as Json) as [string, Json][]) {
        const name = `${method.toUpperCase()} ${path}`;
        if (expected[name] === 'public') {
          expect(operation.security, name).toEqual([]);
          continue;
        }
        expect(operation.security, name).toEqual([{ apiKey: [] }]);
        for (const status of ['401', '403', '429']) expect(operation.responses[status], `${name} ${status}`).toBeDefined();
      }
    }
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('an agent key acts for its own agent only', () => {
  const other = randomUUID();
  const as = (key: string) => injectWithKey(api.app, key);
  const json = { 'content-type': 'application/json' };

  it('reads its own agent, not another', async () => {
    expect((await as(keys.agent)({ method: 'GET', url: `/agents/${agentId}` })).statusCode).toBe(200);
    const response = await as(keys.agent)({ method: 'GET', url: `/agents/${other}` });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toMatch(/acts for agent/);
  });

  it("reads its own statistics, not another's", async () => {
    const own = await as(keys.agent)({ method: 'GET', url: `/agents/${agentId}/stats` });
    expect(own.statusCode).toBe(200);
    expect(own.json().agent.id).toBe(agentId);
    expect((await as(keys.agent)({ method: 'GET', url: `/agents/${other}/stats` })).statusCode).toBe(403);
  });

  it("reads its own agent's events, not another's", async () => {
    expect((await openEventStream(keys.agent, `?agentId=${agentId}`)).statusCode).toBe(200);
    const response = await openEventStream(keys.agent, `?agentId=${other}`);
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toMatch(/acts for agent/);
  });

  it("sets its own status, not another's; answers and declines only as itself", async () => {
    // Its own status reaches the routing step (no worker here: 503); another's is refused before anything is sent.
    expect((await as(keys.agent)({ method: 'PUT', url: `/agents/${agentId}/status`, headers: json, payload: '{"status":"break"}' })).statusCode).toBe(503);
    expect((await as(keys.agent)({ method: 'PUT', url: `/agents/${other}/status`, headers: json, payload: '{"status":"break"}' })).statusCode).toBe(403);
    for (const action of ['answer', 'decline']) {
      const response = await as(keys.agent)({
        method: 'POST',
        url: `/calls/${randomUUID()}/${action}`,
        headers: json,
        payload: JSON.stringify({ agentId: other }),
      });
      expect(response.statusCode, action).toBe(403);
    }
  });
});

describe('keys are made and revoked', () => {
  it('by an admin over HTTP: the key is shown once, works at once, and stops working when deleted', async () => {
    const admin = injectWithKey(api.app, keys.admin);
    const created = await admin({
      method: 'POST',
      url: '/keys',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'wallboard', role: 'viewer' }),
    });
    expect(created.statusCode).toBe(201);
    const { id, key, prefix } = created.json();
    expect(key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    const listed = (await admin({ method: 'GET', url: '/keys?limit=100' })).json();
    const row = listed.items.find((k: Json) => k.id === id);
    expect(row).toMatchObject({ name: 'wallboard', role: 'viewer', prefix });
    expect(JSON.stringify(listed)).not.toContain(key);
    // Stored as its hash only.
    const [stored] = await api.db.$client`select hash from api_keys where id = ${id}`;
    expect(stored!.hash).not.toContain(key.slice(4));

    expect((await injectWithKey(api.app, key)({ method: 'GET', url: '/queues' })).statusCode).toBe(200);
    expect((await admin({ method: 'DELETE', url: `/keys/${id}` })).statusCode).toBe(204);
    expect((await injectWithKey(api.app, key)({ method: 'GET', url: '/queues' })).statusCode).toBe(401);
  });

  it('refuses an agent key without its agent, an agent that does not exist, and an agent for another role', async () => {
    const admin = injectWithKey(api.app, keys.admin);
    const post = (body: unknown) => admin({ method: 'POST', url: '/keys', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const before = Number((await api.db.$client`select count(*)::int as n from api_keys`)[0]!.n);
    const noAgent = await post({ name: 'x', role: 'agent' });
    expect(noAgent.statusCode).toBe(400);
    expect(noAgent.json().errors).toContainEqual({ field: 'body.agentId', reason: 'is required for the agent role' });
    expect((await post({ name: 'x', role: 'viewer', agentId })).statusCode).toBe(400);
    const unknown = await post({ name: 'x', role: 'agent', agentId: randomUUID() });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([{ field: 'body.agentId', reason: 'no such agent' }]);
    expect(Number((await api.db.$client`select count(*)::int as n from api_keys`)[0]!.n)).toBe(before);
  });

  it('by `npm run keys -- create`, whose key works', async () => {
    const root = join(import.meta.dirname, '../../..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'packages/db/src/cli/keys.ts', 'create', '--role', 'viewer', '--name', 'cli'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: callApiTestConfig().DATABASE_URL },
      },
    );
    const key = stdout.trim();
    expect(key).toMatch(/^sbk_/);
    expect((await injectWithKey(api.app, key)({ method: 'GET', url: '/calls?limit=1' })).statusCode).toBe(200);
  });
});

describe('limits and headers', () => {
  it('a key over its rate gets 429 problem+json with Retry-After; health is never limited', async () => {
    const viewer = injectWithKey(api.app, await testKey(api.db, 'viewer'));
    const answers = await Promise.all(Array.from({ length: 80 }, () => viewer({ method: 'GET', url: '/queues?limit=1' })));
    const limited = answers.filter((a) => a.statusCode === 429);
    // 50 a second: of 80 at once, at most 50 pass (fewer when the second turns over within the burst), the rest are 429.
    expect(
      answers.every((a) => a.statusCode === 200 || a.statusCode === 429),
      answers.map((a) => a.statusCode).join(),
    ).toBe(true);
    expect(answers.filter((a) => a.statusCode === 200).length).toBeLessThanOrEqual(50);
    expect(limited.length).toBeGreaterThanOrEqual(30);
    expect(limited[0]!.headers['retry-after']).toEqual(expect.any(String));
    expect(limited[0]!.headers['content-type']).toMatch(/^application\/problem\+json/);
    const health = await Promise.all(Array.from({ length: 80 }, () => api.app.inject({ method: 'GET', url: '/health/live' })));
    expect(health.every((a) => a.statusCode === 200)).toBe(true);
  });

  it('an address that keeps failing authentication gets 429 before any key it sends is looked up; others do not', async () => {
    const flooding = '198.51.100.7';
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        api.app.inject({ method: 'GET', url: '/calls', remoteAddress: flooding, headers: { authorization: `Bearer sbk_madeup${i}` } }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 401).length, statuses.join()).toBeLessThanOrEqual(200);
    expect(statuses.filter((s) => s === 429).length, statuses.join()).toBeGreaterThanOrEqual(100);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const refused = answers.find((a) => a.statusCode === 429)!;
    expect(refused.headers['retry-after']).toEqual(expect.any(String));
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json().detail).toMatch(/without a valid key/);
    // Another address is not refused for it, and a keyless request from the flooding one is still 429.
    const other = await api.app.inject({ method: 'GET', url: '/calls', remoteAddress: '198.51.100.8' });
    expect(other.statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/calls', remoteAddress: flooding })).statusCode).toBe(429);
  });

  it('metrics take a viewer (or admin) key', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await injectWithKey(api.app, keys.edge)({ method: 'GET', url: '/metrics' })).statusCode).toBe(403);
    const scraped = await injectWithKey(api.app, keys.viewer)({ method: 'GET', url: '/metrics' });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toMatch(/switchboard_/);
  });

  it('every answer carries the security headers, errors too', async () => {
    for (const response of [
      await api.app.inject({ method: 'GET', url: '/calls' }),
      await injectWithKey(api.app, keys.viewer)({ method: 'GET', url: '/queues' }),
    ]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['strict-transport-security']).toBeDefined();
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });
});

// POST /call against real PostgreSQL and Kafka: what is accepted, what is refused, and that refusals write nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTopics } from '@switchboard/contracts';
import { readTopicUntil } from '../../messaging/test/read-topic.ts';
import { CallIntake } from '../src/calls/intake.ts';
import { startCallApi, type CallApiHarness } from './call-api-harness.ts';

let api: CallApiHarness;
beforeAll(async () => {
  api = await startCallApi();
});
afterAll(() => api?.close());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  api.inject({ method: 'POST', url: '/call', headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

describe('POST /call accepts a call', () => {
  it('answers 202 with the call and Location, stores it with its first event, and hands it to Kafka', async () => {
    const response = await post({ from: '+15550001', to: api.queue.number, language: 'es-MX', priority: 5, metadata: { sipCallId: 'abc' } });
    expect(response.statusCode).toBe(202);
    const call = response.json();
    expect(response.headers.location).toBe(`/calls/${call.id}`);
    expect(call).toMatchObject({
      status: 'received', from: '+15550001', to: api.queue.number, language: 'es-MX', type: 'queue', priority: 5,
      metadata: { sipCallId: 'abc' }, destination: { kind: 'queue', id: api.queue.id, name: api.queue.name, number: api.queue.number },
    });

    const detail = (await api.inject({ method: 'GET', url: `/calls/${call.id}` })).json();
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(['call.received']);

    // The request carries the call's first event as stored: the worker publishes it on call-events with its decision.
    const { match: request } = await readTopicUntil(api.kafka, defaultTopics.routingInputs, (m) => m.key === 'default' && m.value.call?.id === call.id);
    expect(request.value).toMatchObject({
      type: 'call.requested', version: 1, call: { id: call.id, destination: { id: api.queue.id } },
      received: { id: detail.events[0].id, type: 'call.received', callId: call.id, sequence: 1, status: 'received', data: { destinationId: api.queue.id } },
    });
    // No outbox row: the call row, still received, is what records the request as owed.
    expect(await api.db.$client`select 1 from outbox where key = ${call.id} or payload->'call'->>'id' = ${call.id}`).toHaveLength(0);
  });

  it('routes a ring-group number to its ring group, and takes a matching type', async () => {
    const response = await post({ from: '1', to: api.group.number, language: 'fr', type: 'ring_group' });
    expect(response.statusCode).toBe(202);
    expect(response.json().destination).toMatchObject({ kind: 'ring_group', id: api.group.id });
  });
});

describe('POST /call refuses bad input with problem+json naming the field, and writes nothing', () => {
  const cases: { name: string; body: () => unknown; headers?: Record<string, string>; status: number; field: string; reason?: RegExp }[] = [
    { name: 'a missing field', body: () => ({ from: '1', to: api.queue.number }), status: 400, field: 'body.language', reason: /required/ },
    { name: 'a wrong type', body: () => ({ from: 15550001, to: api.queue.number, language: 'en' }), status: 400, field: 'body.from', reason: /string/ },
    { name: 'a bad language tag', body: () => ({ from: '1', to: api.queue.number, language: 'not a tag' }), status: 400, field: 'body.language' },
    { name: 'a negative priority', body: () => ({ from: '1', to: api.queue.number, language: 'en', priority: -1 }), status: 400, field: 'body.priority' },
    { name: 'an unknown field', body: () => ({ from: '1', to: api.queue.number, language: 'en', queue: 'x' }), status: 400, field: 'body.queue' },
    { name: 'a body that is not JSON', body: () => '{"from": "1",', status: 400, field: 'body', reason: /JSON/ },
    { name: 'an empty JSON body', body: () => '', status: 400, field: 'body' },
    { name: 'a JSON array', body: () => [], status: 400, field: 'body' },
    { name: 'a text/plain body', body: () => 'from=1', headers: { 'content-type': 'text/plain' }, status: 415, field: 'headers.content-type' },
    { name: 'a form body', body: () => 'from=1&to=100', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, field: 'headers.content-type' },
    { name: 'an oversize body', body: () => ({ from: '1', to: api.queue.number, language: 'en', metadata: { blob: 'x'.repeat(20_000) } }), status: 413, field: 'body' },
    // What PostgreSQL would refuse, and what would overflow the stack while hashing the body: 400, never 500.
    { name: 'NUL in from', body: () => ({ from: '+1\u0000', to: api.queue.number, language: 'en' }), status: 400, field: 'body.from', reason: /NUL/ },
    { name: 'NUL in a metadata value', body: () => ({ from: '+1', to: api.queue.number, language: 'en', metadata: { a: '\u0000' } }), status: 400, field: 'body.metadata.a', reason: /NUL/ },
    { name: 'NUL deep in metadata', body: () => ({ from: '+1', to: api.queue.number, language: 'en', metadata: { sip: [{ h: 'x\u0000' }] } }), status: 400, field: 'body.metadata.sip.0.h', reason: /NUL/ },
    { name: 'NUL in a metadata key', body: () => ({ from: '+1', to: api.queue.number, language: 'en', metadata: { sip: { ['\u0000']: 1 } } }), status: 400, field: 'body.metadata.sip', reason: /key/ },
    { name: 'an unpaired surrogate in metadata', body: () => `{"from":"+1","to":"${api.queue.number}","language":"en","metadata":{"a":"\\ud800"}}`, status: 400, field: 'body.metadata.a', reason: /surrogate/ },
    { name: 'metadata 9 levels deep', body: () => ({ from: '+1', to: api.queue.number, language: 'en', metadata: JSON.parse(`${'{"a":'.repeat(9)}1${'}'.repeat(9)}`) }), status: 400, field: `body.metadata${'.a'.repeat(8)}`, reason: /deeper than 8/ },
    { name: 'metadata 5,000 levels deep', body: () => `{"from":"+1","to":"${api.queue.number}","language":"en","metadata":{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`, status: 400, field: 'body', reason: /deep/ },
    { name: 'metadata with 257 keys', body: () => ({ from: '+1', to: api.queue.number, language: 'en', metadata: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, 1])) }), status: 400, field: 'body.metadata', reason: /257 keys/ },
    { name: 'metadata over 8 KiB', body: () => ({ from: '+1', to: api.queue.number, language: 'en', metadata: { blob: 'x'.repeat(9_000) } }), status: 400, field: 'body.metadata', reason: /bytes/ },
    { name: 'a body of 5,000 nested [', body: () => `${'['.repeat(5_000)}${']'.repeat(5_000)}`, status: 400, field: 'body' },
    { name: 'a body of 5,000 [ never closed', body: () => '['.repeat(5_000), status: 400, field: 'body' },
    { name: 'a body of 5,000 nested {', body: () => '{'.repeat(5_000), status: 400, field: 'body' },
    { name: 'an unknown number', body: () => ({ from: '1', to: '5550000999', language: 'en' }), status: 422, field: 'body.to', reason: /no queue or ring group/ },
    { name: 'a type that does not match', body: () => ({ from: '1', to: api.queue.number, language: 'en', type: 'ring_group' }), status: 422, field: 'body.type' },
  ];

  it.each(cases)('$name → $status on $field', async ({ body, headers, status, field, reason }) => {
    const before = await api.rowCounts();
    const response = await post(body(), headers);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
    const error = problem.errors.find((e: { field: string }) => e.field === field);
    expect(error, JSON.stringify(problem.errors)).toBeDefined();
    if (reason) expect(error.reason).toMatch(reason);
    expect(await api.rowCounts()).toEqual(before);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first call for the same key and body, and 409 for another body', async () => {
    const key = randomUUID();
    const body = { from: '+15550002', to: api.queue.number, language: 'en', metadata: { a: 1, b: 2 } };
    const first = await post(body, { 'idempotency-key': key });
    const before = await api.rowCounts();
    // The same body with its keys in another order is the same body.
    const again = await post({ metadata: { b: 2, a: 1 }, language: 'en', to: api.queue.number, from: '+15550002' }, { 'idempotency-key': key });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json().id).toBe(first.json().id);
    expect(again.headers['idempotent-replayed']).toBe('true');

    const other = await post({ ...body, from: '+15559999' }, { 'idempotency-key': key });
    expect(other.statusCode).toBe(409);
    expect(other.json().errors[0].field).toBe('headers.idempotency-key');
    expect(await api.rowCounts()).toEqual(before);
  });

  it('makes one call of many concurrent requests with one key', async () => {
    const key = randomUUID();
    const before = await api.rowCounts();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post({ from: '7', to: api.queue.number, language: 'en' }, { 'idempotency-key': key })));
    expect(new Set(responses.map((r) => r.statusCode))).toEqual(new Set([202]));
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    expect((await api.rowCounts()).calls).toBe(before.calls + 1);
  });
});

describe('a batch where two requests share a key', () => {
  it('stores the second when the first stored nothing (its number unknown), and only one call for the key', async () => {
    const intake = new CallIntake({ db: api.db, requests: { send: () => {} }, topics: { routingInputs: 'unused' }, maxBatch: 64, maxConcurrent: 1 });
    const key = randomUUID();
    // The first request takes the one statement slot; the next two wait and go together, in this order.
    const [, unknown, stored] = await Promise.all([
      intake.accept({ body: { from: '1', to: api.queue.number, language: 'en' } }),
      intake.accept({ body: { from: '2', to: '+0000000000', language: 'en' }, idempotencyKey: key }),
      intake.accept({ body: { from: '3', to: api.queue.number, language: 'en' }, idempotencyKey: key }),
    ]);
    expect(unknown).toEqual({ kind: 'unknown_destination', to: '+0000000000' });
    expect(stored).toMatchObject({ kind: 'accepted', replayed: false, call: { from: '3' } });
    expect(await api.db.$client`select id from calls where idempotency_key = ${key}`).toHaveLength(1);
  });
});

describe('GET /calls', () => {
  it('answers 404 problem+json for an unknown call and 400 for an id that is not a UUID', async () => {
    const missing = await api.inject({ method: 'GET', url: `/calls/${randomUUID()}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    const bad = await api.inject({ method: 'GET', url: '/calls/nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.id');
  });

  // Whatever PostgreSQL's uuid input would take or choke on, only a UUID reaches it.
  it.each([
    ['a word', 'nope'], ['a NUL', '%00'], ['a UUID in braces', `%7B${randomUUID()}%7D`], ['a UUID without dashes', randomUUID().replaceAll('-', '')],
    ['a UUID with a NUL after it', `${randomUUID()}%00`], ['a UUID and a bit more', `${randomUUID()}0`], ['non-ASCII', '%C3%A9'],
  ])('GET /calls/{id} with %s answers 400 on params.id', async (_name, id) => {
    const response = await api.inject({ method: 'GET', url: `/calls/${id}` });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors[0].field).toBe('params.id');
  });

  it('pages through the calls of a destination, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post({ from: String(i), to: api.group.number, language: 'en' })).json().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/calls?destinationId=${api.group.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await api.inject({ method: 'GET', url: query })).json();
      seen.push(...page.items.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 5)).toEqual(ids.toReversed());
  });

  it('pages through calls committed in one transaction (one created_at) without skipping or repeating any', async () => {
    // Concurrent posts share a group-commit transaction, so many calls share a microsecond timestamp.
    const posted = await Promise.all(Array.from({ length: 30 }, (_, i) => post({ from: String(i), to: api.queue.number, language: 'en' })));
    const ids = new Set(posted.map((r) => r.json().id as string));
    const shared = await api.db.$client<{ n: number }[]>`select max(c)::int as n from (select count(*) as c from calls where id = any(${[...ids]}::uuid[]) group by created_at) t`;
    expect(shared[0]!.n, 'calls sharing one created_at').toBeGreaterThan(1);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/calls?destinationId=${api.queue.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await api.inject({ method: 'GET', url: query })).json();
      seen.push(...page.items.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('docs', () => {
  it('serves the OpenAPI document generated from the contracts, and /api redirects to /docs', async () => {
    const doc = (await api.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/call'].post.requestBody.content['application/json'].schema).toBeDefined();
    // The rules validation enforces beyond JSON Schema's words are stated where a client reads the shape.
    const body = doc.components.schemas.CreateCallBody.properties;
    expect(body.metadata.description).toMatch(/8 levels deep.*256 keys.*8 KiB.*NUL \(U\+0000\)/);
    expect(body.from.description).toMatch(/NUL/);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Call', 'Problem']));
    const redirect = await api.inject({ method: 'GET', url: '/api' });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe('/docs');
  });
});

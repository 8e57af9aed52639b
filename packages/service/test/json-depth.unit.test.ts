// Every service refuses a JSON body nested deeper than it could ever need with a 400 naming the body, before anything
// that recurses (JSON.stringify, hashing, logging) meets it; Fastify's handling of other bodies is unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceApp, defaultMaxJsonDepth, jsonNestsDeeperThan, type ServiceApp } from '@switchboard/service';

describe('jsonNestsDeeperThan', () => {
  it.each([
    ['[]', 1, false],
    ['[[]]', 1, true],
    ['{"a":[{"b":{}}]}', 4, false],
    ['{"a":[{"b":{}}]}', 3, true],
    ['{"a":"[[[[[[{{{{"}', 1, false], // brackets inside a string do not nest
    ['{"a":"\\"[[[["}', 1, false], // nor after an escaped quote
    ['{"a":"\\\\"}', 1, false], // an escaped backslash ends before the closing quote
    ['[1,[2],[3],[4]]', 2, false], // siblings are not deeper
  ] as const)('%s deeper than %i: %s', (text, max, expected) => {
    expect(jsonNestsDeeperThan(text, max)).toBe(expected);
  });
});

describe('a service app', () => {
  let app: ServiceApp;
  beforeAll(async () => {
    // A body limit far above the default, so depth is the only thing that stops a deep body; the route stringifies
    // what it got, as hashing and storing a call's metadata do.
    app = createServiceApp({ bodyLimit: 4 * 1024 * 1024, access: false });
    app.post('/echo', { schema: { body: z.object({ data: z.unknown() }) } }, async (request) => ({ size: JSON.stringify(request.body).length }));
    await app.ready();
  });
  afterAll(() => app?.close());
  const post = (payload: string) => app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });

  it.each([
    ['arrays', (n: number) => `{"data":${'['.repeat(n)}${']'.repeat(n)}}`],
    ['objects', (n: number) => `{"data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`],
  ])('refuses %s nested 5,000 and 500,000 deep with 400 json-too-deep on body', async (_kind, body) => {
    for (const n of [5_000, 500_000]) {
      const response = await post(body(n));
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ type: 'urn:switchboard:problem:json-too-deep', errors: [{ field: 'body', reason: expect.stringContaining(String(defaultMaxJsonDepth)) }] });
    }
  });

  it('takes a body at the limit, and brackets inside strings', async () => {
    const atLimit = `{"data":${'['.repeat(defaultMaxJsonDepth - 1)}${']'.repeat(defaultMaxJsonDepth - 1)}}`;
    expect((await post(atLimit)).statusCode).toBe(200);
    expect((await post(`{"data":"${'['.repeat(10_000)}"}`)).statusCode).toBe(200);
  });

  it('still answers an empty body, invalid JSON and __proto__ as Fastify does, with 400', async () => {
    expect((await post('')).json()).toMatchObject({ status: 400, errors: [{ field: 'body', reason: 'is empty' }] });
    expect((await post('{"data":')).json()).toMatchObject({ status: 400, errors: [{ field: 'body', reason: 'is not valid JSON' }] });
    expect((await post('{"data":1,"__proto__":{"x":1}}')).statusCode).toBe(400);
  });
});

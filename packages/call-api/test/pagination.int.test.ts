// Every list's cursor: one that decodes to a sort key PostgreSQL cannot take is refused with 400 on querystring.cursor
// (it is not a cursor this API gave), never a 500 from the query's cast.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor } from '../src/routes/pagination.ts';
import { startCallApi, type CallApiHarness } from './call-api-harness.ts';

let api: CallApiHarness;
beforeAll(async () => {
  api = await startCallApi();
});
afterAll(() => api?.close());

const id = '0b3f7c55-1f6e-4a8e-9a57-0c6f4a1c2d11';
const cursorOf = (at: string) => Buffer.from(`${at}|${id}`).toString('base64url');
const lists = ['/calls', '/agents', '/queues', '/ring-groups'];

describe('a cursor whose date PostgreSQL cannot hold', () => {
  const cases = [
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['year 300000', '300000-01-01T00:00:00Z'],
    ['year +300000', '+300000-01-01T00:00:00Z'],
    ['an offset of 20 hours', '2026-01-01T00:00:00+20:00'],
    ['an offset at all (this API writes UTC)', '2026-01-01T00:00:00+01:00'],
  ];
  it.each(lists.flatMap((list) => cases.map(([name, at]) => [list, name!, at!])))('GET %s with %s → 400 on querystring.cursor', async (list, _name, at) => {
    const response = await api.inject({ method: 'GET', url: `${list}?cursor=${cursorOf(at)}` });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors).toEqual([{ field: 'querystring.cursor', reason: expect.any(String) }]);
  });

  it.each(lists)('GET %s takes a UTC cursor at the ends of what PostgreSQL holds', async (list) => {
    for (const at of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999Z', '2024-02-29T12:00:00.123456789Z']) {
      const response = await api.inject({ method: 'GET', url: `${list}?cursor=${cursorOf(at)}` });
      expect(response.statusCode, `${at}: ${response.body}`).toBe(200);
    }
  });

  it('every date a cursor may hold, PostgreSQL can cast (300 random ones, ends of every field included)', async () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const datetime = fc
      .record({
        year: fc.integer({ min: 0, max: 9_999 }).map((n) => String(n).padStart(4, '0')),
        month: fc.integer({ min: 1, max: 12 }).map((n) => String(n).padStart(2, '0')),
        day: fc.integer({ min: 1, max: 31 }).map((n) => String(n).padStart(2, '0')),
        hour: two(23), minute: two(59), second: two(59),
        fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
        offset: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), two(23), two(59)).map(([sign, h, m]) => `${sign}${h}:${m}`)),
      })
      .map((d) => `${d.year}-${d.month}-${d.day}T${d.hour}:${d.minute}:${d.second}${d.fraction ? `.${d.fraction}` : ''}${d.offset}`);
    await fc.assert(
      fc.asyncProperty(datetime, async (at) => {
        if (!decodeCursor(cursorOf(at))) return;
        await api.db.$client`select ${at}::timestamptz`;
      }),
      { numRuns: 300, examples: [['0000-06-01T00:00:00Z'], ['2026-06-01T00:00:00+16:00'], ['2024-02-29T23:59:59.999999999-15:59']] },
    );
  });
});

// Group commit shares one transaction among concurrent POST /call requests: one request the database would refuse
// must cost only its own answer. Validation refuses it first; should one get past validation, the intake splits the
// batch so that only that request is refused, and every other commits exactly once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateCallBody } from '@switchboard/contracts';
import { startCallApi, type CallApiHarness } from './call-api-harness.ts';

let api: CallApiHarness;
beforeAll(async () => {
  api = await startCallApi();
});
afterAll(() => api?.close());

/** Where the poisoned ones go among the valid, so they land in several batches and at their edges. */
const interleave = <T>(valid: T[], poisoned: T[]): { item: T; poisoned: boolean }[] => {
  const all = valid.map((item) => ({ item, poisoned: false }));
  poisoned.forEach((item, i) => all.splice(Math.floor(((i + 0.5) * all.length) / poisoned.length), 0, { item, poisoned: true }));
  return all;
};

/** The calls stored with these callers, as `from` → how many rows. */
async function storedByFrom(froms: string[]): Promise<Map<string, number>> {
  const rows = await api.db.$client<{ from: string; n: number }[]>`select "from", count(*)::int as n from calls where "from" = any(${froms}::text[]) group by "from"`;
  return new Map(rows.map((r) => [r.from, r.n]));
}

describe('one bad request among many concurrent POST /call', () => {
  it('200 valid and 10 poisoned: each valid one 202 and stored once, each poisoned one 400 naming its field, nothing of it stored', async () => {
    const run = randomUUID().slice(0, 8);
    const valid = Array.from({ length: 200 }, (_, i) => ({ from: `v${run}-${i}`, to: api.queue.number, language: 'en', metadata: { i } }));
    const poisoned: { body: unknown; field: string }[] = [
      ...Array.from({ length: 4 }, (_, i) => ({ body: { from: `p${run}-${i}`, to: api.queue.number, language: 'en', metadata: { a: '\u0000' } }, field: 'body.metadata.a' })),
      { body: { from: `p${run}-4\u0000`, to: api.queue.number, language: 'en' }, field: 'body.from' },
      { body: { from: `p${run}-5`, to: api.queue.number, language: 'en', metadata: { sip: { ['k\u0000']: 'v' } } }, field: 'body.metadata.sip' },
      { body: { from: `p${run}-6`, to: api.queue.number, language: 'en', metadata: { deep: [[[[[[[[['x']]]]]]]]] } }, field: `body.metadata.deep${'.0'.repeat(7)}` },
      { body: { from: `p${run}-7`, to: api.queue.number, language: 'en', metadata: { a: 'x\ud800' } }, field: 'body.metadata.a' },
      { body: { from: `p${run}-8`, to: api.queue.number, language: 'en', metadata: { blob: 'x'.repeat(9_000) } }, field: 'body.metadata' },
      { body: { from: `p${run}-9`, to: api.queue.number, language: 'en', metadata: { a: ['\u0000'] } }, field: 'body.metadata.a.0' },
    ];
    const before = await api.rowCounts();
    const sent = interleave(valid.map((body) => ({ body, field: '' })), poisoned);
    const responses = await Promise.all(
      sent.map(({ item }) => api.inject({ method: 'POST', url: '/call', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(item.body) })),
    );

    sent.forEach(({ item, poisoned: bad }, i) => {
      const response = responses[i]!;
      if (bad) {
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(item.field);
      } else {
        expect(response.statusCode, response.body).toBe(202);
        expect(response.json()).toMatchObject({ from: (item.body as { from: string }).from, metadata: (item.body as { metadata: unknown }).metadata });
      }
    });
    const stored = await storedByFrom(valid.map((b) => b.from));
    expect(valid.filter((b) => stored.get(b.from) !== 1)).toEqual([]);
    expect(await api.rowCounts()).toEqual({ calls: before.calls + 200, events: before.events + 200 });
    const poisonedFroms = await api.db.$client`select "from" from calls where "from" like ${`p${run}-%`}`;
    expect(poisonedFroms).toEqual([]);
  });

  it('should validation miss one, the batch is split: only the requests the database refuses are refused, each other commits once', async () => {
    // Straight to the intake, past validation, as a value validation does not know to refuse would come.
    const run = randomUUID().slice(0, 8);
    const valid: CreateCallBody[] = Array.from({ length: 200 }, (_, i) => ({ from: `w${run}-${i}`, to: api.queue.number, language: 'en' }));
    const poisoned: CreateCallBody[] = [
      ...Array.from({ length: 4 }, (_, i) => ({ from: `q${run}-${i}`, to: api.queue.number, language: 'en', metadata: { a: '\u0000' } })),
      ...Array.from({ length: 3 }, (_, i) => ({ from: `q${run}-${i + 4}\u0000`, to: api.queue.number, language: 'en' })),
      ...Array.from({ length: 3 }, (_, i) => ({ from: `q${run}-${i + 7}`, to: api.queue.number, language: 'en', metadata: { a: '\ud800' } })),
    ];
    // With idempotency keys too: a split must neither lose a valid request's call nor make two of it.
    const keyed = valid.slice(0, 20).map((body) => ({ body, idempotencyKey: `${run}-${body.from}` }));
    const before = await api.rowCounts();
    const sent = interleave([...keyed, ...valid.slice(20).map((body) => ({ body, idempotencyKey: undefined }))], poisoned.map((body) => ({ body, idempotencyKey: undefined })));
    const results = await Promise.all(sent.map(({ item }) => api.intake.accept(item)));

    sent.forEach(({ poisoned: bad }, i) => expect(results[i]!.kind).toBe(bad ? 'unstorable' : 'accepted'));
    const stored = await storedByFrom(valid.map((b) => b.from));
    expect(valid.filter((b) => stored.get(b.from) !== 1)).toEqual([]);
    expect(await api.rowCounts()).toEqual({ calls: before.calls + 200, events: before.events + 200 });

    // A retry of a keyed one replays the call it made.
    const retry = await api.intake.accept(keyed[0]!);
    expect(retry).toMatchObject({ kind: 'accepted', replayed: true });
    const first = results[sent.findIndex(({ item }) => item === keyed[0])]!;
    expect(first.kind === 'accepted' && retry.kind === 'accepted' && retry.call.id === first.call.id).toBe(true);
  });
});

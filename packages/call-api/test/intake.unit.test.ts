// How the intake answers when a batch's statement fails: a value the database refuses is traced to its request by
// splitting the batch; a failure of the database itself fails the batch once, without retrying it in pieces.
import { describe, expect, it, vi } from 'vitest';
import type { Database } from '@switchboard/db';
import { CallIntake, type IntakeResult } from '../src/calls/intake.ts';

/**
 * A database whose every statement fails with `error`, writing nothing; counts the attempts (a batch is one statement;
 * an empty fragment the statement embeds is not one).
 */
function failingDatabase(error: Error & { code: string }) {
  const begin = vi.fn();
  const sql = (strings: TemplateStringsArray) => {
    if (strings.join('').trim() === '') return '';
    begin();
    return Promise.reject(error);
  };
  return { db: { $client: Object.assign(sql, { unsafe: () => '' }) } as unknown as Database, begin };
}

/** An intake with one statement at a time, so that what arrives meanwhile goes as one batch. */
function intakeOn(db: Database) {
  return new CallIntake({ db, requests: { send: () => {} }, topics: { routingInputs: 'r' }, maxBatch: 64, maxConcurrent: 1 });
}
const body = (i: number) => ({ from: String(i), to: '100', language: 'en' });

describe("CallIntake when a batch's statement fails", () => {
  it('PostgreSQL down: every request of the batch fails with the error, and the batch is tried once', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { db, begin } = failingDatabase(down);
    const intake = intakeOn(db);
    // The first request starts a statement at once; the next eight wait for it and go together.
    const outcomes = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => intake.accept({ body: body(i) })));
    expect(outcomes.map((o) => o.status === 'rejected' && o.reason)).toEqual(Array(9).fill(down));
    expect(begin).toHaveBeenCalledTimes(2);
  });

  it('a value the database refuses: the batch is split down to single requests, and only those are refused', async () => {
    const refused = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const { db, begin } = failingDatabase(refused);
    const intake = intakeOn(db);
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => intake.accept({ body: body(i) })));
    expect(results).toEqual(Array(9).fill({ kind: 'unstorable', error: refused } satisfies IntakeResult));
    // 1 for the first request alone, then 2·8 − 1 for the batch of eight and its halves down to single requests.
    expect(begin).toHaveBeenCalledTimes(1 + 15);
  });
});

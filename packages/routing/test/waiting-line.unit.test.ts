// The waiting line's heap: the best call first, and the count of calls ranking before a given one, against a plain scan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ranksBefore, WaitingLine, type WaitingCall } from '../src/waiting-line.ts';

const call = (priority: number, queuedAt: number, sequence: number): WaitingCall => ({ priority, queuedAt, sequence, line: null, lineIndex: -1 });

describe('a waiting line', () => {
  it('counts the calls ranking before any call, in the line or not, as a scan of every call does; the head ranks first', () => {
    const arrival = fc.record({ priority: fc.integer({ min: 0, max: 3 }), queuedAt: fc.integer({ min: 0, max: 20 }) });
    fc.assert(
      fc.property(
        fc.array(arrival, { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(arrival, { minLength: 1, maxLength: 5 }),
        (arrivals, removals, probes) => {
          const line = new WaitingLine<WaitingCall>(null, Infinity);
          const calls = arrivals.map((a, i) => call(a.priority, a.queuedAt, i));
          for (const c of calls) line.push(c);
          for (const r of removals) if (calls.length) line.remove(calls.splice(r % calls.length, 1)[0]!);
          const outside = probes.map((p, i) => call(p.priority, p.queuedAt, 1_000 + i));
          for (const probe of [...calls, ...outside]) {
            expect(line.countRankingBefore(probe)).toBe(calls.filter((c) => c !== probe && ranksBefore(c, probe)).length);
          }
          if (calls.length) expect(calls.every((c) => c === line.peek() || ranksBefore(line.peek()!, c))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

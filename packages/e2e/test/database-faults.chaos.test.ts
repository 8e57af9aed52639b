// PostgreSQL drops the services' connections (pg_terminate_backend) over and over while calls come in: no service
// process dies (postgres.js used to throw an uncaught TypeError, patched in patches/), every call answered 202 is
// stored, and writes go on within a second once the connections are left alone.
// Known to fail about one run in three (issue 8, open): after the cuts, a pool query of either service can stay
// pending forever, so a POST /call or the worker's domain router waits with it (the worker logs "a routing step is
// taking too long"). That is why this runs under `npm run test:chaos`, not in `npm test`, until it is fixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from './system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

/** Terminates every backend of the services, every `everyMs`, until stopped; counts what it killed. */
function keepTerminating(everyMs: number) {
  let killed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await system.db.$client<{ ok: boolean }[]>`
        select pg_terminate_backend(pid) as ok from pg_stat_activity
         where application_name in ('call-api', 'queue-worker') and pid <> pg_backend_pid()`;
      killed += rows.filter((r) => r.ok).length;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { stop: async () => ((running = false), await loop, killed) };
}

describe('connections dropped by PostgreSQL', () => {
  it('crash no service: accepted calls are stored, and the API takes calls again once left alone', async () => {
    const killer = keepTerminating(25);
    const answers: { status: number; id?: string }[] = [];
    try {
      const until = Date.now() + 4_000;
      for (let round = 0; Date.now() < until; round++) {
        const batch = await Promise.all(Array.from({ length: 10 }, (_, i) =>
          system.post({ from: `+1888${round}${i}`, to: system.queue.number, language: 'en' }).then(
            async (r) => ({ status: r.status, id: r.status === 202 ? ((await r.json()) as { id: string }).id : undefined }),
            () => ({ status: 0 }),
          )));
        answers.push(...batch);
      }
    } finally {
      const killed = await killer.stop();
      expect(killed, 'backends terminated').toBeGreaterThan(5);
    }
    expect(system.exits, 'service processes that exited').toEqual([]);
    // A request whose connection was cut may fail (500/503), but never with a dead server (status 0).
    expect(answers.filter((a) => a.status === 0), 'requests that found no server').toEqual([]);
    const accepted = answers.flatMap((a) => (a.id ? [a.id] : []));
    expect(accepted.length, 'calls accepted while connections were being cut').toBeGreaterThan(0);

    // Within a second of the last cut, writes go through again (connections killed while idle are gone by then).
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => system.post({ from: `+1999${i}`, to: system.queue.number, language: 'en' })));
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(202));
    const ids = [...accepted, ...(await Promise.all(after.map(async (r) => ((await r.json()) as { id: string }).id)))];
    // Every accepted call is stored with its request in the outbox (202 means committed). That the worker then routes
    // them all is NOT asserted yet: under this fault its domain router can stall on a pool query that never settles
    // (issue 8, database faults); when that is fixed, wait here until every id is `queued`.
    const stored = await system.db.$client<{ n: number }[]>`select count(*)::int as n from calls where id = any(${ids}::uuid[])`;
    expect(stored[0]!.n).toBe(ids.length);
    expect(system.exits).toEqual([]);
  }, 120_000);
});

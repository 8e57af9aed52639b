// PostgreSQL drops the services' connections (pg_terminate_backend) over and over while calls come in: no service
// process dies, every call answered 202 is stored and routed, and writes go on within a second once the connections
// are left alone. Two driver defects used to break this (postgres.js 3.4.9, patched in patches/, tested on their own in
// packages/db/test/driver-faults.int.test.ts): a terminated backend in a transaction killed the process, and a
// transaction's callback going on after its connection closed leaked pool connections until a request or the worker's
// domain router waited forever.
// `npm test` cuts for 4 s; `npm run test:chaos` for a minute (CHAOS_SECONDS sets it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startSystem, type System } from './system.ts';

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

const cutSeconds = Number(process.env.CHAOS_SECONDS ?? 4);

describe('connections dropped by PostgreSQL', () => {
  it(
    'crash no service: accepted calls are stored, and the API takes calls again once left alone',
    async () => {
      const killer = keepTerminating(50);
      let killed: number;
      const answers: { status: number; id?: string }[] = [];
      try {
        const until = Date.now() + cutSeconds * 1_000;
        for (let round = 0; Date.now() < until; round++) {
          const batch = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              system.post({ from: `+1888${round}${i}`, to: system.queue.number, language: 'en' }).then(
                async (r) => ({ status: r.status, id: r.status === 202 ? ((await r.json()) as { id: string }).id : undefined }),
                () => ({ status: 0 }),
              ),
            ),
          );
          answers.push(...batch);
        }
      } finally {
        killed = await killer.stop();
      }
      expect(killed, 'backends terminated').toBeGreaterThan(5);
      expect(system.exits, 'service processes that exited').toEqual([]);
      // A request whose connection was cut may fail (500/503), but never with a dead server (status 0).
      expect(
        answers.filter((a) => a.status === 0),
        'requests that found no server',
      ).toEqual([]);
      const accepted = answers.flatMap((a) => (a.id ? [a.id] : []));
      console.info(
        `[database-faults] ${cutSeconds} s of cuts: ${killed} backends terminated, ${answers.length} requests, ${accepted.length} accepted (202), ` +
          `${answers.length - accepted.length} refused (${[...new Set(answers.filter((a) => !a.id).map((a) => a.status))].join(', ')})`,
      );
      expect(accepted.length, 'calls accepted while connections were being cut').toBeGreaterThan(0);

      // Within a second of the last cut, writes go through again (connections killed while idle are gone by then).
      await new Promise((r) => setTimeout(r, 1_000));
      const after = await Promise.all(Array.from({ length: 20 }, (_, i) => system.post({ from: `+1999${i}`, to: system.queue.number, language: 'en' })));
      expect(after.map((r) => r.status)).toEqual(Array(20).fill(202));
      const ids = [...accepted, ...(await Promise.all(after.map(async (r) => ((await r.json()) as { id: string }).id)))];
      // Every accepted call is stored (202 means committed), and the worker routes every one of them: none is left in
      // `received` behind a pool query that never settles (the defect this file was kept out of CI for).
      const stored = await system.db.$client<{ n: number }[]>`select count(*)::int as n from calls where id = any(${ids}::uuid[])`;
      expect(stored[0]!.n).toBe(ids.length);
      await eventually(
        () => system.db.$client<{ n: number }[]>`select count(*)::int as n from calls where id = any(${ids}::uuid[]) and status = 'received'`,
        (rows) => rows[0]!.n === 0,
        'every accepted call routed (none left in received)',
        20_000,
      );
      expect(system.exits).toEqual([]);
    },
    120_000 + cutSeconds * 2_000,
  );
});

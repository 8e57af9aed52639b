// What the postgres.js patch (patches/postgres+3.4.9.patch) fixes, each against real PostgreSQL: a backend terminated
// under a transaction fails its query instead of killing the process, and a transaction waiting for a connection when
// the pool's connection dies still begins once a new one is up (before the patch its begin never settled).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase, type Database } from '../src/index.ts';
import { stackUrls } from '../../local-stack/src/test/context.ts';

let admin: Database;
beforeAll(() => {
  admin = createDatabase(stackUrls().databaseUrl, { max: 1, applicationName: 'driver-faults-admin' });
});
afterAll(() => closeDatabase(admin));

const terminate = (applicationName: string) =>
  admin.$client`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${applicationName}`;

/** Settles within `ms`, or says it did not. */
const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise.then((value) => ({ settled: true as const, value }), (error: unknown) => ({ settled: true as const, error })), new Promise<{ settled: false }>((r) => setTimeout(() => r({ settled: false }), ms))]);

describe('postgres.js under terminated backends', () => {
  it('a transaction queued behind the only connection begins after that connection is terminated', async () => {
    const name = `driver-faults-${randomUUID().slice(0, 8)}`;
    const db = createDatabase(stackUrls().databaseUrl, { max: 1, applicationName: name });
    try {
      await db.$client`select 1`; // the pool's one connection is up
      const busy = db.$client`select pg_sleep(2)`.catch((error: unknown) => error); // …and busy
      await new Promise((r) => setTimeout(r, 100));
      const begun = db.$client.begin(async (sql) => (await sql`select 42 as n`)[0]!.n); // waits for a connection
      await new Promise((r) => setTimeout(r, 100));
      await terminate(name);
      expect(await busy).toMatchObject({ code: expect.any(String) }); // the busy query failed with the connection…
      expect(await within(5_000, begun)).toEqual({ settled: true, value: 42 }); // …and the transaction ran on the next one
    } finally {
      await closeDatabase(db);
    }
  });

  it('a transaction whose backend is terminated mid-way fails its query; the process lives on', async () => {
    const name = `driver-faults-${randomUUID().slice(0, 8)}`;
    const db = createDatabase(stackUrls().databaseUrl, { max: 1, applicationName: name });
    try {
      const failed = db.$client.begin(async (sql) => {
        await sql`select 1`;
        await terminate(name);
        await new Promise((r) => setTimeout(r, 100));
        await sql`select 2`;
      });
      await expect(failed).rejects.toMatchObject({ code: expect.stringMatching(/CONNECTION_|57P01/) });
      expect((await db.$client`select 3 as n`)[0]!.n).toBe(3);
    } finally {
      await closeDatabase(db);
    }
  });
});

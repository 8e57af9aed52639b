// postgres.js when PostgreSQL ends a connection in the middle of a transaction (pg_terminate_backend, a restart,
// idle_in_transaction_session_timeout): the transaction fails, and the pool goes on working. The driver (3.4.9, no
// fixed release) needs `patches/postgres+3.4.9.patch` for that; these tests are what the patch is held to.
// Upstream: porsager/postgres#1186 (queued transaction queries never settle), #1215 and #1155 (a transaction's callback
// goes on after its connection closed: its queries leaked the pool's connection, or ran on the reconnected one).
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { stackUrls } from '../../local-stack/src/test/context.ts';
import { createDatabase, type Database } from '../src/client.ts';

const open: Database[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.$client.end({ timeout: 1 })));
});

function database(max: number, applicationName: string): Database {
  const db = createDatabase(stackUrls().databaseUrl, { max, applicationName });
  open.push(db);
  return db;
}

/** Settles with the promise, or rejects saying it was still pending after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms))]);
}

/** A transaction that reports its backend's pid, then waits at `gate` inside its callback before going on with `rest`. */
function parkedTransaction(sql: postgres.Sql, rest: (tx: postgres.TransactionSql) => Promise<unknown>) {
  let pid!: (value: number) => void;
  let open!: () => void;
  const started = new Promise<number>((resolve) => (pid = resolve));
  const gate = new Promise<void>((resolve) => (open = resolve));
  const done = sql.begin(async (tx) => {
    const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
    pid(row!.pid);
    await gate;
    return rest(tx);
  });
  done.catch(() => {});
  return { started, open, done };
}

async function terminate(admin: Database, pid: number): Promise<void> {
  await admin.$client`select pg_terminate_backend(${pid})`;
}

describe('a connection ended by PostgreSQL inside a transaction', () => {
  it('fails the transaction, and a query its callback issues afterwards fails too without taking the pool connection', async () => {
    const db = database(1, 'driver-faults-a');
    const admin = database(1, 'driver-faults-admin');
    const tx = parkedTransaction(db.$client, (sql) => sql`select 1`);
    await terminate(admin, await tx.started);
    await expect(within(tx.done, 5_000, 'the transaction')).rejects.toThrow(/CONNECTION_CLOSED|terminat/i);
    // The callback goes on after its transaction failed, as callbacks do: its late query must fail, not leak the
    // pool's only connection (before the fix it moved the closed connection to the pool's "full" list for good).
    tx.open();
    await new Promise((r) => setTimeout(r, 100));
    const [row] = await within(db.$client<{ one: number }[]>`select 1 as one`, 5_000, 'a pool query after the cut');
    expect(row!.one).toBe(1);
  });

  it('runs nothing of the failed transaction on the connection the pool opened again', async () => {
    const db = database(1, 'driver-faults-b');
    const admin = database(1, 'driver-faults-admin');
    await db.$client`create table if not exists driver_faults_b (n int)`;
    await db.$client`truncate driver_faults_b`;
    const tx = parkedTransaction(db.$client, (sql) => sql`insert into driver_faults_b values (1)`);
    await terminate(admin, await tx.started);
    // A pool query waiting when the connection closes makes the pool reconnect that same connection object at once.
    const waiting = db.$client`select pg_sleep(0.5)`.execute();
    // The callback goes on while the reconnected connection runs that query.
    await new Promise((r) => setTimeout(r, 150));
    tx.open();
    await expect(within(tx.done, 5_000, 'the transaction')).rejects.toThrow();
    await within(waiting, 5_000, 'the pool query waiting during the cut');
    await new Promise((r) => setTimeout(r, 300));
    // The insert belonged to a transaction that failed: outside it, it must not run at all.
    const [row] = await within(db.$client<{ n: number }[]>`select count(*)::int as n from driver_faults_b`, 5_000, 'count');
    expect(row!.n).toBe(0);
    await db.$client`drop table driver_faults_b`;
  });

  it('fails the queries waiting in the transaction, so its callback ends', async () => {
    const db = database(1, 'driver-faults-c');
    const admin = database(1, 'driver-faults-admin');
    let pid!: (value: number) => void;
    const started = new Promise<number>((resolve) => (pid = resolve));
    const settled: string[] = [];
    const done = db.$client.begin(async (sql) => {
      const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      pid(row!.pid);
      // A long pipeline: some of these wait in the transaction's own queue when the backend is terminated.
      const queries = Array.from({ length: 200 }, (_, i) =>
        sql`select pg_sleep(0.005), ${i}::int as i`.then(
          () => 'ok',
          () => 'failed',
        ),
      );
      const outcomes = await Promise.all(queries);
      settled.push(...outcomes);
      return outcomes;
    });
    done.catch(() => {});
    await terminate(admin, await started);
    await expect(within(done, 5_000, 'the transaction')).rejects.toThrow();
    // Every query of the callback settles, so the callback itself ends.
    await within(
      (async () => {
        while (settled.length < 200) await new Promise((r) => setTimeout(r, 20));
      })(),
      5_000,
      'the queries of the failed transaction',
    );
    expect(settled).toContain('failed');
    const [row] = await within(db.$client<{ one: number }[]>`select 1 as one`, 5_000, 'a pool query after the cut');
    expect(row!.one).toBe(1);
  });
});

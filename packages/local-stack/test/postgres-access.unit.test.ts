// Giving user postgres what it must reach as root: when to copy the binaries, the atomic copy, where data moves.
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binariesNeedCopy, blockedForOthers, copyOnce, reachableDataDir } from '../src/postgres-access.ts';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'sb-access-'));
  await chmod(work, 0o755);
});
afterEach(() => rm(work, { recursive: true, force: true }));

/** A small stand-in for the binaries package, made as a umask 077 install would make it. */
async function fakePackage(dir: string): Promise<void> {
  await mkdir(join(dir, 'native', 'bin'), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'native', 'lib'), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'dist'), { mode: 0o700 });
  for (const name of ['initdb', 'postgres']) await writeFile(join(dir, 'native', 'bin', name), '#!/bin/sh\n', { mode: 0o700 });
  await writeFile(join(dir, 'native', 'lib', 'libpq.so.5.18'), 'lib', { mode: 0o600 });
  await symlink('libpq.so.5.18', join(dir, 'native', 'lib', 'libpq.so.5'));
  await writeFile(join(dir, 'dist', 'index.js'), 'export const x = 1;\n', { mode: 0o600 });
  await chmod(dir, 0o700);
}

const mode = async (path: string) => (await lstat(path)).mode & 0o777;

describe('blockedForOthers and binariesNeedCopy', () => {
  it('names the first folder others cannot enter', async () => {
    const closed = join(work, 'closed');
    await mkdir(join(closed, 'inner'), { recursive: true });
    await chmod(closed, 0o700);
    expect(await blockedForOthers(join(closed, 'inner'))).toEqual({ dir: closed, mode: 0o700 });
    expect(await blockedForOthers(work)).toBeUndefined();
  });

  it('copies only as root, and only when the binaries are out of reach of others', async () => {
    const pkg = join(work, 'pkg');
    await fakePackage(pkg);
    expect(await binariesNeedCopy(pkg, 1000)).toBeUndefined();
    expect(await binariesNeedCopy(pkg, 0)).toEqual({ dir: join(pkg, 'native', 'bin'), mode: 0o700 });
    // Folders open but the programs not executable by others (umask 077): still a copy.
    for (const d of [pkg, join(pkg, 'native'), join(pkg, 'native', 'bin')]) await chmod(d, 0o755);
    expect(await binariesNeedCopy(pkg, 0)).toEqual({ dir: join(pkg, 'native', 'bin', 'initdb'), mode: 0o700 });
    for (const name of ['initdb', 'postgres']) await chmod(join(pkg, 'native', 'bin', name), 0o755);
    expect(await binariesNeedCopy(pkg, 0)).toBeUndefined();
  });
});

describe('copyOnce', () => {
  it('copies with open modes and relative links kept, then reuses the copy', async () => {
    const pkg = join(work, 'pkg');
    await fakePackage(pkg);
    const target = join(work, 'shared', 'copy');
    await mkdir(join(work, 'shared'));
    expect(await copyOnce(pkg, target)).toBe('copied');
    expect(await mode(target)).toBe(0o755);
    expect(await mode(join(target, 'native', 'bin'))).toBe(0o755);
    expect(await mode(join(target, 'native', 'bin', 'initdb'))).toBe(0o755);
    expect(await mode(join(target, 'native', 'lib', 'libpq.so.5.18'))).toBe(0o644);
    expect(await mode(join(target, 'dist', 'index.js'))).toBe(0o644);
    expect(await readlink(join(target, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');

    const inode = (await stat(join(target, 'native', 'bin', 'postgres'))).ino;
    expect(await copyOnce(pkg, target)).toBe('reused');
    expect((await stat(join(target, 'native', 'bin', 'postgres'))).ino).toBe(inode);
    // No temporary folders left behind.
    expect(await readdir(join(work, 'shared'))).toEqual(['copy']);
  });

  it('lets concurrent runs agree on one whole copy', async () => {
    const pkg = join(work, 'pkg');
    await fakePackage(pkg);
    await mkdir(join(work, 'shared'));
    const target = join(work, 'shared', 'copy');
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => copyOnce(pkg, target)));
    expect(outcomes.filter((o) => o === 'copied').length).toBeGreaterThanOrEqual(1);
    expect(await readdir(join(work, 'shared'))).toEqual(['copy']);
    expect(await copyOnce(pkg, target)).toBe('reused');
  });

  it('replaces a copy that lost files (a /var/tmp cleaner) and never half-replaces it', async () => {
    const pkg = join(work, 'pkg');
    await fakePackage(pkg);
    await mkdir(join(work, 'shared'));
    const target = join(work, 'shared', 'copy');
    await copyOnce(pkg, target);
    await rm(join(target, 'native', 'lib', 'libpq.so.5.18'));
    expect(await copyOnce(pkg, target)).toBe('copied');
    expect(await stat(join(target, 'native', 'lib', 'libpq.so.5.18'))).toBeTruthy();
    expect(await readdir(join(work, 'shared'))).toEqual(['copy']);
  });

  it.runIf(process.getuid?.() === 0)('refuses a folder another user planted under the target name', async () => {
    const pkg = join(work, 'pkg');
    await fakePackage(pkg);
    const target = join(work, 'planted');
    await cp(pkg, target, { recursive: true, verbatimSymlinks: true });
    await chown(target, 65534, 65534);
    await expect(copyOnce(pkg, target)).rejects.toThrow(/not a folder owned by uid 0/);
  });
});

describe('reachableDataDir', () => {
  it('keeps the folder when not root or when user postgres can reach it', async () => {
    const closed = join(work, 'closed');
    await mkdir(closed, { mode: 0o700 });
    expect(await reachableDataDir(join(closed, 'stack', 'postgres'), { root: work, uid: 1000 })).toEqual({
      dataDir: join(closed, 'stack', 'postgres'),
    });
    expect(await reachableDataDir(join(work, 'stack', 'postgres'), { root: work, uid: 0 })).toEqual({
      dataDir: join(work, 'stack', 'postgres'),
    });
  });

  it('as root, moves data out of a closed folder to one named after it, the same on every run', async () => {
    const shared = join(work, 'shared');
    await mkdir(shared);
    const closed = join(work, 'closed');
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    const first = await reachableDataDir(join(closed, 'a', 'stack', 'postgres'), { root: shared, uid: 0 });
    expect(first.movedBecause).toEqual({ dir: closed, mode: 0o700 });
    expect(first.dataDir).toMatch(new RegExp(`^${shared}/switchboard-stack-[0-9a-f]{12}/postgres$`));
    expect(await mode(join(first.dataDir, '..'))).toBe(0o755);
    expect((await reachableDataDir(join(closed, 'a', 'stack', 'postgres'), { root: shared, uid: 0 })).dataDir).toBe(first.dataDir);
    // Another clone gets another folder.
    const other = await reachableDataDir(join(closed, 'b', 'stack', 'postgres'), { root: shared, uid: 0 });
    expect(other.dataDir).not.toBe(first.dataDir);
    // A clone deleted and made again at the same path (its Kafka data gone) does not find the old clone's PostgreSQL.
    await rm(join(closed, 'a'), { recursive: true });
    const again = await reachableDataDir(join(closed, 'a', 'stack', 'postgres'), { root: shared, uid: 0 });
    expect(again.dataDir).not.toBe(first.dataDir);
    expect((await reachableDataDir(join(closed, 'a', 'stack', 'postgres'), { root: shared, uid: 0 })).dataDir).toBe(again.dataDir);
  });
});

// Which storage settings the run's PostgreSQL had: read from the server itself, so the table cannot claim what was not so.
import type { Database } from '@switchboard/db';

export type StorageKind = 'durable' | 'throwaway';

export type StorageSettings = {
  /** What the run asked for (`--throwaway-storage` or not). */
  requested: StorageKind;
  /** What the server reports: durable when every commit waits for its WAL flush, which fsync makes real. */
  actual: StorageKind;
  fsync: string;
  synchronousCommit: string;
  fullPageWrites: string;
  walSyncMethod: string;
};

export async function storageSettings(db: Database, requested: StorageKind): Promise<StorageSettings> {
  const rows = await db.$client<{ name: string; setting: string }[]>`
    select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method')`;
  const s = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  const durable = s.fsync === 'on' && s.synchronous_commit !== 'off' && s.full_page_writes === 'on';
  return {
    requested,
    actual: durable ? 'durable' : 'throwaway',
    fsync: s.fsync ?? '?',
    synchronousCommit: s.synchronous_commit ?? '?',
    fullPageWrites: s.full_page_writes ?? '?',
    walSyncMethod: s.wal_sync_method ?? '?',
  };
}

export function describeStorage(s: StorageSettings): string {
  const settings = `fsync=${s.fsync}, synchronous_commit=${s.synchronousCommit}, full_page_writes=${s.fullPageWrites}, wal_sync_method=${s.walSyncMethod}`;
  const label = s.actual === 'durable' ? "durable (PostgreSQL's defaults)" : 'throwaway (no crash safety)';
  const mismatch = s.actual === s.requested ? '' : ` — ${s.requested} was asked for, but the server (from DATABASE_URL) runs otherwise`;
  return `${label}: ${settings}${mismatch}`;
}

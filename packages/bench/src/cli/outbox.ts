// `npm run bench:outbox [-- --calls n] [--writers n] [--rounds n]`: the outbox table against logical decoding, on a
// durable PostgreSQL of its own with wal_level=logical (deleted after the run).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { migrateDatabase } from '@switchboard/db';
import { startLocalPostgres } from '../../../local-stack/src/postgres.ts';
import { freePort } from '../../../local-stack/src/process.ts';
import { compareOutboxDesigns, type DesignResult } from '../profile/outbox-designs.ts';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '10000' }, writers: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' } },
});
const say = (line: string) => console.log(`[outbox] ${line}`);
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-outbox-'));
const pg = await startLocalPostgres({ dataDir, port: await freePort(), persistent: false, durable: true, settings: { wal_level: 'logical' }, say });
const writers = Number(values.writers);
const sql = postgres(pg.url, { max: writers + 2, onnotice: () => {} });
try {
  await migrateDatabase(pg.url);
  const rounds = await compareOutboxDesigns(sql, { calls: Number(values.calls), writers, rounds: Number(values.rounds), postmasterPid: pg.pid!, say });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const of = (i: number, pick: (r: DesignResult) => number) => median(rounds.map((r) => pick(r[i]!)));
  const row = (i: number) =>
    `| ${rounds[0]![i]!.design} | ${of(i, (r) => r.calls / r.wallSec).toFixed(0)} | ${of(i, (r) => r.postgresCpuMsPerCall).toFixed(3)} | ${of(i, (r) => r.walBytesPerCall).toFixed(0)} |`;
  console.log(`
PostgreSQL ${pg.version}, durable, wal_level=logical; ${values.calls} calls (a business row and 3 messages each) by ${writers} writers and one reader; median of ${rounds.length} interleaved rounds

| design | calls/s, written and read | PostgreSQL CPU per call, ms | WAL per call, bytes |
|---|---|---|---|
${row(0)}
${row(1)}
| ratio, logical ÷ table | ${(of(1, (r) => r.calls / r.wallSec) / of(0, (r) => r.calls / r.wallSec)).toFixed(2)}× | ${(of(1, (r) => r.postgresCpuMsPerCall) / of(0, (r) => r.postgresCpuMsPerCall)).toFixed(2)}× | ${(of(1, (r) => r.walBytesPerCall) / of(0, (r) => r.walBytesPerCall)).toFixed(2)}× |
`);
} finally {
  await sql.end({ timeout: 5 });
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}

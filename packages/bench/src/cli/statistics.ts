// `npm run bench:statistics [-- --calls n] [--queues n] [--days n] [--reads n]`: what a wallboard's poll of the
// statistics costs with a million stored calls, on a durable PostgreSQL of its own (deleted after the run).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { migrateDatabase } from '@switchboard/db';
import { startLocalPostgres } from '../../../local-stack/src/postgres.ts';
import { freePort } from '../../../local-stack/src/process.ts';
import { measureStatisticsAtScale } from '../statistics/statistics-at-scale.ts';
import { cpus, loadavg } from 'node:os';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000000' },
    queues: { type: 'string', default: '10' },
    days: { type: 'string', default: '7' },
    reads: { type: 'string', default: '200' },
  },
});
const say = (line: string) => console.log(`[statistics] ${line}`);
const options = { calls: Number(values.calls), queues: Number(values.queues), days: Number(values.days), reads: Number(values.reads), say };

const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-statistics-'));
const pg = await startLocalPostgres({ dataDir, port: await freePort(), persistent: false, durable: true, say });
const sql = postgres(pg.url, { max: 4, onnotice: () => {} });
try {
  await migrateDatabase(pg.url);
  say(
    `PostgreSQL ${pg.version}, durable storage; storing ${options.calls.toLocaleString('en-US')} calls over ${options.days} days in ${options.queues} queues`,
  );
  const result = await measureStatisticsAtScale(sql, options);
  const ms = (n: number) => n.toFixed(2);
  const lines = [
    `| read (${options.calls.toLocaleString('en-US')} calls stored, ${result.tableMiB.toFixed(0)} MiB of visits; ${result.windowVisits} in the queue's last 15 min) | median ms | p99 ms | without the visits' destination indexes: median ms | ratio |`,
    '|---|---|---|---|---|',
    ...result.rows.map(
      ({ label, indexed, withoutIndexes }) =>
        `| ${label} | ${ms(indexed.medianMs)} | ${ms(indexed.p99Ms)} | ${withoutIndexes ? ms(withoutIndexes.medianMs) : '-'} | ${withoutIndexes ? `${(withoutIndexes.medianMs / indexed.medianMs).toFixed(0)}×` : '-'} |`,
    ),
  ];
  console.log(`\n${lines.join('\n')}\n`);
  say(
    `stored in ${result.seedSec.toFixed(0)} s; ${options.reads} timed reads each (one at a time, after 5 warm-up ones); ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await sql.end({ timeout: 5 });
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}

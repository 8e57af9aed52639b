// `npm run bench [-- --smoke] [--throwaway-storage] [--out path] [--duration s] [--rounds n] [--connections n] [--profile dir]`: one full run.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runBench, type BenchSettings } from '../run.ts';
import { renderTable } from '../report/table.ts';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    // PostgreSQL without crash safety (fsync, synchronous_commit, full_page_writes off), as the tests run it.
    'throwaway-storage': { type: 'boolean', default: false },
    out: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    profile: { type: 'string' },
  },
});

const smoke = values.smoke!;
const settings: BenchSettings = {
  smoke,
  durationSec: Number(values.duration ?? (smoke ? 1 : 10)),
  rounds: Number(values.rounds ?? (smoke ? 1 : 3)),
  connections: Number(values.connections ?? (smoke ? 10 : 50)),
  // Smoke mode proves the machinery, not the numbers: low rates keep it quick on a busy CI runner.
  rates: smoke ? [100] : [500, 1_000, 2_000],
  e2eRate: smoke ? 100 : 1_000,
  // Issue 10's rates; the queue has enough free agents that a call rings at once unless routing itself falls behind.
  routingRates: smoke ? [50] : [100, 1_000],
  routingAgents: smoke ? 50 : 1_500,
  storage: values['throwaway-storage'] ? 'throwaway' : 'durable',
  ...(values.profile ? { profileDir: resolve(values.profile) } : {}),
};
const defaultOut = fileURLToPath(new URL(`../../results/${smoke ? 'smoke' : 'latest'}.json`, import.meta.url));
const out = resolve(values.out ?? defaultOut);
const say = (line: string) => console.log(`[bench] ${line}`);

const started = performance.now();
const results = await runBench(settings, say);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${renderTable(results)}\n`);
say(`results written to ${out} (${Math.round((performance.now() - started) / 1000)} s in all)`);

const problems = [
  ...results.serviceExits,
  ...(results.afterLoad.accounting.ok ? [] : [`not every accepted call reached the worker exactly once: ${JSON.stringify(results.afterLoad.accounting)}`]),
  ...(results.routing.accounting.ok ? [] : [`not every accepted routing call was answered once and completed: ${JSON.stringify(results.routing.accounting)}`]),
];
if (problems.length > 0) {
  console.error(`[bench] FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

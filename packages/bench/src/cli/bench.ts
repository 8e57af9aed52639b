// `npm run bench [-- --smoke] [--throwaway-storage] [--out path] [--duration s] [--rounds n] [--connections n] [--profile dir]
// [--scaling-rate n] [--scaling-duration s] [--only takeover,scaling]`: one full run, or (`--only`) just rows 10 and 11.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runBench, runOnly, workerPhaseNames, type BenchSettings, type WorkerPhaseName } from '../run.ts';
import { workerPhaseProblems } from '../report/worker-phase-checks.ts';
import { renderTable, renderWorkerPhasesTable } from '../report/table.ts';

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
    'scaling-rate': { type: 'string' },
    'scaling-duration': { type: 'string' },
    only: { type: 'string' },
  },
});

const only = values.only?.split(',').map((name) => name.trim()) as WorkerPhaseName[] | undefined;
const unknown = only?.filter((name) => !workerPhaseNames.includes(name));
if (unknown?.length) {
  console.error(`[bench] --only takes ${workerPhaseNames.join(', ')} (comma-separated), not: ${unknown.join(', ')}`);
  process.exit(2);
}

const smoke = values.smoke!;
const settings: BenchSettings = {
  smoke,
  durationSec: Number(values.duration ?? (smoke ? 1 : 10)),
  // Smoke mode proves the machinery: no warm-up there.
  warmUpSec: smoke ? 0 : Number(values.duration ?? 10),
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
  // Issue 10's takeover; smoke mode only proves routing resumes and no waiting call is lost (no time target on CI).
  takeover: smoke ? { agents: 200, calls: 200, sessionTimeoutMs: 6_000 } : { agents: 10_000, calls: 10_000, sessionTimeoutMs: 6_000 },
  scaling: {
    // Above what one worker routes on 2 cores (about 190/s, 2026-11-30 22:32), so both configurations are saturated.
    rate: Number(values['scaling-rate'] ?? (smoke ? 20 : 400)),
    durationSec: Number(values['scaling-duration'] ?? (smoke ? 2 : 15)),
    agents: smoke ? 30 : 1_500,
  },
};
const defaultOut = fileURLToPath(new URL(`../../results/${smoke ? 'smoke' : only ? 'only' : 'latest'}.json`, import.meta.url));
const out = resolve(values.out ?? defaultOut);
const say = (line: string) => console.log(`[bench] ${line}`);

const started = performance.now();
const full = only ? undefined : await runBench(settings, say);
const results = full ?? (await runOnly(settings, only!, say));
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${full ? renderTable(full) : renderWorkerPhasesTable(results)}\n`);
say(`results written to ${out} (${Math.round((performance.now() - started) / 1000)} s in all)`);

const problems = [
  ...(full
    ? [
        ...full.serviceExits,
        ...(full.afterLoad.accounting.ok ? [] : [`not every accepted call reached the worker exactly once: ${JSON.stringify(full.afterLoad.accounting)}`]),
        ...(full.routing.accounting.ok ? [] : [`not every accepted routing call was answered once and completed: ${JSON.stringify(full.routing.accounting)}`]),
      ]
    : []),
  ...workerPhaseProblems(results),
];
if (problems.length > 0) {
  console.error(`[bench] FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

// The lint gate bites: the engine's purity rules report each clock, random, timer, process and I/O use in
// packages/routing/src and nowhere else, and import cycles are reported within a package and across packages.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const eslint = new ESLint({ cwd: repoRoot });

async function lint(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

const globals = 'no-restricted-globals';
const properties = 'no-restricted-properties';
const imports = 'no-restricted-imports';
const syntax = 'no-restricted-syntax';

/** Each snippet is clean code anywhere else, and breaks the engine's purity in the rules listed. */
const impure: [what: string, code: string, rules: string[]][] = [
  ['Date.now()', 'export const now = () => Date.now();', [globals, properties]],
  ['new Date()', 'export const today = () => new Date();', [globals, syntax]],
  ['Date passed around', 'export const clock = Date;', [globals]],
  ['Math.random()', 'export const pick = () => Math.random();', [properties]],
  ['performance.now()', 'export const now = () => performance.now();', [globals, properties]],
  ['setTimeout', 'export const later = (run: () => void) => setTimeout(run, 1_000);', [globals]],
  ['setInterval', 'export const every = (run: () => void) => setInterval(run, 1_000);', [globals]],
  ['queueMicrotask', 'export const soon = (run: () => void) => queueMicrotask(run);', [globals]],
  ['process', 'export const level = () => process.env.LOG_LEVEL;', [globals]],
  ['console', "export const say = () => console.log('hello');", [globals]],
  ['globalThis', 'export const clock = () => globalThis.Date.now();', [globals]],
  ['fetch', "export const get = () => fetch('http://127.0.0.1:3000');", [globals]],
  ['crypto', 'export const id = () => crypto.randomUUID();', [globals]],
  ['node:fs', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;", [imports]],
  ['fs without node:', "import { readFileSync } from 'fs';\nexport const read = readFileSync;", [imports]],
  ['node:net', "import { connect } from 'node:net';\nexport const dial = connect;", [imports]],
  ['node:crypto', "import { randomInt } from 'node:crypto';\nexport const pick = randomInt;", [imports]],
  ['re-export of node:http', "export { createServer } from 'node:http';", [imports]],
  ['kafkajs', "import { Kafka } from 'kafkajs';\nexport const broker = Kafka;", [imports]],
  ['postgres', "import postgres from 'postgres';\nexport const connect = postgres;", [imports]],
  ['drizzle-orm', "import { eq } from 'drizzle-orm';\nexport const equals = eq;", [imports]],
  ['fastify', "import Fastify from 'fastify';\nexport const server = Fastify;", [imports]],
  ['@switchboard/db', "import { createDatabase } from '@switchboard/db';\nexport const open = createDatabase;", [imports]],
  ['@switchboard/messaging', "import { createKafka } from '@switchboard/messaging';\nexport const open = createKafka;", [imports]],
  ['dynamic import()', "export const load = () => import('./decide.ts');", [syntax]],
  ['import.meta', 'export const here = import.meta.url;', [syntax]],
];

describe('routing purity rules', () => {
  it.each(impure)('%s is reported in packages/routing/src', async (_what, code, rules) => {
    expect(new Set(await lint(code, 'packages/routing/src/lint-probe.ts'))).toEqual(new Set(rules));
    expect(new Set(await lint(code, 'packages/routing/src/strategies/queue/lint-probe.ts'))).toEqual(new Set(rules));
    expect(new Set(await lint(code, 'packages/routing/src/simulator/lint-probe.ts')), 'the simulator runs on a virtual clock too').toEqual(new Set(rules));
  });

  it.each(impure)('%s is allowed outside the engine', async (_what, code) => {
    expect(await lint(code, 'packages/queue-worker/src/lint-probe.ts')).toEqual([]);
    expect(await lint(code, 'packages/routing/test/lint-probe.ts'), "the engine's tests").toEqual([]);
    expect(await lint(code, 'packages/routing/src/simulator/cli.ts'), "the simulator's command line").toEqual([]);
    expect(await lint(code, 'packages/routing/src/bench/lint-probe.ts'), 'the decision benchmark').toEqual([]);
  });

  it('lets pure engine code through', async () => {
    const code = [
      "import type { RandomSource } from './random.ts';",
      "import { queueStrategies } from './vocabulary.ts';",
      'export const pick = (random: RandomSource, count: number) => Math.floor(random.next() * count);',
      'export const ringsUntil = (at: number, timeoutSec: number) => at + Math.max(0, timeoutSec) * 1_000;',
      'export const strategies = queueStrategies;',
    ].join('\n');
    expect(await lint(code, 'packages/routing/src/lint-probe.ts')).toEqual([]);
  });
});

describe('import cycles', () => {
  it('a cycle inside a package is reported', async () => {
    // decide.ts imports decision.ts, so decision.ts importing decide.ts closes a cycle.
    const code = "import { decide } from './decide.ts';\nexport const again = decide;";
    expect(await lint(code, 'packages/routing/src/decision.ts')).toEqual(['import-x/no-cycle']);
    expect(await lint(code, 'packages/routing/src/lint-probe.ts'), 'the same import from a module nothing imports').toEqual([]);
  });

  it('a cycle across workspace packages is reported', async () => {
    // @switchboard/db imports @switchboard/contracts, so contracts importing db closes a cycle.
    const code = "import { createDatabase } from '@switchboard/db';\nexport const open = createDatabase;";
    expect(await lint(code, 'packages/contracts/src/index.ts')).toEqual(['import-x/no-cycle']);
    expect(await lint(code, 'packages/call-api/src/lint-probe.ts'), 'the same import from a package db does not import').toEqual([]);
  });

  it('type-only imports do not count: they are gone at run time', async () => {
    const code = "import type { DecisionResult } from './decide.ts';\nexport type Again = DecisionResult;";
    expect(await lint(code, 'packages/routing/src/decision.ts')).toEqual([]);
  });
});

// `npm run loadtest`, short, against real services: Poisson calls into a queue of simulated agents who learn their
// rings from call-events; every posted call must end (as the run saw it and as PostgreSQL stores it) and the table
// against Erlang C must be printed. The figures themselves are not judged here: a run this short cannot pin them.
import { createApiKey } from '@switchboard/db';
import { runLoadTest, type LoadSettings } from '@switchboard/loadtest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stackUrls } from '../../local-stack/src/test/context.ts';
import { startSystem, type System } from './system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

it('posts Poisson calls, the agents answer and hang up every one, and the Erlang C table is printed', { timeout: 120_000 }, async () => {
  const edgeKey = (await createApiKey(system.db.$client, { name: 'loadtest edge', role: 'edge' })).key;
  // About 20 calls in 18 s to 3 agents at ρ ≈ 0.8, talking 2 s on average: some wait, all end within seconds.
  const settings: LoadSettings = {
    agents: 3,
    arrivalRate: 1.1,
    meanTalkSec: 2,
    answerDelaySec: 0.2,
    warmUpSec: 3,
    durationSec: 15,
    serviceLevelSec: 2,
    batches: 3,
    seed: 5,
    ringTimeoutSec: 15,
    drainTimeoutSec: 60,
  };
  const said: string[] = [];
  const result = await runLoadTest(
    settings,
    {
      apiUrl: system.api.url,
      adminKey: system.adminKey,
      edgeKey,
      kafkaBrokers: stackUrls().kafkaBrokers,
      callEventsTopic: system.topics.callEvents,
      domain: system.domain,
    },
    (line) => said.push(line),
  );

  expect(result.problems, said.join('\n')).toEqual([]);
  expect(result.outcomes.length).toBeGreaterThanOrEqual(8);
  expect(result.outcomes.filter((call) => call.ended !== 'completed')).toEqual([]);
  expect(result.agents.answered).toBe(result.outcomes.length);
  expect(result.agents.hungUp).toBe(result.outcomes.length);
  // What PostgreSQL holds, not only what the reader saw.
  const ids = result.outcomes.map((call) => call.callId);
  const stored = await system.db.$client<
    { status: string; count: number }[]
  >`select status, count(*)::int as count from calls where id in ${system.db.$client(ids)} group by status`;
  expect(stored).toEqual([{ status: 'completed', count: ids.length }]);
  // Every served call has a wait and a handle time, and the table has each figure beside Erlang C.
  expect(result.outcomes.every((call) => call.waitSec !== null && call.waitSec >= 0 && call.handleSec !== null && call.handleSec > 0)).toBe(true);
  for (const figure of ['P(wait > 0)', 'mean wait (s)', 'service level (wait ≤ 2 s)']) expect(result.report).toContain(`| ${figure} |`);
  expect(result.report).toContain('Erlang C, load measured');
  expect(result.report).toMatch(/Asterisk's formula/);
});

// Rows 10 and 11 without a stack: the domains' partitions, what the table says about targets and saturation, and
// what fails a run.
import { describe, expect, it } from 'vitest';
import { partitionOfDomain } from '../../queue-worker/src/ownership/domain-partition.ts';
import { workerPhaseRows } from '../src/report/table.ts';
import { workerPhaseProblems } from '../src/report/worker-phase-checks.ts';
import type { RoutingAccounting, RoutingPhase } from '../src/routing/routing-load.ts';
import { domainSuffixes, type ScalingResult, type ScalingRun } from '../src/routing/scaling.ts';
import type { TakeoverResult } from '../src/routing/takeover.ts';

const percentiles = { count: 1, p50Ms: 1, p99Ms: 1, maxMs: 1 };
const accounting = (ok: boolean): RoutingAccounting => ({
  accepted: 100,
  distinctAccepted: 100,
  created: 100,
  completed: ok ? 100 : 99,
  answeredEvents: 100,
  answeredTwice: 0,
  acceptedRoutedOnce: ok ? 100 : 99,
  ok,
});
const phase: RoutingPhase = {
  rate: 200,
  load: { rate: 200, sentPerSec: 200, sent: 100, accepted: 100, errors: 0, latency: percentiles },
  toRinging: percentiles,
  answer: percentiles,
  actionErrors: {},
  drainMs: 10,
};
const run = (workers: number, routedPerSec: number, extra: Partial<ScalingRun> = {}): ScalingRun => ({
  workers,
  domains: workers,
  owners: Array.from({ length: workers }, (_, i) => ({ domain: `d${i}`, partition: i, worker: 100 + i })),
  ownersDistinct: true,
  phase,
  elapsedMs: 1_000,
  routedPerSec,
  accounting: accounting(true),
  repeatedRings: 0,
  loadAverageAfter: [1, 1, 1],
  ...extra,
});
const scaling = (one: ScalingRun, three: ScalingRun): ScalingResult => ({
  cores: 2,
  rate: 200,
  durationSec: 15,
  agents: 1_500,
  one,
  three,
  ratio: three.routedPerSec / one.routedPerSec,
});
const takeover = (resumeMs: number, ok = true): TakeoverResult => ({
  agents: 10_000,
  waitingCalls: 10_000,
  sessionTimeoutMs: 6_000,
  resumeMs,
  rebuildMs: 700,
  steps: { joinedMs: 6_300, claimedMs: 6_350, rebuiltMs: 7_050 },
  survivorRssBeforeMiB: 180,
  survivorPeakRssMiB: 220,
  accounting: { accepted: 10_000, created: 10_000, queued: ok ? 9_999 : 9_998, ringing: 1, other: ok ? 0 : 1, ok },
});
const text = (rows: string[][]) => rows.map((r) => r.join(' | ')).join('\n');

describe('domainSuffixes', () => {
  it('names domains whose key lands on partitions 0, 1, 2, as the workers compute it', () => {
    const suffixes = domainSuffixes(3, 6, 'abc');
    expect(suffixes.map((s) => partitionOfDomain('any-topic', `bench-routing-${s}`, 6))).toEqual([0, 1, 2]);
  });
});

describe('workerPhaseRows', () => {
  it('holds the takeover against the session timeout + 2 s', () => {
    expect(text(workerPhaseRows({ takeover: takeover(7_900) }))).toContain('| met (≤ 8.00 s)');
    expect(text(workerPhaseRows({ takeover: takeover(8_100) }))).toContain('| not met (≤ 8.00 s)');
  });

  it('says when the offered load did not saturate a configuration, except in smoke mode', () => {
    const r = { scaling: scaling(run(1, 150), run(3, 185)) };
    const rows = workerPhaseRows(r);
    expect(rows.filter((row) => row[2]!.includes('NOT SATURATED'))).toHaveLength(1);
    expect(rows.at(-1)!.slice(0, 2)).toEqual(['    ratio 3 workers ÷ 1 worker', '1.23×']);
    expect(text(workerPhaseRows(r, true))).not.toContain('NOT SATURATED');
    expect(text(workerPhaseRows(r, true))).toContain('no performance claim');
  });

  it('names the worker of each domain, and says when two domains shared one', () => {
    const shared = run(3, 50, { ownersDistinct: false });
    const detail = workerPhaseRows({ scaling: scaling(run(1, 50), shared) })[1]![2]!;
    expect(detail).toContain('d0 (partition 0) → worker pid 100, d1 (partition 1) → worker pid 101');
    expect(detail).toContain('NOT one worker per domain');
  });

  it('shows a failed phase as FAILED with its reason', () => {
    expect(workerPhaseRows({ takeover: { error: 'the agent made available to ring did not happen' } })[0]).toEqual([
      '10. takeover after a SIGKILL of the owning worker',
      'FAILED',
      'the agent made available to ring did not happen',
    ]);
  });
});

describe('workerPhaseProblems', () => {
  it('passes a run whose calls all add up, however slow', () => {
    expect(workerPhaseProblems({ takeover: takeover(60_000), scaling: scaling(run(1, 5), run(3, 1)) })).toEqual([]);
  });

  it('fails on a takeover that never resumed, a lost waiting call, an unrouted call or domains sharing a worker', () => {
    expect(workerPhaseProblems({ takeover: { error: 'timed out' } })).toEqual(['takeover: timed out']);
    expect(workerPhaseProblems({ takeover: takeover(7_000, false) })[0]).toMatch(/^takeover: the waiting calls do not add up/);
    const problems = workerPhaseProblems({ scaling: scaling(run(1, 50, { accounting: accounting(false) }), run(3, 50, { ownersDistinct: false })) });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^scaling, 1 worker\(s\): not every accepted call/);
    expect(problems[1]).toMatch(/^scaling, 3 workers: the domains were not on different workers/);
  });
});

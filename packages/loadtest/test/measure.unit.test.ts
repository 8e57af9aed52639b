// The load test's arithmetic: waits and handle times from events, Asterisk's formula, the figures and their ranges.
import { describe, expect, it } from 'vitest';
import { erlangC, erlangCServiceLevel } from '@switchboard/routing';
import { AsteriskHoldTime } from '../src/asterisk-hold-time.ts';
import type { SeenEvent } from '../src/call-event-reader.ts';
import { asteriskEstimates, callOutcome, measureFigures, type CallOutcome } from '../src/measure.ts';
import { planCalls, type PostedCall } from '../src/poisson-arrivals.ts';
import { renderReport } from '../src/report.ts';

const event = (type: string, atSec: number, data: Record<string, unknown> = {}): SeenEvent => ({ callId: 'c', type, sequence: 1, at: atSec * 1_000, data });
const call = (index: number, measured = true): PostedCall => ({ index, callId: `c${index}`, atSec: index, talkSec: 1, measured });

describe("Asterisk's hold time", () => {
  it('moves a quarter of the way to each new wait and never announces less than 0', () => {
    const holdTime = new AsteriskHoldTime();
    expect(holdTime.estimate()).toBe(0);
    holdTime.recordAnswered(8);
    expect(holdTime.estimate()).toBe(2);
    holdTime.recordAnswered(0);
    expect(holdTime.estimate()).toBe(1.5);
    expect(holdTime.estimate(1)).toBe(0.5);
    expect(holdTime.estimate(5)).toBe(0);
  });
});

describe('a call from its events', () => {
  it('waits from call.queued to its first ring and is handled from that ring to call.completed', () => {
    const outcome = callOutcome(call(0), [
      event('call.received', 0),
      event('call.queued', 0.1, { queueId: 'q', estimatedWaitSec: 3.5 }),
      event('call.ringing', 4.1),
      event('call.no_answer', 19.1),
      event('call.ringing', 19.1),
      event('call.answered', 20),
      event('call.completed', 40.1),
    ]);
    expect(outcome).toMatchObject({ ended: 'completed', rings: 2, systemEstimateSec: 3.5 });
    expect(outcome.waitSec).toBeCloseTo(4, 9);
    expect(outcome.answerWaitSec).toBeCloseTo(19.9, 9);
    expect(outcome.handleSec).toBeCloseTo(36, 9);
  });

  it('has no estimate when call.queued carries none, and no end while live', () => {
    const outcome = callOutcome(call(0), [event('call.queued', 0, { queueId: 'q' }), event('call.ringing', 0)]);
    expect(outcome).toMatchObject({ ended: null, waitSec: 0, answerWaitSec: null, handleSec: null, systemEstimateSec: null });
  });
});

describe("Asterisk's estimates over a run", () => {
  it('tells each call the hold time of the calls answered before it entered', () => {
    const outcome = (index: number, queuedAt: number, waitSec: number): CallOutcome => ({
      index,
      callId: `c${index}`,
      measured: true,
      ended: 'completed',
      queuedAt: queuedAt * 1_000,
      waitSec: Math.max(0, waitSec - 1),
      answerWaitSec: waitSec,
      handleSec: 1,
      rings: 1,
      systemEstimateSec: null,
      asteriskEstimateSec: null,
    });
    // c0 is answered at 8 after 8 s (hold time 2), c1 at 9 after 4 s (2.5); c2 enters at 8.5, c3 at 9.5 as c2 is answered (entry first).
    const calls = [outcome(0, 0, 8), outcome(1, 5, 4), outcome(2, 8.5, 1), outcome(3, 9.5, 0)];
    asteriskEstimates(calls);
    expect(calls.map((c) => c.asteriskEstimateSec)).toEqual([0, 0, 2, 2.5]);
  });
});

describe('the figures', () => {
  const settings = { agents: 2, arrivalRate: 1, meanTalkSec: 1, answerDelaySec: 0, durationSec: 8, serviceLevelSec: 2, batches: 4 };
  // Eight measured calls, two batches of each kind of wait: 0, 0, 1, 3 per batch; handle 1.5 s each; one warm-up call.
  const waits = [0, 0, 1, 3, 0, 0, 1, 3];
  const outcomes: CallOutcome[] = [
    {
      index: 0,
      callId: 'w',
      measured: false,
      ended: 'completed',
      queuedAt: 0,
      waitSec: 20,
      answerWaitSec: 21,
      handleSec: 9,
      rings: 1,
      systemEstimateSec: null,
      asteriskEstimateSec: null,
    },
    ...waits.map((waitSec, i) => ({
      index: i + 1,
      callId: `c${i}`,
      measured: true,
      ended: 'completed',
      queuedAt: (i + 1) * 10_000,
      waitSec,
      answerWaitSec: waitSec,
      handleSec: 1.5,
      rings: 1,
      systemEstimateSec: waitSec,
      asteriskEstimateSec: null,
    })),
  ];
  const figures = measureFigures(outcomes, settings);

  it('are shares and means over the measured calls, with ranges from the batch means', () => {
    expect(figures.calls).toEqual({ posted: 9, measured: 8, ended: 9, notEnded: 0, completed: 9, ringedAgain: 0 });
    expect(figures.probabilityOfWaiting.value).toBe(0.5);
    expect(figures.meanWaitSec.value).toBe(1);
    expect(figures.serviceLevel.value).toBe(0.75);
    expect(figures.longestWaitSec).toBe(3);
    // Batches of two calls: (0, 0), (1, 3), (0, 0), (1, 3): means 0, 2, 0, 2, sd 1.155, t(3) = 3.182.
    expect(figures.meanWaitSec.halfWidth).toBeCloseTo((3.182 * Math.sqrt(4 / 3)) / 2, 3);
    expect(figures.measuredLoad).toEqual({ arrivalRate: 1, meanHandleSec: 1.5, offeredLoad: 1.5, utilization: 0.75 });
  });

  it('set Erlang C at the measured load beside them', () => {
    const formula = erlangC(1, 1 / 1.5, 2);
    expect(figures.erlangC.measured).toEqual({
      probabilityOfWaiting: formula.probabilityOfWaiting,
      meanWaitSec: formula.meanWaitSec,
      serviceLevel: erlangCServiceLevel(1, 1 / 1.5, 2, 2),
    });
    expect(figures.erlangC.nominal?.probabilityOfWaiting).toBeCloseTo(erlangC(1, 1, 2).probabilityOfWaiting, 12);
  });

  it("compare the system's estimate with Asterisk's on the same calls", () => {
    expect(figures.estimates.callsWithSystemEstimate).toBe(8);
    expect(figures.estimates.system?.value).toBe(0);
    expect(figures.estimates.asterisk.value).toBeGreaterThan(0);
    expect(figures.estimates.ratio).toBe(0);
    const report = renderReport(figures, { ...settings, warmUpSec: 10, seed: 1 });
    expect(report).toContain("| Switchboard's (estimatedWaitSec of call.queued) | 0.00 |");
    expect(report).toContain("| ratio, Switchboard's ÷ Asterisk's (target ≤ 0.5) | 0.00 |");
  });

  it('say so when the system gave no estimate', () => {
    const without = measureFigures(
      outcomes.map((call) => ({ ...call, systemEstimateSec: null })),
      settings,
    );
    expect(without.estimates).toMatchObject({ callsWithSystemEstimate: 0, system: null, ratio: null });
    const report = renderReport(without, { ...settings, warmUpSec: 10, seed: 1 });
    expect(report).toContain('the system gave no estimate');
    expect(report).toMatch(/\| P\(wait > 0\) \| 0\.500 \|/);
    // No measured call waited past 2 s in any batch but the ones that did: the service level varies, so it has a range.
    expect(report).toMatch(/\| service level \(wait ≤ 2 s\) \| 0\.750 \| 0\.\d+ – 1\.000 \|/);
  });
});

describe('the planned calls', () => {
  it('replay from their seed, arrive at the asked rate and talk the asked mean', () => {
    const options = { arrivalRate: 2, meanTalkSec: 10, warmUpSec: 100, durationSec: 5_000, seed: 7 };
    const plan = planCalls(options);
    expect(planCalls(options)).toEqual(plan);
    const measured = plan.filter((c) => c.measured);
    expect(measured[0]!.atSec).toBeGreaterThanOrEqual(100);
    expect(plan.filter((c) => !c.measured).every((c) => c.atSec < 100)).toBe(true);
    // 10,000 arrivals expected: within 3%; mean talk within 3%.
    expect(measured.length / 5_000).toBeGreaterThan(1.94);
    expect(measured.length / 5_000).toBeLessThan(2.06);
    expect(plan.reduce((sum, c) => sum + c.talkSec, 0) / plan.length).toBeCloseTo(10, 0);
  });
});

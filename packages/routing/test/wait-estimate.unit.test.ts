// A waiting call's position and estimated wait, Asterisk's estimate, and how far each is from the waits an M/M/n queue
// of the engine really gives.
import { describe, expect, it } from 'vitest';
import {
  asteriskEstimatedWaitSec,
  asteriskHoldtime,
  createRandom,
  createRoutingState,
  decide,
  defaultHandleTimeSec,
  estimateWaitSec,
  gammaMedian,
  HandleTimeWindow,
  meanWaitSec,
  waitingPosition,
  type RoutingInput,
  type RoutingState,
} from '../src/index.ts';
import { simulateQueue } from '../src/simulator/simulation.ts';

describe('the estimate', () => {
  const times = { handleTimeSec: 60, ringToAnswerSec: 2 };

  it('is the ring alone when the call rings or a free agent can take it', () => {
    expect(estimateWaitSec({ offered: true, callsAhead: 0, agents: 3, freeAgents: 0 }, times)).toBe(2);
    expect(estimateWaitSec({ offered: false, callsAhead: 1, agents: 3, freeAgents: 2 }, times)).toBe(2);
  });

  it('waits for m = k + 1 − f of n agents to finish: the median of Gamma(m, h/n), then the ring', () => {
    // 0 calls ahead, 3 agents all busy: ln 2 · 60 / 3 ≈ 13.9 s, plus the ring; the mean would be 20 s.
    expect(estimateWaitSec({ offered: false, callsAhead: 0, agents: 3, freeAgents: 0 }, times)).toBeCloseTo(Math.LN2 * 20 + 2, 9);
    expect(meanWaitSec({ offered: false, callsAhead: 0, agents: 3, freeAgents: 0 }, times)).toBe(22);
    // 4 calls ahead: the 5th finish, median ≈ 4.6687 · 20 s (mean 100 s).
    expect(estimateWaitSec({ offered: false, callsAhead: 4, agents: 3, freeAgents: 0 }, times)).toBeCloseTo(4.6687 * 20 + 2, 0);
    expect(meanWaitSec({ offered: false, callsAhead: 4, agents: 3, freeAgents: 0 }, times)).toBe(102);
    // One free agent who cannot take it yet (another call is ahead for them): two finishes needed.
    expect(meanWaitSec({ offered: false, callsAhead: 2, agents: 2, freeAgents: 1 }, times)).toBe(62);
    // Nobody serving: as if one agent were.
    expect(meanWaitSec({ offered: false, callsAhead: 1, agents: 0, freeAgents: 0 }, times)).toBe(122);
  });

  it('takes the Gamma median within 0.2%', () => {
    // Medians of Gamma(m, 1) from tables: 1.67835, 2.67406, 4.67091, 9.66871.
    for (const [m, median] of [
      [2, 1.67835],
      [3, 2.67406],
      [5, 4.67091],
      [10, 9.66871],
    ])
      expect(Math.abs(gammaMedian(m!) / median! - 1)).toBeLessThan(0.002);
  });

  it('measures handle time over the last calls, plus the wrap-up, and assumes a default before any', () => {
    const window = new HandleTimeWindow(3);
    expect(window.times(10)).toEqual({ handleTimeSec: defaultHandleTimeSec, ringToAnswerSec: 0 });
    for (const [ring, end] of [
      [1, 31],
      [2, 62],
      [3, 93],
      [4, 124],
    ])
      window.add({ ringToAnswerSec: ring!, ringToEndSec: end! });
    // The first call fell out of the window: means of 62, 93, 124 and of 2, 3, 4.
    expect(window.count).toBe(3);
    expect(window.times(10)).toEqual({ handleTimeSec: 93 + 10, ringToAnswerSec: 3 });
  });
});

describe("Asterisk's estimate", () => {
  it('moves its hold time a quarter of the way to each answered wait, and announces it less the time waited', () => {
    expect(asteriskHoldtime(0, 40)).toBe(10);
    expect(asteriskHoldtime(10, 30)).toBe(15);
    expect(asteriskEstimatedWaitSec(15, 5)).toBe(10);
    expect(asteriskEstimatedWaitSec(15, 20)).toBe(0);
  });
});

describe('a waiting call’s position', () => {
  const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  function run(state: RoutingState, input: RoutingInput, now: number) {
    return decide(state, input, { now, random: createRandom(1) });
  }

  it('counts the calls ahead for its agents, by priority then wait, across queues sharing them and by language', () => {
    const agents = ids(2, 'a');
    const state = createRoutingState({
      agents: [
        { id: 'a0', languages: ['en'], state: 'available' },
        { id: 'a1', languages: ['en', 'es'], state: 'available' },
        { id: 'a2', languages: ['fr'], state: 'break' },
      ],
      queues: [
        { id: 'q', strategy: 'longest_idle', members: agents.map((agentId) => ({ agentId })) },
        { id: 'other', strategy: 'longest_idle', members: [{ agentId: 'a1' }] },
        { id: 'lang', strategy: 'longest_idle', requireLanguage: true, members: [{ agentId: 'a1' }, { agentId: 'a2' }] },
      ],
    });
    const arrive = (id: string, queue: string, now: number, priority = 0, language = 'en') =>
      run(state, { type: 'call_arrived', call: { id, destination: { kind: 'queue', id: queue }, language, priority } }, now);
    arrive('c0', 'q', 0);
    arrive('c1', 'q', 1);
    // Both agents ring: the calls are offered, position 1.
    expect(waitingPosition(state, 'c0')).toEqual({ offered: true, callsAhead: 0, position: 1, agents: 2, freeAgents: 0 });
    run(state, { type: 'agent_answered', callId: 'c0', agentId: 'a0' }, 2);
    run(state, { type: 'agent_answered', callId: 'c1', agentId: 'a1' }, 2);
    arrive('c2', 'q', 3);
    arrive('c3', 'other', 4);
    arrive('c4', 'q', 5);
    expect(waitingPosition(state, 'c2')).toMatchObject({ offered: false, position: 1, agents: 2, freeAgents: 0 });
    // c3 waits at another queue for a1, whom c4 may have too: ahead of it.
    expect(waitingPosition(state, 'c4')?.position).toBe(3);
    expect(waitingPosition(state, 'c3')?.position).toBe(2);
    // A higher priority goes first.
    arrive('c5', 'q', 6, 5);
    expect(waitingPosition(state, 'c5')?.position).toBe(1);
    expect(waitingPosition(state, 'c4')?.position).toBe(4);
    // At the language queue only a1 (es) serves a Spanish call; a2 is on break and speaks French.
    arrive('c6', 'lang', 7, 0, 'es-MX');
    expect(waitingPosition(state, 'c6')).toMatchObject({ offered: false, position: 5, agents: 1 });
    // The answered call is not waiting.
    expect(waitingPosition(state, 'c0')).toBeUndefined();
    expect(waitingPosition(state, 'nope')).toBeUndefined();
  });
});

describe('against Asterisk on the engine under Poisson load', () => {
  const meanHandleSec = 60;

  /**
   * Both estimates, given at each call's entry, against the wait the call then had: mean absolute errors, and the
   * estimate's mean error. Talk times are exponential (M/M/n), or Erlang with `stages` stages (less variable: the
   * coefficient of variation is 1/√stages), mean `talkSec`; each call is followed by `wrapUpSec` of wrap-up.
   */
  function compare(utilization: number, agents: number, stages: number, { talkSec = meanHandleSec, wrapUpSec = 0, seed = 42, calls = 100_000 } = {}) {
    const warmUpCalls = 2_000;
    const window = new HandleTimeWindow();
    let holdtime = 0;
    const entered = new Map<string, { at: number; ours: number; asterisk: number }>();
    const answeredAt = new Map<string, number>();
    let n = 0;
    let ourError = 0;
    let asteriskError = 0;
    let ourBias = 0;
    simulateQueue({
      agents,
      arrivalRate: (utilization * agents) / (talkSec + wrapUpSec),
      serviceRate: 1 / talkSec,
      wrapUpSec,
      talkTimeSec: (random) => {
        let sum = 0;
        for (let stage = 0; stage < stages; stage++) sum += (-Math.log(1 - random.next()) * talkSec) / stages;
        return sum;
      },
      calls,
      warmUpCalls,
      seed,
      onDecision: ({ state, commands, now }) => {
        for (const command of commands) {
          if (command.type !== 'emit') continue;
          const { callId, event } = command;
          if (event.type === 'call.queued') {
            const ours = estimateWaitSec(waitingPosition(state, callId)!, window.times(wrapUpSec));
            entered.set(callId, { at: now, ours, asterisk: asteriskEstimatedWaitSec(holdtime, 0) });
          } else if (event.type === 'call.answered') {
            const entry = entered.get(callId)!;
            entered.delete(callId);
            const wait = now - entry.at;
            holdtime = asteriskHoldtime(holdtime, wait);
            answeredAt.set(callId, now);
            if (Number(callId.slice(1)) < warmUpCalls) continue;
            n++;
            ourError += Math.abs(entry.ours - wait);
            asteriskError += Math.abs(entry.asterisk - wait);
            ourBias += entry.ours - wait;
          } else if (event.type === 'call.completed') {
            // Agents answer at once in the simulator: the ring takes no time, the handle time is the talk.
            window.add({ ringToAnswerSec: 0, ringToEndSec: now - answeredAt.get(callId)! });
            answeredAt.delete(callId);
          }
        }
      },
    });
    return { calls: n, ours: ourError / n, asterisk: asteriskError / n, ratio: ourError / asteriskError, bias: ourBias / n };
  }

  // Less variable handle times (Erlang-4, CV 0.5; real handle times are typically CV 0.5–1): 0.481 and 0.434 of
  // Asterisk's error with seed 42; seeds 1–3 gave 0.479–0.481 and 0.430–0.438.
  it.each([{ agents: 10 }, { agents: 3 }])(
    'ρ = 0.85, $agents agents, handle times of CV 0.5: at most half of Asterisk’s error',
    ({ agents }) => {
      const result = compare(0.85, agents, 4);
      expect(result.calls).toBe(100_000);
      expect(result.ratio).toBeLessThanOrEqual(0.5);
    },
    60_000,
  );

  // Exponential handle times: the wait given the position is exactly Gamma(m, h/n) and nothing else in the state
  // tells more (service is memoryless), so no estimator can do much better than this median; here that is 0.59–0.62
  // of Asterisk's error (seeds 1–3 and 42), not half. The bound checks we stay there.
  it('ρ = 0.85, 10 agents, M/M/n: about 0.6 of Asterisk’s error, the most the state allows', () => {
    const result = compare(0.85, 10, 1);
    expect(result.ratio).toBeLessThanOrEqual(0.65);
    // The median sits below the mean: its mean error is negative, but by less than a tenth of a handle time.
    expect(Math.abs(result.bias)).toBeLessThan(meanHandleSec / 10);
  }, 60_000);

  // Exponential talk of 20 s and the demo Support queue's 10 s wrap-up, 6 agents: the handle time is less variable than
  // exponential (CV 0.67), 0.499 of Asterisk's error with seed 42 (60 s talk: 0.566; 10 s talk: 0.451).
  it('ρ = 0.85, 6 agents, exponential talk of 20 s and 10 s of wrap-up: about half of Asterisk’s error', () => {
    const result = compare(0.85, 6, 1, { talkSec: 20, wrapUpSec: 10 });
    expect(result.ratio).toBeLessThanOrEqual(0.52);
  }, 60_000);
});

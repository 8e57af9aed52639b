// From each call's events to the run's figures: waits and handle times as Erlang C defines them, the figures with 95%
// ranges by batch means, Erlang C at the same load, and the wait estimate's error beside Asterisk's formula.
//
// Wait: from `call.queued` (the call enters the line) to its first `call.ringing` (an agent is reserved for it), by the
// worker's own clock (`occurredAt`); a call rung in the decision that queued it waited exactly 0. Handle time: from that
// ring to `call.completed`, so the answer delay and the system's latency count as service, as the agent is taken.
import { batchMeansInterval, erlangC, erlangCServiceLevel, splitIntoBatches } from '@switchboard/routing';
import { AsteriskHoldTime } from './asterisk-hold-time.ts';
import type { SeenEvent } from './call-event-reader.ts';
import type { PostedCall } from './poisson-arrivals.ts';

const terminalTypes = new Set(['call.completed', 'call.abandoned', 'call.unanswered', 'call.failed']);

export interface CallOutcome {
  readonly index: number;
  readonly callId: string;
  readonly measured: boolean;
  /** `completed`, `abandoned`, `unanswered`, `failed`, or null while the call has not ended. */
  readonly ended: string | null;
  readonly queuedAt: number | null;
  readonly waitSec: number | null;
  /**
   * From `call.queued` to `call.answered`: the wait a caller is promised by an estimate (Switchboard's, Asterisk's
   * hold time), which the ring is part of. Erlang C's wait is `waitSec`, to the ring.
   */
  readonly answerWaitSec: number | null;
  readonly handleSec: number | null;
  /** Rings the call had (more than one means a ring timed out or was refused). */
  readonly rings: number;
  /** `estimatedWaitSec` of the call's `call.queued`, when the system gave one. */
  readonly systemEstimateSec: number | null;
  /** Asterisk's hold time at the call's entry, filled by `asteriskEstimates`. */
  asteriskEstimateSec: number | null;
}

export function callOutcome(call: PostedCall, timeline: readonly SeenEvent[] = []): CallOutcome {
  const queued = timeline.find((e) => e.type === 'call.queued');
  const rings = timeline.filter((e) => e.type === 'call.ringing');
  const end = timeline.find((e) => terminalTypes.has(e.type));
  const answered = timeline.find((e) => e.type === 'call.answered');
  const estimate = queued?.data.estimatedWaitSec;
  return {
    index: call.index,
    callId: call.callId,
    measured: call.measured,
    ended: end ? end.type.slice('call.'.length) : null,
    queuedAt: queued?.at ?? null,
    waitSec: queued && rings[0] ? (rings[0].at - queued.at) / 1_000 : null,
    answerWaitSec: queued && answered ? (answered.at - queued.at) / 1_000 : null,
    handleSec: rings[0] && end?.type === 'call.completed' ? (end.at - rings[0].at) / 1_000 : null,
    rings: rings.length,
    systemEstimateSec: typeof estimate === 'number' ? estimate : null,
    asteriskEstimateSec: null,
  };
}

/**
 * Asterisk's estimate for every call at its entry, from the same calls' waits: walking the run in the worker's time, a
 * call entering is told the hold time so far, and a call answered updates it with its wait until the answer, as
 * app_queue does (recalc_holdtime when a member connects). Warm-up calls update it too.
 */
export function asteriskEstimates(outcomes: readonly CallOutcome[]): void {
  type Moment = { at: number; entry: boolean; call: CallOutcome };
  const moments: Moment[] = [];
  for (const call of outcomes) {
    if (call.queuedAt === null) continue;
    moments.push({ at: call.queuedAt, entry: true, call });
    if (call.answerWaitSec !== null) moments.push({ at: call.queuedAt + call.answerWaitSec * 1_000, entry: false, call });
  }
  // At the same instant, a call's entry comes before its own answer.
  moments.sort((a, b) => a.at - b.at || Number(b.entry) - Number(a.entry));
  const holdTime = new AsteriskHoldTime();
  for (const moment of moments) {
    if (moment.entry) moment.call.asteriskEstimateSec = holdTime.estimate();
    else holdTime.recordAnswered(moment.call.answerWaitSec!);
  }
}

export interface Interval {
  readonly value: number;
  /** 95% half-width, by batch means. */
  readonly halfWidth: number;
  readonly lag1Correlation: number;
}

export interface ErlangCFigures {
  readonly probabilityOfWaiting: number;
  readonly meanWaitSec: number;
  readonly serviceLevel: number;
}

export interface LoadFigures {
  readonly calls: { posted: number; measured: number; ended: number; notEnded: number; completed: number; ringedAgain: number };
  readonly measuredLoad: { arrivalRate: number; meanHandleSec: number; offeredLoad: number; utilization: number };
  readonly probabilityOfWaiting: Interval;
  readonly meanWaitSec: Interval;
  readonly serviceLevel: Interval;
  readonly longestWaitSec: number;
  /** Erlang C at the load measured (λ̂, mean handle time ĥ) and at the load asked for; null when that load is ≥ 1. */
  readonly erlangC: { measured: ErlangCFigures | null; nominal: ErlangCFigures | null };
  readonly estimates: {
    readonly callsWithSystemEstimate: number;
    readonly system: Interval | null;
    /** Asterisk's error on the calls that had a system estimate (all measured calls when none had one). */
    readonly asterisk: Interval;
    /** system ÷ Asterisk (the target is at most 0.5). */
    readonly ratio: number | null;
  };
}

export interface MeasureSettings {
  readonly agents: number;
  readonly arrivalRate: number;
  readonly meanTalkSec: number;
  readonly answerDelaySec: number;
  readonly durationSec: number;
  readonly serviceLevelSec: number;
  readonly batches: number;
}

function erlangCFigures(arrivalRate: number, meanHandleSec: number, agents: number, serviceLevelSec: number): ErlangCFigures | null {
  if ((arrivalRate * meanHandleSec) / agents >= 1) return null;
  const formula = erlangC(arrivalRate, 1 / meanHandleSec, agents);
  return {
    probabilityOfWaiting: formula.probabilityOfWaiting,
    meanWaitSec: formula.meanWaitSec,
    serviceLevel: erlangCServiceLevel(arrivalRate, 1 / meanHandleSec, agents, serviceLevelSec),
  };
}

/** The mean over all `items` with the 95% half-width of its batch means. */
function interval<T>(items: readonly T[], batches: number, value: (item: T) => number): Interval {
  const mean = (list: readonly T[]) => list.reduce((sum, item) => sum + value(item), 0) / list.length;
  const batchMeans = batchMeansInterval(splitIntoBatches(items, batches).map(mean));
  return { value: mean(items), halfWidth: batchMeans.halfWidth, lag1Correlation: batchMeans.lag1Correlation };
}

export function measureFigures(outcomes: readonly CallOutcome[], settings: MeasureSettings): LoadFigures {
  asteriskEstimates(outcomes);
  const measured = outcomes.filter((call) => call.measured);
  // Erlang C's calls: measured, and served (an agent reserved, the call completed), in order of arrival.
  const served = measured.filter((call) => call.waitSec !== null && call.handleSec !== null);
  const arrivalRate = measured.length / settings.durationSec;
  const meanHandleSec = served.reduce((sum, call) => sum + call.handleSec!, 0) / served.length;
  // The estimates promise the wait until an agent answers: they are judged against that.
  const answered = served.filter((call) => call.answerWaitSec !== null);
  const withEstimate = answered.filter((call) => call.systemEstimateSec !== null);
  const compared = withEstimate.length > 0 ? withEstimate : answered;
  const system = withEstimate.length > 0 ? interval(withEstimate, settings.batches, (call) => Math.abs(call.systemEstimateSec! - call.answerWaitSec!)) : null;
  const asterisk = interval(compared, settings.batches, (call) => Math.abs(call.asteriskEstimateSec! - call.answerWaitSec!));
  return {
    calls: {
      posted: outcomes.length,
      measured: measured.length,
      ended: outcomes.filter((call) => call.ended !== null).length,
      notEnded: outcomes.filter((call) => call.ended === null).length,
      completed: outcomes.filter((call) => call.ended === 'completed').length,
      ringedAgain: outcomes.filter((call) => call.rings > 1).length,
    },
    measuredLoad: { arrivalRate, meanHandleSec, offeredLoad: arrivalRate * meanHandleSec, utilization: (arrivalRate * meanHandleSec) / settings.agents },
    probabilityOfWaiting: interval(served, settings.batches, (call) => (call.waitSec! > 0 ? 1 : 0)),
    meanWaitSec: interval(served, settings.batches, (call) => call.waitSec!),
    serviceLevel: interval(served, settings.batches, (call) => (call.waitSec! <= settings.serviceLevelSec ? 1 : 0)),
    longestWaitSec: Math.max(0, ...served.map((call) => call.waitSec!)),
    erlangC: {
      measured: served.length > 0 ? erlangCFigures(arrivalRate, meanHandleSec, settings.agents, settings.serviceLevelSec) : null,
      nominal: erlangCFigures(settings.arrivalRate, settings.meanTalkSec + settings.answerDelaySec, settings.agents, settings.serviceLevelSec),
    },
    estimates: { callsWithSystemEstimate: withEstimate.length, system, asterisk, ratio: system ? system.value / asterisk.value : null },
  };
}

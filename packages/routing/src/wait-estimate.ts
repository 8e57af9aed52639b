// A waiting call's position and estimated wait, and Asterisk's estimate to compare it with: pure functions of the
// routing state and of measured handle times, used by the worker (at `call.queued`), call-api (GET /calls/{id}) and the
// simulator's comparison test.
import { speaks } from './language.ts';
import type { AgentRecord, RoutingState } from './state.ts';

export { servingAgentStates } from './vocabulary.ts';

/** Where a waiting call stands among the calls that compete for the agents who can take it. */
export interface WaitingPosition {
  /** The call rings an agent now (offered), rather than waiting in line. */
  readonly offered: boolean;
  /** Waiting calls that rank before it (rule 4) and that one of its agents could take; 0 when offered. */
  readonly callsAhead: number;
  /** `callsAhead + 1`: 1 is the next to be served. */
  readonly position: number;
  /** Members of its queue who could take it and are serving (available, ringing, on a call, in wrap-up). */
  readonly agents: number;
  /** Of those, the ones available now. */
  readonly freeAgents: number;
}

/**
 * The call's position at its queue, or undefined when it is not waiting at a queue (answered, in a ring group, gone).
 * Calls ahead are the calls waiting in line, at this queue or any other queue one of its agents belongs to, that rank
 * before it and that such an agent may take (speaking the call's language where that queue requires it). Tiers are
 * not looked at: every tier opens in time, so every serving member counts.
 */
export function waitingPosition(state: RoutingState, callId: string): WaitingPosition | undefined {
  const call = state.calls.get(callId);
  if (!call || call.destination.kind !== 'queue' || (call.status !== 'queued' && call.status !== 'ringing')) return undefined;
  const queue = state.queues.get(call.destination.id);
  if (!queue) return undefined;
  // The queue's serving members, kept by agent state changes: a queue of thousands with most on a break or logged out
  // costs what its serving members do, not a walk over every member.
  const eligible: AgentRecord[] = [];
  let freeAgents = 0;
  for (const agentId of queue.servingMemberIds) {
    const agent = state.agents.get(agentId)!;
    if (queue.requireLanguage && !speaks(agent.languages, call.language)) continue;
    eligible.push(agent);
    if (agent.state === 'available') freeAgents++;
  }
  if (call.status === 'ringing') return { offered: true, callsAhead: 0, position: 1, agents: eligible.length, freeAgents };
  let callsAhead = 0;
  const queueIds = new Set(eligible.flatMap((agent) => agent.queueIds));
  for (const queueId of queueIds) {
    const other = state.queues.get(queueId)!;
    if (other.waiting === 0) continue;
    for (const line of other.lines.values()) {
      if (line.size === 0) continue;
      const takenBy = (agent: AgentRecord) => other.members.has(agent.id) && (line.language === null || speaks(agent.languages, line.language));
      if (!eligible.some(takenBy)) continue;
      callsAhead += line.countRankingBefore(call);
    }
  }
  return { offered: false, callsAhead, position: callsAhead + 1, agents: eligible.length, freeAgents };
}

/** What the estimate needs beside the position: measured at the queue over its recent answered calls. */
export interface HandleTimes {
  /** Mean time an agent is taken by one answered call: ring + talk + wrap-up, seconds. */
  readonly handleTimeSec: number;
  /** Mean time from an agent's phone starting to ring to their answer, seconds. */
  readonly ringToAnswerSec: number;
}

/**
 * The wait until answered, seconds, for a call at `position` (from when it is computed): the median of its distribution
 * under the M/M/n model, the figure that makes the mean absolute error smallest. An offered call, or one that a free
 * agent can take (fewer calls ahead than free agents), waits only the ring. Otherwise, with k calls ahead, f free and n
 * serving agents, it waits for m = k + 1 − f agents to finish a call: with exponential handle times h, the n agents
 * finish at rate n/h together, so the wait is Gamma(m, h/n) (exact for M/M/n, first come first served), with mean
 * m·h/n and median about (m − 1/3)·h/n (ln 2 · h/n for m = 1); then the ring. With nobody serving, as if one agent were.
 */
export function estimateWaitSec(position: Omit<WaitingPosition, 'position'>, times: HandleTimes): number {
  const { offered, callsAhead, agents, freeAgents } = position;
  if (offered || callsAhead < freeAgents) return times.ringToAnswerSec;
  return (gammaMedian(callsAhead + 1 - freeAgents) * times.handleTimeSec) / Math.max(1, agents) + times.ringToAnswerSec;
}

/** The mean of the same wait, m·h/n plus the ring (for comparison; the estimate is the median). */
export function meanWaitSec(position: Omit<WaitingPosition, 'position'>, times: HandleTimes): number {
  const { offered, callsAhead, agents, freeAgents } = position;
  if (offered || callsAhead < freeAgents) return times.ringToAnswerSec;
  return ((callsAhead + 1 - freeAgents) * times.handleTimeSec) / Math.max(1, agents) + times.ringToAnswerSec;
}

/** Median of a Gamma(shape m, scale 1) variable, m a whole number ≥ 1: ln 2 for m = 1, else m − 1/3 + 8/(405 m) (within 0.2%). */
export function gammaMedian(m: number): number {
  return m === 1 ? Math.LN2 : m - 1 / 3 + 8 / (405 * m);
}

/** One answered call's times, seconds: from its agent's ring to the answer, and from that ring to the hang-up. */
export interface AnsweredCallTimes {
  readonly ringToAnswerSec: number;
  readonly ringToEndSec: number;
}

/** Used until a queue has a measured call: a contact center's typical handle time. */
export const defaultHandleTimeSec = 120;

/**
 * The last `size` answered and ended calls of a queue, oldest first, and their means: the measured handle time of the
 * estimate. The worker keeps one per queue and rebuilds it from `destination_visits`; call-api reads the same calls.
 */
export class HandleTimeWindow {
  private readonly samples: AnsweredCallTimes[] = [];
  private ringSum = 0;
  private busySum = 0;

  constructor(readonly size = 100) {}

  get count(): number {
    return this.samples.length;
  }

  add(sample: AnsweredCallTimes): void {
    this.samples.push(sample);
    this.ringSum += sample.ringToAnswerSec;
    this.busySum += sample.ringToEndSec;
    if (this.samples.length > this.size) {
      const old = this.samples.shift()!;
      this.ringSum -= old.ringToAnswerSec;
      this.busySum -= old.ringToEndSec;
    }
  }

  /** Ring + talk means of the window plus the queue's wrap-up; `defaultHandleTimeSec` and no ring before any call. */
  times(wrapUpSec: number): HandleTimes {
    return handleTimesOf(this.samples.length, this.busySum, this.ringSum, wrapUpSec);
  }
}

/** Handle times from `count` calls' summed ring-to-end and ring-to-answer seconds, plus the queue's wrap-up. */
export function handleTimesOf(count: number, ringToEndSum: number, ringToAnswerSum: number, wrapUpSec: number): HandleTimes {
  if (count === 0) return { handleTimeSec: defaultHandleTimeSec, ringToAnswerSec: 0 };
  return { handleTimeSec: Math.max(0, ringToEndSum / count) + wrapUpSec, ringToAnswerSec: Math.max(0, ringToAnswerSum / count) };
}

/** Asterisk app_queue's hold time after an answered call that waited `waitSec`: (3·old + wait) / 4. */
export function asteriskHoldtime(previousSec: number, waitSec: number): number {
  return (3 * previousSec + waitSec) / 4;
}

/** Asterisk's announced wait: its hold time less the time the caller already waited, never below 0. */
export function asteriskEstimatedWaitSec(holdtimeSec: number, waitedSec: number): number {
  return Math.max(0, holdtimeSec - waitedSec);
}

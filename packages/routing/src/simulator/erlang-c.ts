// The Erlang C formula for an M/M/c queue: the probability a call waits and the mean wait, to check the simulator against.

export interface ErlangCResult {
  /** Offered load a = λ/μ in Erlangs. */
  readonly offeredLoad: number;
  /** Utilization ρ = a/c. */
  readonly utilization: number;
  /** P(wait > 0). */
  readonly probabilityOfWaiting: number;
  /** Mean wait in line Wq = P(wait) / (cμ − λ), seconds when rates are per second. */
  readonly meanWaitSec: number;
}

/** λ arrivals per second, μ completions per second per agent, c agents; requires λ < cμ. */
export function erlangC(arrivalRate: number, serviceRate: number, agents: number): ErlangCResult {
  const offeredLoad = arrivalRate / serviceRate;
  const utilization = offeredLoad / agents;
  if (utilization >= 1) throw new RangeError(`unstable: load ${offeredLoad} needs more than ${agents} agents`);
  // Erlang B by its recurrence (no factorials to overflow), then C from B.
  let erlangB = 1;
  for (let k = 1; k <= agents; k++) erlangB = (offeredLoad * erlangB) / (k + offeredLoad * erlangB);
  const probabilityOfWaiting = erlangB / (1 - utilization * (1 - erlangB));
  const meanWaitSec = probabilityOfWaiting / (agents * serviceRate - arrivalRate);
  return { offeredLoad, utilization, probabilityOfWaiting, meanWaitSec };
}

/**
 * The service level Erlang C predicts: the share of calls whose wait is at most `thresholdSec`,
 * 1 − P(wait) · e^−(cμ − λ)·T (in an M/M/c queue a waiting call's wait is exponential with rate cμ − λ).
 */
export function erlangCServiceLevel(arrivalRate: number, serviceRate: number, agents: number, thresholdSec: number): number {
  const { probabilityOfWaiting } = erlangC(arrivalRate, serviceRate, agents);
  return 1 - probabilityOfWaiting * Math.exp(-(agents * serviceRate - arrivalRate) * thresholdSec);
}

// The one interface every queue strategy implements: choose who rings among the free, eligible members.
import type { RandomSource } from '../../random.ts';
import type { AgentRecord, MemberRecord, QueueRecord } from '../../state.ts';

export interface QueueCandidate {
  readonly agent: AgentRecord;
  readonly member: MemberRecord;
}

export interface QueueStrategyContext {
  readonly queue: QueueRecord;
  readonly random: RandomSource;
}

/**
 * Returns the members to ring at once (one, or all for `ring_all`); never empty when candidates are given.
 * Candidates arrive in the queue's member order (tier, position, agent id), so a pick depends only on the state. Except
 * for `ring_all`, they are all of one tier, the lowest that has a candidate: tier orders before any strategy's metric.
 */
export type QueueStrategyPick = (candidates: readonly QueueCandidate[], context: QueueStrategyContext) => readonly QueueCandidate[];

/** The candidate with the lowest score; ties go to the first, the lower member order. */
export function pickLowest(candidates: readonly QueueCandidate[], score: (candidate: QueueCandidate) => number): QueueCandidate[] {
  let best: QueueCandidate | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const value = score(candidate);
    if (!best || value < bestScore) {
      best = candidate;
      bestScore = value;
    }
  }
  return best ? [best] : [];
}

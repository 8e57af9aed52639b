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
 * Candidates arrive in no particular order; ties are broken by the member's fixed `order` so the pick is deterministic.
 */
export type QueueStrategyPick = (candidates: readonly QueueCandidate[], context: QueueStrategyContext) => readonly QueueCandidate[];

/** The candidate with the lowest score, ties to the lower member order. */
export function pickLowest(candidates: readonly QueueCandidate[], score: (candidate: QueueCandidate) => number): QueueCandidate[] {
  let best: QueueCandidate | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const value = score(candidate);
    if (!best || value < bestScore || (value === bestScore && candidate.member.order < best.member.order)) {
      best = candidate;
      bestScore = value;
    }
  }
  return best ? [best] : [];
}

/** Candidates in member order: random picks must not depend on the order members happened to become free. */
export function inMemberOrder(candidates: readonly QueueCandidate[]): QueueCandidate[] {
  return [...candidates].sort((a, b) => a.member.order - b.member.order);
}

// The one interface every ring-group strategy implements: who rings at the next step of a call's pass through the group.
import type { RandomSource } from '../../random.ts';
import type { CallRecord, RingGroupRecord } from '../../state.ts';

export interface RingGroupStepContext {
  readonly group: RingGroupRecord;
  /** The strategy keeps its progress in `call.groupCursor` / `call.groupStart` (-1 before the first step). */
  readonly call: CallRecord;
  /** The member is `available`: ringing anyone else would break rule 1. */
  isFree(agentId: string): boolean;
  readonly random: RandomSource;
}

/** Returns the members to ring at this step; empty when the pass is over and the call fails over. */
export type RingGroupStep = (context: RingGroupStepContext) => readonly string[];

/**
 * One member at a time, walking the list once from `start`: members who are not free at their turn are passed over,
 * and a member who already let this call ring is not rung again.
 */
export function nextInTurn({ group, call, isFree }: RingGroupStepContext, start: number): string[] {
  const count = group.memberIds.length;
  for (let offset = call.groupCursor + 1; offset < count; offset++) {
    const agentId = group.memberIds[(start + offset) % count]!;
    if (isFree(agentId) && !call.tried.has(agentId)) {
      call.groupCursor = offset;
      return [agentId];
    }
  }
  call.groupCursor = count;
  return [];
}

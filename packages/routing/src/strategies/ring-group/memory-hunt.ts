// memory_hunt: member 1, then 1+2, then 1+2+3 …; earlier members keep ringing, that is the point of the strategy.
import type { RingGroupStep } from './ring-group-strategy.ts';

/**
 * Each step adds the next member in list order who is free and rings every free member up to it; `groupCursor` is how
 * many list members the steps have reached. A member who is busy at their turn is passed over, as FreePBX drops busy
 * extensions from the list before it builds the steps (A, B busy, C, D rings A, then A+C, then A+C+D); unlike FreePBX,
 * which decides once when the call comes in, a passed-over member who is free at a later step rings with the others.
 */
export const memoryHunt: RingGroupStep = ({ group, call, isFree }) => {
  const count = group.memberIds.length;
  for (let index = Math.max(0, call.groupCursor); index < count; index++) {
    if (!isFree(group.memberIds[index]!)) continue;
    call.groupCursor = index + 1;
    return group.memberIds.slice(0, index + 1).filter(isFree);
  }
  call.groupCursor = count;
  return [];
};

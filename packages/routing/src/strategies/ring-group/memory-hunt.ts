// memory_hunt: member 1, then 1+2, then 1+2+3 …; earlier members keep ringing, that is the point of the strategy.
import type { RingGroupStep } from './ring-group-strategy.ts';

export const memoryHunt: RingGroupStep = ({ group, call, isFree }) => {
  const count = group.memberIds.length;
  // A step whose members are all busy would ring nobody, so the list grows until someone can ring.
  for (let size = call.groupCursor + 1; size <= count; size++) {
    const agentIds = group.memberIds.slice(0, size).filter(isFree);
    if (agentIds.length) {
      call.groupCursor = size;
      return agentIds;
    }
  }
  call.groupCursor = count;
  return [];
};

// random: one free member at a time, chosen at random among those who have not let this call ring.
import type { RingGroupStep } from './ring-group-strategy.ts';

export const randomMember: RingGroupStep = ({ group, call, isFree, random }) => {
  const candidates = group.memberIds.filter((agentId) => isFree(agentId) && !call.tried.has(agentId));
  const chosen = candidates[Math.floor(random.next() * candidates.length)];
  return chosen === undefined ? [] : [chosen];
};

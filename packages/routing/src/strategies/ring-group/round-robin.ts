// round_robin: like hunt, but each call starts after the member last rung for any of the group's calls, answered or not.
import { nextInTurn, type RingGroupStep } from './ring-group-strategy.ts';

export const roundRobin: RingGroupStep = (context) => {
  const { group, call } = context;
  if (call.groupCursor === -1) {
    const last = group.lastRungAgentId === null ? -1 : group.memberIds.indexOf(group.lastRungAgentId);
    call.groupStart = last + 1;
  }
  return nextInTurn(context, call.groupStart);
};

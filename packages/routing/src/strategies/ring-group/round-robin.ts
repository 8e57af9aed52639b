// round_robin: like hunt, but each call starts after the member who answered the group's last call.
import { nextInTurn, type RingGroupStep } from './ring-group-strategy.ts';

export const roundRobin: RingGroupStep = (context) => {
  const { group, call } = context;
  if (call.groupCursor === -1) {
    const last = group.lastAnsweredAgentId === null ? -1 : group.memberIds.indexOf(group.lastAnsweredAgentId);
    call.groupStart = last + 1;
  }
  return nextInTurn(context, call.groupStart);
};

// ring_all: every free member rings at once; members who become free while it rings join at the next step.
import type { RingGroupStep } from './ring-group-strategy.ts';

export const ringAll: RingGroupStep = ({ group, call, isFree }) =>
  group.memberIds.filter((agentId) => isFree(agentId) && !call.tried.has(agentId));

// Calls in ring groups: no line; members ring step by step by the group's strategy until someone answers or it fails over.
import { leaveDestination, moveCall, ringAgents } from './call-lifecycle.ts';
import { setCallTimer, timerKeys, type Decision } from './decision.ts';
import { ringGroupSteps } from './strategies/ring-group/ring-group-strategies.ts';
import type { CallRecord, RingGroupRecord } from './state.ts';

export function enterRingGroup(decision: Decision, call: CallRecord, group: RingGroupRecord): void {
  call.destination = { kind: 'ring_group', id: group.id };
  call.tried = new Set();
  call.groupCursor = -1;
  call.groupStart = 0;
  const input = { type: 'max_wait_reached', callId: call.id, destinationId: group.id } as const;
  setCallTimer(decision, call, timerKeys.maxWait(call.id), decision.now + group.totalTimeoutSec, input);
  ringNextStep(decision, call, group);
}

/** Rings the strategy's next step, or fails over when the pass through the members is over. */
export function ringNextStep(decision: Decision, call: CallRecord, group: RingGroupRecord): void {
  const { agents } = decision.state;
  const agentIds = ringGroupSteps[group.strategy]({
    group,
    call,
    isFree: (agentId) => agents.get(agentId)?.state === 'available',
    random: decision.random,
  });
  if (agentIds.length) {
    ringAgents(decision, call, agentIds, group.ringTimeoutSec);
    return;
  }
  leaveDestination(decision, call, false);
  moveCall(decision, call, group.failover);
}

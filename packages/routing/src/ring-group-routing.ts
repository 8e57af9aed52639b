// Calls in ring groups: no line; members ring step by step by the group's strategy until someone answers.
import { ringAgents } from './call-lifecycle.ts';
import { setCallTimer, timerKeys, touchCall, touchRingGroup, type Decision } from './decision.ts';
import { ringGroupSteps } from './strategies/ring-group/ring-group-strategies.ts';
import type { CallRecord, RingGroupRecord } from './state.ts';

/** The call enters the group and rings its first step. Returns false when nobody rings: the caller fails it over. */
export function enterRingGroup(decision: Decision, call: CallRecord, group: RingGroupRecord): boolean {
  call.destination = { kind: 'ring_group', id: group.id };
  call.tried = new Set();
  call.groupCursor = -1;
  call.groupStart = 0;
  const input = { type: 'max_wait_reached', callId: call.id, destinationId: group.id } as const;
  setCallTimer(decision, call, timerKeys.maxWait(call.id), decision.now + group.totalTimeoutSec, input);
  return ringNextStep(decision, call, group);
}

/** Rings the strategy's next step. Returns false when the pass through the members is over: the caller fails it over. */
export function ringNextStep(decision: Decision, call: CallRecord, group: RingGroupRecord): boolean {
  const { agents } = decision.state;
  // The strategy keeps its progress in the call.
  touchCall(decision, call);
  const agentIds = ringGroupSteps[group.strategy]({
    group,
    call,
    isFree: (agentId) => agents.get(agentId)?.state === 'available',
    random: decision.random,
  });
  if (!agentIds.length) return false;
  if (group.strategy === 'round_robin') {
    // The next call starts after the member last rung, answered or not, as the queue strategy of the same name.
    group.lastRungAgentId = agentIds[agentIds.length - 1]!;
    touchRingGroup(decision, group);
  }
  ringAgents(decision, call, agentIds, group.ringTimeoutSec);
  return true;
}

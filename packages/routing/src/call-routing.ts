// Sends a call into a destination and on from it: the one module that knows both queues and ring groups.
import { finishCall } from './call-lifecycle.ts';
import type { Route } from './configuration.ts';
import { cancelCallTimers, emit, type Decision } from './decision.ts';
import { enterQueue, returnToLine } from './queue-routing.ts';
import { enterRingGroup, ringNextStep } from './ring-group-routing.ts';
import type { CallRecord, QueueRecord, RingGroupRecord } from './state.ts';
import type { DestinationKind } from './vocabulary.ts';

/** A call bounced between destinations nobody can take more often than this in one decision is failed. */
const maxMovesPerDecision = 16;

// Undefined when the configuration has no such destination: never had, or it was deleted while the call was live.
function findQueue(decision: Decision, kind: DestinationKind | 'hangup', id: string | undefined): QueueRecord | undefined {
  return kind === 'queue' && id !== undefined ? decision.state.queues.get(id) : undefined;
}

function findRingGroup(decision: Decision, kind: DestinationKind | 'hangup', id: string | undefined): RingGroupRecord | undefined {
  return kind === 'ring_group' && id !== undefined ? decision.state.ringGroups.get(id) : undefined;
}

/** The call's queue; undefined when it is in a ring group, or restored into a queue the configuration no longer has. */
export function queueAt(decision: Decision, call: CallRecord): QueueRecord | undefined {
  return findQueue(decision, call.destination.kind, call.destination.id);
}

export function ringGroupAt(decision: Decision, call: CallRecord): RingGroupRecord | undefined {
  return findRingGroup(decision, call.destination.kind, call.destination.id);
}

/** A new call goes to the destination dialed, or fails when there is no such destination. */
export function routeCall(decision: Decision, call: CallRecord, to: { kind: DestinationKind; id: string }): void {
  const queue = findQueue(decision, to.kind, to.id);
  const group = queue ? undefined : findRingGroup(decision, to.kind, to.id);
  if (queue || group) enter(decision, call, queue, group);
  else failUnknownDestination(decision, call);
}

function enter(decision: Decision, call: CallRecord, queue: QueueRecord | undefined, group: RingGroupRecord | undefined): void {
  if (queue) {
    if (!enterQueue(decision, call, queue)) moveCall(decision, call, queue.overflow, 'queue_full');
  } else if (!enterRingGroup(decision, call, group!)) {
    moveCall(decision, call, group!.failover);
  }
}

/**
 * Overflow or failover: the call goes to `to`, or ends `unanswered` when there is nowhere to go. The call no longer
 * rings nor waits in a line: the caller took it out and will release its agents.
 */
export function moveCall(decision: Decision, call: CallRecord, to: Route | null, reasonWhenNowhere?: string): void {
  cancelCallTimers(decision, call);
  if (!to || to.kind === 'hangup') {
    if (reasonWhenNowhere) finishCall(decision, call, 'failed', { type: 'call.failed', data: { reason: reasonWhenNowhere } });
    else finishCall(decision, call, 'unanswered', { type: 'call.unanswered', data: {} });
    return;
  }
  const moves = (decision.moves.get(call.id) ?? 0) + 1;
  decision.moves.set(call.id, moves);
  if (moves > maxMovesPerDecision) {
    finishCall(decision, call, 'failed', { type: 'call.failed', data: { reason: 'routing_loop' } });
    return;
  }
  const queue = findQueue(decision, to.kind, to.id);
  const group = queue ? undefined : findRingGroup(decision, to.kind, to.id);
  if (!queue && !group) {
    failUnknownDestination(decision, call);
    return;
  }
  const from: Route = { kind: call.destination.kind, id: call.destination.id };
  const target: Route = { kind: to.kind, id: to.id ?? '' };
  emit(decision, call, { type: 'call.overflowed', data: { from, to: target } });
  decision.commands.push({ type: 'move', callId: call.id, from, to: target });
  enter(decision, call, queue, group);
}

/** Nobody answered the last ring (`exclude` let it ring): the call goes back to its line or rings the group's next step. */
export function ringOn(decision: Decision, call: CallRecord, exclude: readonly string[]): void {
  const queue = queueAt(decision, call);
  const group = queue ? undefined : ringGroupAt(decision, call);
  if (queue) returnToLine(decision, call, exclude);
  else if (!group) failUnknownDestination(decision, call);
  else if (!ringNextStep(decision, call, group)) moveCall(decision, call, group.failover);
}

/** A queue's `maxWaitSec` or a ring group's `totalTimeoutSec` passed: the call overflows or fails over. */
export function moveOnAfterWaiting(decision: Decision, call: CallRecord): void {
  const queue = queueAt(decision, call);
  const group = queue ? undefined : ringGroupAt(decision, call);
  if (queue) moveCall(decision, call, queue.overflow);
  else if (group) moveCall(decision, call, group.failover);
  else failUnknownDestination(decision, call);
}

/** A call (ringing nobody) at a destination the configuration does not know: end it, so nothing waits forever. */
export function failUnknownDestination(decision: Decision, call: CallRecord): void {
  finishCall(decision, call, 'failed', { type: 'call.failed', data: { reason: 'unknown_destination' } });
}

// What every call goes through whatever its destination: ringing, moving on, and ending.
import { setAgentState } from './agent-availability.ts';
import type { Route } from './configuration.ts';
import { cancelCallTimers, emit, setCallTimer, timerKeys, type Decision } from './decision.ts';
import { enterQueue, queueOf, takeFromLine } from './queue-routing.ts';
import { enterRingGroup } from './ring-group-routing.ts';
import type { AgentRecord, CallRecord } from './state.ts';
import type { AgentPresence, TerminalCallStatus } from './vocabulary.ts';
import type { RoutingEvent } from './commands.ts';

/** A call bounced between destinations nobody can take more often than this in one decision is failed. */
const maxMovesPerDecision = 16;

export function ringAgents(decision: Decision, call: CallRecord, agentIds: readonly string[], timeoutSec: number): void {
  call.status = 'ringing';
  call.ringStep++;
  for (const agentId of agentIds) {
    call.ringing.add(agentId);
    setAgentState(decision, decision.state.agents.get(agentId)!, 'ringing', call.id);
  }
  decision.commands.push({ type: 'ring', callId: call.id, agentIds });
  emit(decision, call, { type: 'call.ringing', data: { agentIds } });
  const input = { type: 'ring_timed_out', callId: call.id, step: call.ringStep } as const;
  setCallTimer(decision, call, timerKeys.ring(call.id), decision.now + timeoutSec, input);
}

/** Stops these agents ringing for the call and returns them in their next state; the caller releases them. */
export function stopRinging(
  decision: Decision,
  call: CallRecord,
  agentIds: readonly string[],
  next: AgentPresence = 'available',
): AgentRecord[] {
  const agents = agentIds.map((agentId) => decision.state.agents.get(agentId)!);
  for (const agent of agents) {
    call.ringing.delete(agent.id);
    setAgentState(decision, agent, next);
  }
  if (agents.length) decision.commands.push({ type: 'stop_ringing', callId: call.id, agentIds });
  return agents;
}

/**
 * Takes the call out of its destination: stops its ringing (a `call.no_answer` when `reportNoAnswer`), leaves the line,
 * cancels its timers. Returns the agents freed, to be released once the call is wherever it goes next.
 */
export function leaveDestination(decision: Decision, call: CallRecord, reportNoAnswer: boolean): AgentRecord[] {
  const ringing = [...call.ringing];
  const freed = stopRinging(decision, call, ringing);
  if (reportNoAnswer && ringing.length) emit(decision, call, { type: 'call.no_answer', data: { agentIds: ringing } });
  if (call.line) takeFromLine(queueOf(decision, call), call);
  cancelCallTimers(decision, call);
  return freed;
}

/** Overflow or failover: the call goes to `to`, or ends `unanswered` when there is nowhere to go. */
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
  const from: Route = { kind: call.destination.kind, id: call.destination.id };
  const target: Route = { kind: to.kind, id: to.id ?? '' };
  const queue = to.kind === 'queue' ? decision.state.queues.get(target.id!) : undefined;
  const group = to.kind === 'ring_group' ? decision.state.ringGroups.get(target.id!) : undefined;
  if (!queue && !group) {
    finishCall(decision, call, 'failed', { type: 'call.failed', data: { reason: 'unknown_destination' } });
    return;
  }
  emit(decision, call, { type: 'call.overflowed', data: { from, to: target } });
  decision.commands.push({ type: 'move', callId: call.id, from, to: target });
  if (queue) enterQueue(decision, call, queue);
  else enterRingGroup(decision, call, group!);
}

/** The call reaches a terminal status and leaves the state; the caller has already freed its agents. */
export function finishCall(decision: Decision, call: CallRecord, status: TerminalCallStatus, event: RoutingEvent): void {
  if (call.line) takeFromLine(queueOf(decision, call), call);
  cancelCallTimers(decision, call);
  call.status = status;
  emit(decision, call, event);
  const reason = event.type === 'call.failed' ? event.data.reason : undefined;
  decision.commands.push(reason === undefined ? { type: 'end_call', callId: call.id, status } : { type: 'end_call', callId: call.id, status, reason });
  decision.state.calls.delete(call.id);
}

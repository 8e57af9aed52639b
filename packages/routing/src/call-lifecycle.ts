// What every call goes through whatever its destination: ringing, leaving where it is, and ending.
import { setAgentState } from './agent-states.ts';
import type { RoutingEvent } from './commands.ts';
import { cancelCallTimers, emit, setCallTimer, timerKeys, touchCall, type Decision } from './decision.ts';
import { queueOf, takeFromLine } from './queue-lines.ts';
import type { AgentRecord, CallRecord } from './state.ts';
import type { AgentPresence, TerminalCallStatus } from './vocabulary.ts';

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
  if (agents.length) {
    touchCall(decision, call);
    decision.commands.push({ type: 'stop_ringing', callId: call.id, agentIds });
  }
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

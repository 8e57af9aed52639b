// Inputs about a ring: an agent answers or declines, or nobody answered in time.
import { releaseAgents } from '../agent-dispatch.ts';
import { setAgentState } from '../agent-states.ts';
import { stopRinging } from '../call-lifecycle.ts';
import { ringOn } from '../call-routing.ts';
import { cancelCallTimer, cancelCallTimers, emit, timerFired, timerKeys, touchAgent, type Decision, type Ignored } from '../decision.ts';
import type { RoutingInputOf } from '../inputs.ts';
import type { CallRecord } from '../state.ts';
import type { AgentPresence } from '../vocabulary.ts';

export function agentAnswered(decision: Decision, input: RoutingInputOf<'agent_answered'>): Ignored {
  const call = decision.state.calls.get(input.callId);
  if (!call) return 'unknown_call';
  // Rule 2: only an agent ringing for the call right now may answer it, so a second answer is refused here.
  if (call.status !== 'ringing' || !call.ringing.has(input.agentId)) return 'not_ringing';
  const agent = decision.state.agents.get(input.agentId)!;
  call.ringing.delete(agent.id);
  const others = stopRinging(decision, call, [...call.ringing]);
  cancelCallTimers(decision, call);
  call.status = 'answered';
  call.agentId = agent.id;
  touchAgent(decision, agent);
  agent.callsAnswered++;
  agent.answeredAt = decision.now;
  setAgentState(decision, agent, 'on_call', call.id);
  decision.commands.push({ type: 'connect', callId: call.id, agentId: agent.id });
  emit(decision, call, { type: 'call.answered', data: { agentId: agent.id } });
  releaseAgents(decision, others);
  return undefined;
}

export function agentDeclined(decision: Decision, input: RoutingInputOf<'agent_declined'>): Ignored {
  const call = decision.state.calls.get(input.callId);
  if (!call) return 'unknown_call';
  if (call.status !== 'ringing' || !call.ringing.has(input.agentId)) return 'not_ringing';
  endRings(decision, call, [input.agentId], 'declined');
  return undefined;
}

export function ringTimedOut(decision: Decision, input: RoutingInputOf<'ring_timed_out'>): Ignored {
  const call = decision.state.calls.get(input.callId);
  if (!call || call.status !== 'ringing' || call.ringStep !== input.step) return 'stale_timer';
  timerFired(decision, call, timerKeys.ring(call.id));
  endRings(decision, call, [...call.ringing], 'no_answer');
  return undefined;
}

/**
 * These agents stop ringing without answering (declined, timed out, or went on break). When nobody rings any more
 * the call moves on by its strategy, and the agents who let it ring are not rung again for it while others can be.
 */
export function endRings(
  decision: Decision,
  call: CallRecord,
  agentIds: readonly string[],
  how: 'declined' | 'no_answer',
  next: AgentPresence = 'available',
): void {
  for (const agentId of agentIds) call.tried.add(agentId);
  const freed = stopRinging(decision, call, agentIds, next);
  const over = call.ringing.size === 0;
  if (over) {
    cancelCallTimer(decision, call, timerKeys.ring(call.id));
    // A queued call that rings and is not answered goes back to `queued`; a ring group call keeps ringing the group.
    if (call.destination.kind === 'queue') call.status = 'queued';
  }
  if (how === 'declined') for (const agentId of agentIds) emit(decision, call, { type: 'call.declined', data: { agentId } });
  else emit(decision, call, { type: 'call.no_answer', data: { agentIds } });
  if (over) ringOn(decision, call, agentIds);
  releaseAgents(decision, freed);
}

// One decision in progress: the clock, the random source and the commands gathered so far.
import type { RoutingCommand, RoutingEvent } from './commands.ts';
import type { RoutingInput } from './inputs.ts';
import type { RandomSource } from './random.ts';
import type { AgentRecord, CallRecord, RoutingState } from './state.ts';
import type { AgentState } from './vocabulary.ts';

export interface Decision {
  readonly state: RoutingState;
  readonly now: number;
  readonly random: RandomSource;
  readonly commands: RoutingCommand[];
  /** Moves per call in this decision: a cycle of failovers with nobody free must end. */
  readonly moves: Map<string, number>;
}

export function createDecision(state: RoutingState, now: number, random: RandomSource): Decision {
  return { state, now, random, commands: [], moves: new Map() };
}

export function emit(decision: Decision, call: CallRecord, event: RoutingEvent): void {
  decision.commands.push({ type: 'emit', callId: call.id, status: call.status, event });
}

export function setCallTimer(decision: Decision, call: CallRecord, key: string, at: number, input: RoutingInput): void {
  call.timers.add(key);
  decision.commands.push({ type: 'set_timer', key, at, input });
}

export function cancelCallTimer(decision: Decision, call: CallRecord, key: string): void {
  if (call.timers.delete(key)) decision.commands.push({ type: 'cancel_timer', key });
}

export function cancelCallTimers(decision: Decision, call: CallRecord): void {
  for (const key of call.timers) decision.commands.push({ type: 'cancel_timer', key });
  call.timers.clear();
}

export function announceAgentState(decision: Decision, agent: AgentRecord, state: AgentState): void {
  decision.commands.push({ type: 'agent_state', agentId: agent.id, state });
}

export const timerKeys = {
  ring: (callId: string) => `ring:${callId}`,
  maxWait: (callId: string) => `max_wait:${callId}`,
  tier: (callId: string) => `tier:${callId}`,
  wrapUp: (agentId: string) => `wrap_up:${agentId}`,
};

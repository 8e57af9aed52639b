// One decision in progress: the clock, the random source, the commands gathered so far and the records it touched.
import type { RoutingCommand, RoutingEvent } from './commands.ts';
import type { RoutingInput } from './inputs.ts';
import type { RandomSource } from './random.ts';
import type { AgentRecord, CallRecord, QueueRecord, RingGroupRecord, RoutingState } from './state.ts';

/** Why an input changed nothing; `undefined` when it was applied. */
export type Ignored = string | undefined;

/** The runtime records a decision may have changed: the ones the shell must write back. */
export interface TouchedRecords {
  readonly callIds: string[];
  readonly agentIds: string[];
  readonly queueIds: string[];
  readonly ringGroupIds: string[];
}

export interface Decision {
  readonly state: RoutingState;
  readonly now: number;
  readonly random: RandomSource;
  readonly commands: RoutingCommand[];
  /** Moves per call in this decision: a cycle of failovers with nobody free must end. */
  readonly moves: Map<string, number>;
  readonly touched: TouchedRecords;
  /** Built only for a decision that touches many records (a configuration change in a large domain). */
  touchedIndex?: Map<string[], Set<string>>;
}

export function createDecision(state: RoutingState, now: number, random: RandomSource): Decision {
  return { state, now, random, commands: [], moves: new Map(), touched: { callIds: [], agentIds: [], queueIds: [], ringGroupIds: [] } };
}

/**
 * Arrays, not sets: a decision usually touches a handful of records and is made a million times a second, so a linear
 * check beats allocating four sets each time; past a few dozen records a set keeps it linear overall.
 */
function addOnce(decision: Decision, ids: string[], id: string): void {
  if (ids.length < 32) {
    if (!ids.includes(id)) ids.push(id);
    return;
  }
  let index = decision.touchedIndex?.get(ids);
  if (!index) {
    index = new Set(ids);
    (decision.touchedIndex ??= new Map()).set(ids, index);
  }
  if (index.has(id)) return;
  index.add(id);
  ids.push(id);
}

// Touches are recorded where records are written, not guessed from the commands afterwards: a change that issues no
// command (a tier opening with nobody free) must still reach the database.
export function touchCall(decision: Decision, call: CallRecord): void {
  addOnce(decision, decision.touched.callIds, call.id);
}

export function touchAgent(decision: Decision, agent: AgentRecord): void {
  addOnce(decision, decision.touched.agentIds, agent.id);
}

export function touchQueue(decision: Decision, queue: QueueRecord): void {
  addOnce(decision, decision.touched.queueIds, queue.id);
}

export function touchRingGroup(decision: Decision, group: RingGroupRecord): void {
  addOnce(decision, decision.touched.ringGroupIds, group.id);
}

export function emit(decision: Decision, call: CallRecord, event: RoutingEvent): void {
  touchCall(decision, call);
  decision.commands.push({ type: 'emit', callId: call.id, status: call.status, event });
}

export function setCallTimer(decision: Decision, call: CallRecord, key: string, at: number, input: RoutingInput): void {
  touchCall(decision, call);
  call.timers.add(key);
  decision.commands.push({ type: 'set_timer', key, at, input });
}

/** Forgets a timer that just fired: it is no longer the shell's to cancel. */
export function timerFired(decision: Decision, call: CallRecord, key: string): void {
  if (call.timers.delete(key)) touchCall(decision, call);
}

export function cancelCallTimer(decision: Decision, call: CallRecord, key: string): void {
  if (!call.timers.delete(key)) return;
  touchCall(decision, call);
  decision.commands.push({ type: 'cancel_timer', key });
}

export function cancelCallTimers(decision: Decision, call: CallRecord): void {
  if (!call.timers.size) return;
  touchCall(decision, call);
  for (const key of call.timers) decision.commands.push({ type: 'cancel_timer', key });
  call.timers.clear();
}

export const timerKeys = {
  ring: (callId: string) => `ring:${callId}`,
  maxWait: (callId: string) => `max_wait:${callId}`,
  tier: (callId: string) => `tier:${callId}`,
  wrapUp: (agentId: string) => `wrap_up:${agentId}`,
};

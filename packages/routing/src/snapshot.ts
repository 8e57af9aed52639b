// The runtime records of a routing state as plain JSON, and the state rebuilt from configuration plus those records.
import type { RoutingConfig } from './configuration.ts';
import { putInLine } from './queue-lines.ts';
import { createRoutingState, type AgentRecord, type CallRecord, type RoutingState } from './state.ts';
import { isServing, type AgentState, type CallStatus, type DestinationKind } from './vocabulary.ts';

/** An agent's runtime fields; configuration (languages, skills, queues) is not part of it. */
export interface AgentSnapshot {
  readonly id: string;
  readonly state: AgentState;
  readonly callId: string | null;
  readonly availableSince: number;
  readonly lastCallEndedAt: number | null;
  readonly callsAnswered: number;
  readonly talkTimeSec: number;
  readonly answeredAt: number;
}

/** A live call as the engine knows it; the shell keeps it beside the call. */
export interface CallSnapshot {
  readonly id: string;
  readonly sequence: number;
  readonly language: string;
  readonly priority: number;
  readonly arrivedAt: number;
  readonly status: CallStatus;
  readonly destination: { readonly kind: DestinationKind; readonly id: string };
  readonly queuedAt: number;
  /** Null for Infinity (every tier open), which JSON cannot hold. */
  readonly openTier: number | null;
  readonly inLine: boolean;
  /** In the order they started ringing: `stop_ringing` and `call.no_answer` list them in this order. */
  readonly ringing: readonly string[];
  readonly tried: readonly string[];
  readonly ringStep: number;
  readonly groupCursor: number;
  readonly groupStart: number;
  readonly agentId: string | null;
  /** In the order they were set: cancelling them all cancels in this order. */
  readonly timers: readonly string[];
}

export interface DestinationSnapshot {
  readonly id: string;
  readonly lastRungAgentId: string | null;
}

export interface RoutingSnapshot {
  readonly agents: readonly AgentSnapshot[];
  readonly calls: readonly CallSnapshot[];
  readonly queues: readonly DestinationSnapshot[];
  readonly ringGroups: readonly DestinationSnapshot[];
  readonly nextSequence: number;
}

export function snapshotAgent(agent: AgentRecord): AgentSnapshot {
  const { id, state, callId, availableSince, lastCallEndedAt, callsAnswered, talkTimeSec, answeredAt } = agent;
  return { id, state, callId, availableSince, lastCallEndedAt, callsAnswered, talkTimeSec, answeredAt };
}

export function snapshotCall(call: CallRecord): CallSnapshot {
  return {
    id: call.id,
    sequence: call.sequence,
    language: call.language,
    priority: call.priority,
    arrivedAt: call.arrivedAt,
    status: call.status,
    destination: { kind: call.destination.kind, id: call.destination.id },
    queuedAt: call.queuedAt,
    openTier: call.openTier === Infinity ? null : call.openTier,
    inLine: call.line !== null,
    ringing: [...call.ringing],
    tried: [...call.tried],
    ringStep: call.ringStep,
    groupCursor: call.groupCursor,
    groupStart: call.groupStart,
    agentId: call.agentId,
    timers: [...call.timers],
  };
}

export function snapshotRoutingState(state: RoutingState): RoutingSnapshot {
  return {
    agents: [...state.agents.values()].map(snapshotAgent),
    calls: [...state.calls.values()].map(snapshotCall),
    queues: [...state.queues.values()].map(({ id, lastRungAgentId }) => ({ id, lastRungAgentId })),
    ringGroups: [...state.ringGroups.values()].map(({ id, lastRungAgentId }) => ({ id, lastRungAgentId })),
    nextSequence: state.nextSequence,
  };
}

const terminal: ReadonlySet<CallStatus> = new Set(['completed', 'abandoned', 'unanswered', 'failed']);

/**
 * Builds the state from configuration plus saved runtime records; rebuilds every index (waiting lines, free members,
 * queue waiting counts). The configuration may have changed since the snapshot:
 * - an agent in the configuration with no snapshot starts as configured (`availableSince` 0);
 * - an agent no longer in the configuration is kept, outside every queue and group, only while a call rings it or is
 *   answered by it (from its snapshot, or from the call when it has none), so that call ends normally;
 * - a call at a destination no longer configured is kept as it is: answered, it goes on (no wrap-up after); ringing,
 *   it fails (`unknown_destination`) when the ring ends unanswered; waiting, `configuration_changed` fails it.
 * The calls are the truth about who rings and who talks: an agent no call claims is not left `ringing` or `on_call`.
 * Send `configuration_changed` next, so that agents take the calls the new configuration lets them take.
 */
export function restoreRoutingState(config: RoutingConfig, snapshot: RoutingSnapshot): RoutingState {
  const state = createRoutingState(config);
  const savedAgents = new Map<string, AgentSnapshot>();
  for (const saved of snapshot.agents) if (!savedAgents.has(saved.id)) savedAgents.set(saved.id, saved);
  for (const agent of state.agents.values()) {
    const saved = savedAgents.get(agent.id);
    if (saved) restoreAgentFields(agent, saved);
  }
  let nextSequence = snapshot.nextSequence;
  const inLine: CallRecord[] = [];
  for (const saved of snapshot.calls) {
    if (state.calls.has(saved.id) || terminal.has(saved.status)) continue;
    const call = restoreCall(saved);
    state.calls.set(call.id, call);
    if (saved.inLine) inLine.push(call);
    nextSequence = Math.max(nextSequence, saved.sequence + 1);
  }
  state.nextSequence = nextSequence;
  settleAgentsOnCalls(state, savedAgents);
  for (const queue of state.queues.values()) {
    queue.freeMemberIds.clear();
    queue.servingMemberIds.clear();
    for (const agentId of queue.memberOrder) {
      const agentState = state.agents.get(agentId)!.state;
      if (agentState === 'available') queue.freeMemberIds.add(agentId);
      if (isServing(agentState)) queue.servingMemberIds.add(agentId);
    }
  }
  for (const call of state.calls.values()) {
    const queue = call.destination.kind === 'queue' ? state.queues.get(call.destination.id) : undefined;
    // Tiers no longer gate in this queue: every member may ring, as for a call that entered it now.
    if (queue && queue.tierWaitSec === null) call.openTier = Infinity;
  }
  for (const call of inLine) {
    // A call waiting in a deleted queue has no line to wait in; `configuration_changed` ends it.
    const queue = call.destination.kind === 'queue' ? state.queues.get(call.destination.id) : undefined;
    if (queue) putInLine(queue, call);
  }
  for (const saved of snapshot.queues) {
    const queue = state.queues.get(saved.id);
    if (queue) queue.lastRungAgentId = saved.lastRungAgentId;
  }
  for (const saved of snapshot.ringGroups) {
    const group = state.ringGroups.get(saved.id);
    if (group) group.lastRungAgentId = saved.lastRungAgentId;
  }
  return state;
}

function restoreAgentFields(agent: AgentRecord, saved: AgentSnapshot): void {
  agent.state = saved.state;
  agent.callId = saved.callId;
  agent.availableSince = saved.availableSince;
  agent.lastCallEndedAt = saved.lastCallEndedAt;
  agent.callsAnswered = saved.callsAnswered;
  agent.talkTimeSec = saved.talkTimeSec;
  agent.answeredAt = saved.answeredAt;
}

function restoreCall(saved: CallSnapshot): CallRecord {
  return {
    id: saved.id,
    sequence: saved.sequence,
    language: saved.language,
    priority: saved.priority,
    arrivedAt: saved.arrivedAt,
    status: saved.status,
    destination: { kind: saved.destination.kind, id: saved.destination.id },
    queuedAt: saved.queuedAt,
    openTier: saved.openTier ?? Infinity,
    line: null,
    lineIndex: -1,
    ringing: new Set(saved.ringing),
    tried: new Set(saved.tried),
    ringStep: saved.ringStep,
    groupCursor: saved.groupCursor,
    groupStart: saved.groupStart,
    agentId: saved.agentId,
    timers: new Set(saved.timers),
  };
}

/**
 * Makes every agent's state agree with the calls: those a call is answered by are `on_call`, those it rings are
 * `ringing` (an agent claimed twice stays with the first claim), and no other agent is left ringing or on a call.
 */
function settleAgentsOnCalls(state: RoutingState, savedAgents: ReadonlyMap<string, AgentSnapshot>): void {
  const claims = new Map<string, CallRecord>();
  const claim = (agentId: string, call: CallRecord): boolean => {
    if (claims.has(agentId)) return false;
    if (!state.agents.has(agentId)) state.agents.set(agentId, agentOutsideConfiguration(agentId, savedAgents.get(agentId)));
    claims.set(agentId, call);
    return true;
  };
  for (const call of state.calls.values()) if (call.status === 'answered' && call.agentId !== null) claim(call.agentId, call);
  for (const call of state.calls.values()) {
    for (const agentId of call.ringing) if (!claim(agentId, call)) call.ringing.delete(agentId);
  }
  for (const agent of state.agents.values()) {
    const call = claims.get(agent.id);
    if (call) {
      agent.state = call.status === 'answered' && call.agentId === agent.id ? 'on_call' : 'ringing';
      agent.callId = call.id;
    } else {
      if (agent.state === 'ringing' || agent.state === 'on_call') agent.state = 'available';
      agent.callId = null;
    }
  }
}

/** An agent deleted from the configuration while on a call: it belongs to no queue or group, so it is never offered another. */
function agentOutsideConfiguration(id: string, saved: AgentSnapshot | undefined): AgentRecord {
  const agent: AgentRecord = {
    id,
    languages: [],
    skills: new Set(),
    state: 'offline',
    callId: null,
    availableSince: 0,
    lastCallEndedAt: null,
    callsAnswered: 0,
    talkTimeSec: 0,
    answeredAt: 0,
    queueIds: [],
  };
  if (saved) restoreAgentFields(agent, saved);
  return agent;
}

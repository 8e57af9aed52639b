// Inputs about a call's life: it arrives, the caller hangs up, it ends, or it waited too long where it is.
import { dispatchAgent, releaseAgents } from '../agent-dispatch.ts';
import { setAgentState } from '../agent-states.ts';
import { finishCall, leaveDestination } from '../call-lifecycle.ts';
import { moveOnAfterWaiting, queueAt, routeCall } from '../call-routing.ts';
import { timerFired, timerKeys, touchAgent, type Decision, type Ignored } from '../decision.ts';
import type { RoutingInputOf } from '../inputs.ts';
import { normalizeLanguage } from '../language.ts';
import { openTier } from '../queue-routing.ts';
import type { CallRecord } from '../state.ts';

export function callArrived(decision: Decision, { call: arriving }: RoutingInputOf<'call_arrived'>): Ignored {
  const { state, now } = decision;
  if (state.calls.has(arriving.id)) return 'duplicate_call';
  const call: CallRecord = {
    id: arriving.id,
    sequence: state.nextSequence++,
    language: normalizeLanguage(arriving.language),
    priority: arriving.priority ?? 0,
    arrivedAt: now,
    status: 'received',
    destination: { kind: arriving.destination.kind, id: arriving.destination.id },
    queuedAt: now,
    openTier: Infinity,
    line: null,
    lineIndex: -1,
    ringing: new Set(),
    tried: new Set(),
    ringStep: 0,
    groupCursor: -1,
    groupStart: 0,
    agentId: null,
    timers: new Set(),
  };
  state.calls.set(call.id, call);
  routeCall(decision, call, arriving.destination);
  return undefined;
}

/** Before an answer the call is `abandoned`; after one, the caller hanging up completes it. */
export function callerHungUp(decision: Decision, input: RoutingInputOf<'caller_hung_up'>): Ignored {
  return hangUp(decision, input.callId, 'caller');
}

export function callEnded(decision: Decision, input: RoutingInputOf<'call_ended'>): Ignored {
  return hangUp(decision, input.callId, input.by);
}

function hangUp(decision: Decision, callId: string, by: 'caller' | 'agent' | undefined): Ignored {
  const call = decision.state.calls.get(callId);
  if (!call) return 'unknown_call';
  if (call.status !== 'answered') {
    const freed = leaveDestination(decision, call, false);
    finishCall(decision, call, 'abandoned', { type: 'call.abandoned', data: {} });
    releaseAgents(decision, freed);
    return undefined;
  }
  const { now } = decision;
  const agent = decision.state.agents.get(call.agentId!)!;
  touchAgent(decision, agent);
  agent.talkTimeSec += now - agent.answeredAt;
  agent.lastCallEndedAt = now;
  finishCall(decision, call, 'completed', { type: 'call.completed', data: by ? { by } : {} });
  // A queue deleted during the call has no wrap-up to give.
  const wrapUpSec = queueAt(decision, call)?.wrapUpSec ?? 0;
  if (wrapUpSec > 0) {
    setAgentState(decision, agent, 'wrap_up');
    const input = { type: 'wrap_up_over', agentId: agent.id } as const;
    decision.commands.push({ type: 'set_timer', key: timerKeys.wrapUp(agent.id), at: now + wrapUpSec, input });
    return undefined;
  }
  setAgentState(decision, agent, 'available');
  dispatchAgent(decision, agent);
  return undefined;
}

/** A queue's `maxWaitSec` (overflow) or a ring group's `totalTimeoutSec` (failover) passed; a ring in progress stops. */
export function maxWaitReached(decision: Decision, input: RoutingInputOf<'max_wait_reached'>): Ignored {
  const call = decision.state.calls.get(input.callId);
  if (!call || call.destination.id !== input.destinationId || call.status === 'answered') return 'stale_timer';
  timerFired(decision, call, timerKeys.maxWait(call.id));
  const freed = leaveDestination(decision, call, true);
  moveOnAfterWaiting(decision, call);
  releaseAgents(decision, freed);
  return undefined;
}

export function tierWaitReached(decision: Decision, input: RoutingInputOf<'tier_wait_reached'>): Ignored {
  const call = decision.state.calls.get(input.callId);
  if (!call || call.destination.id !== input.queueId || call.status === 'answered') return 'stale_timer';
  // A queue deleted while the call waited has no tiers left to open.
  if (call.destination.kind !== 'queue' || !decision.state.queues.has(input.queueId)) return 'stale_timer';
  if (input.tier !== call.openTier + 1) return 'stale_timer';
  timerFired(decision, call, timerKeys.tier(call.id));
  openTier(decision, call, input.tier);
  return undefined;
}

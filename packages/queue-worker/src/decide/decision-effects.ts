// Gathers what a run of decisions changed (events, calls, agents, timers, answers to the API) into one transaction's writes.
import { randomUUID } from 'node:crypto';
import { routingOutcomeChannel, type CallEvent, type RoutingOutcome } from '@switchboard/contracts';
import type { AgentWrite, CallWrite, DecisionWrite, DestinationWrite } from '@switchboard/db';
import {
  estimateWaitSec, handleTimesOf, snapshotAgent, snapshotCall, waitingPosition, type DecisionResult, type HandleTimeWindow, type RoutingInput,
  type RoutingState,
} from '@switchboard/routing';
import { DestinationVisits } from './destination-visits.ts';

/** What the domain's router keeps between decisions for the wait estimate and ring-to-answer times (rebuilt with it). */
export type LiveTimes = {
  /** Per call ringing now: when each of its ringing agents started ringing (seconds since the epoch). */
  readonly ringStarts: Map<string, Map<string, number>>;
  /** Per queue: its last answered and ended calls' times. */
  readonly handleTimes: Map<string, HandleTimeWindow>;
};

/** Seconds since the epoch as the engine's clock holds them; 0 means "never" in the engine and NULL in the database. */
const orNull = (seconds: number | null): number | null => (seconds ? seconds : null);

export class DecisionEffects {
  /** Events this decision writes to `call_events`. */
  readonly events: CallEvent[] = [];
  /** Events this decision publishes on `call-events`, in order: its own, and a new call's `call.received` before them. */
  private readonly outgoing: CallEvent[] = [];
  private readonly calls = new Map<string, CallWrite>();
  private readonly agents = new Map<string, AgentWrite>();
  private readonly queues = new Map<string, DestinationWrite>();
  private readonly ringGroups = new Map<string, DestinationWrite>();
  /** Last word per key: a timer set, or null when cancelled or fired. */
  readonly timers = new Map<string, { at: number; input: RoutingInput } | null>();
  private readonly outcomes: string[] = [];
  private readonly visits = new DestinationVisits();
  /** `routing.action` requests applied here: recorded with the decision, so a copy sent again is skipped. */
  private readonly requestIds: string[] = [];
  /** Calls that reached a terminal status: their sequence counters go once the write commits. */
  readonly ended = new Set<string>();
  applied: { partition: number; offset: number; log: string } | null = null;
  decisions = 0;

  constructor(
    /** The last `call_events.sequence` of each live call, advanced as events are added. */
    private readonly lastSequence: Map<string, number>,
    private readonly live: LiveTimes,
  ) {}

  /** A fired timer is gone whatever the decision does with it (it may set the same key again). */
  timerFired(key: string): void {
    this.timers.set(key, null);
  }

  answer(requestId: string, ignored: string | undefined): void {
    const outcome: RoutingOutcome = ignored === undefined ? { requestId } : { requestId, ignored };
    this.outcomes.push(JSON.stringify(outcome));
    this.requestIds.push(requestId);
  }

  /** A new call's `call.received`, stored by the API: published with this decision, before the call's other events. */
  received(event: CallEvent): void {
    this.outgoing.push(event);
  }

  add(state: RoutingState, input: RoutingInput, result: DecisionResult, now: number): void {
    this.decisions++;
    const occurredAt = new Date(Math.round(now * 1000)).toISOString();
    if (input.type === 'call_arrived') this.visits.arrived(input.call.id, input.call.destination, input.call.priority ?? 0, now);
    const terminal = new Map<string, { status: string; reason: string | null }>();
    for (const command of result.commands) {
      switch (command.type) {
        case 'emit': {
          const sequence = (this.lastSequence.get(command.callId) ?? 1) + 1;
          this.lastSequence.set(command.callId, sequence);
          const data = command.event.type === 'call.queued' ? { ...command.event.data, ...this.waitAtEntry(state, command.callId, command.event.data.queueId) } : command.event.data;
          const event = {
            id: randomUUID(), version: 1, occurredAt, callId: command.callId, sequence, status: command.status, type: command.event.type, data,
          } as CallEvent;
          this.events.push(event);
          this.outgoing.push(event);
          this.visits.event(event, now, state.calls.get(command.callId)?.priority ?? 0, this.ringTimes(event, now));
          break;
        }
        case 'set_timer':
          this.timers.set(command.key, { at: command.at, input: command.input });
          break;
        case 'cancel_timer':
          this.timers.set(command.key, null);
          break;
        case 'end_call':
          terminal.set(command.callId, { status: command.status, reason: command.reason ?? null });
          break;
        default:
          // ring, stop_ringing, connect, move: the telephony edge learns them from the events.
          break;
      }
    }
    const { callIds, agentIds, queueIds, ringGroupIds } = result.touched;
    for (const id of callIds) {
      const call = state.calls.get(id);
      if (call) {
        this.calls.set(id, {
          id, status: call.status, agentId: call.agentId, reason: null, currentDestinationId: call.destination.id, routing: { ...snapshotCall(call) },
        });
        continue;
      }
      const end = terminal.get(id);
      if (!end) continue;
      this.ended.add(id);
      this.calls.set(id, { id, status: end.status, agentId: null, reason: end.reason, currentDestinationId: null, routing: null });
    }
    for (const id of agentIds) {
      const agent = state.agents.get(id);
      if (!agent) continue;
      const a = snapshotAgent(agent);
      this.agents.set(id, {
        id, state: a.state, currentCallId: a.callId, callsAnswered: a.callsAnswered, talkTimeSec: a.talkTimeSec,
        lastCallEndedAt: a.lastCallEndedAt, availableSince: orNull(a.availableSince), answeredAt: orNull(a.answeredAt),
      });
    }
    for (const id of queueIds) {
      const queue = state.queues.get(id);
      if (queue) this.queues.set(id, { id, lastRungAgentId: queue.lastRungAgentId });
    }
    for (const id of ringGroupIds) {
      const group = state.ringGroups.get(id);
      if (group) this.ringGroups.set(id, { id, lastRungAgentId: group.lastRungAgentId });
    }
  }

  /**
   * The position and estimated wait `call.queued` carries: where the call stands after the decision that queued it. A
   * call that left the queue within that decision (full, so it overflowed) did not wait there: 1 and 0.
   */
  private waitAtEntry(state: RoutingState, callId: string, queueId: string): { position: number; estimatedWaitSec: number } {
    const call = state.calls.get(callId);
    const queue = state.queues.get(queueId);
    const position = call?.destination.id === queueId ? waitingPosition(state, callId) : undefined;
    if (!position || !queue) return { position: 1, estimatedWaitSec: 0 };
    const window = this.live.handleTimes.get(queueId);
    const times = window ? window.times(queue.wrapUpSec) : handleTimesOf(0, 0, 0, queue.wrapUpSec);
    return { position: position.position, estimatedWaitSec: Math.round(estimateWaitSec(position, times) * 1000) / 1000 };
  }

  /** Keeps when each agent started ringing for a call; for an answer, returns when the answering agent's ring began. */
  private ringTimes(event: CallEvent, now: number): number | null {
    const { ringStarts } = this.live;
    if (event.type === 'call.ringing') {
      let starts = ringStarts.get(event.callId);
      if (!starts) ringStarts.set(event.callId, (starts = new Map()));
      for (const agentId of event.data.agentIds) starts.set(agentId, now);
      return null;
    }
    if (event.type === 'call.answered') {
      const rungAt = ringStarts.get(event.callId)?.get(event.data.agentId) ?? null;
      ringStarts.delete(event.callId);
      return rungAt;
    }
    if (event.type === 'call.no_answer') for (const agentId of event.data.agentIds) ringStarts.get(event.callId)?.delete(agentId);
    else if (event.type === 'call.declined') ringStarts.get(event.callId)?.delete(event.data.agentId);
    else if (event.type !== 'call.queued') ringStarts.delete(event.callId);
    return null;
  }

  get isEmpty(): boolean {
    return this.decisions === 0 && this.outcomes.length === 0 && this.applied === null && this.timers.size === 0;
  }

  toWrite(base: Pick<DecisionWrite, 'domain' | 'epoch' | 'randomState' | 'nextSequence' | 'publishedTx'>): DecisionWrite {
    const timersSet: DecisionWrite['timersSet'] = [];
    const timersDeleted: string[] = [];
    for (const [key, timer] of this.timers) {
      if (timer) timersSet.push({ key, fireAt: timer.at, input: timer.input });
      else timersDeleted.push(key);
    }
    return {
      ...base,
      applied: this.applied,
      calls: [...this.calls.values()],
      agents: [...this.agents.values()],
      queues: [...this.queues.values()],
      ringGroups: [...this.ringGroups.values()],
      timersSet,
      timersDeleted,
      notifications: { channel: routingOutcomeChannel, payloads: this.outcomes },
      appliedRequests: this.requestIds,
      visits: this.visits.toWrite(),
    };
  }

  /** What `call-events` gets once the decision commits, in order. */
  get published(): readonly CallEvent[] {
    return this.outgoing;
  }
}

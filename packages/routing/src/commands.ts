// What the shell must carry out after a decision: telephony actions, timers, events and agent states.
import type { Route } from './configuration.ts';
import type { RoutingInput } from './inputs.ts';
import type { AgentState, CallStatus, TerminalCallStatus } from './vocabulary.ts';

export type RouteRef = Route;

/** The `call-events` a decision produces; the shell adds envelope, sequence and time. */
export type RoutingEvent =
  | { readonly type: 'call.queued'; readonly data: { readonly queueId: string } }
  | { readonly type: 'call.ringing'; readonly data: { readonly agentIds: readonly string[] } }
  | { readonly type: 'call.answered'; readonly data: { readonly agentId: string } }
  | { readonly type: 'call.declined'; readonly data: { readonly agentId: string } }
  | { readonly type: 'call.no_answer'; readonly data: { readonly agentIds: readonly string[] } }
  | { readonly type: 'call.overflowed'; readonly data: { readonly from: RouteRef; readonly to: RouteRef } }
  | { readonly type: 'call.abandoned'; readonly data: Record<string, never> }
  | { readonly type: 'call.completed'; readonly data: { readonly by?: 'caller' | 'agent' } }
  | { readonly type: 'call.unanswered'; readonly data: Record<string, never> }
  | { readonly type: 'call.failed'; readonly data: { readonly reason: string } };

export type RoutingCommand =
  /** Ring these agents' phones for the call, all at once. */
  | { readonly type: 'ring'; readonly callId: string; readonly agentIds: readonly string[] }
  | { readonly type: 'stop_ringing'; readonly callId: string; readonly agentIds: readonly string[] }
  /** Bridge the caller to the agent who answered. */
  | { readonly type: 'connect'; readonly callId: string; readonly agentId: string }
  /** The call now belongs to another destination (overflow or failover); routing there already happened. */
  | { readonly type: 'move'; readonly callId: string; readonly from: RouteRef; readonly to: RouteRef }
  /** The call reached a terminal status; hang up whatever is left of it and store the status. */
  | { readonly type: 'end_call'; readonly callId: string; readonly status: TerminalCallStatus; readonly reason?: string }
  /** At `at` (seconds, the clock of `now`), call `decide` with `input`. A timer with the same key is replaced. */
  | { readonly type: 'set_timer'; readonly key: string; readonly at: number; readonly input: RoutingInput }
  | { readonly type: 'cancel_timer'; readonly key: string }
  /** Store and publish this call event; `status` is the call's status after it. */
  | { readonly type: 'emit'; readonly callId: string; readonly status: CallStatus; readonly event: RoutingEvent }
  /** The agent's state changed (store it: `PUT /agents/{id}/status` answers 409 while `on_call`). */
  | { readonly type: 'agent_state'; readonly agentId: string; readonly state: AgentState };

export type RoutingCommandType = RoutingCommand['type'];

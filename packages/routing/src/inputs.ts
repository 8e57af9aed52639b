// Everything that can happen to the routing state: one input per `decide`.
import type { AgentPresence, DestinationKind } from './vocabulary.ts';

export interface ArrivingCall {
  readonly id: string;
  readonly destination: { readonly kind: DestinationKind; readonly id: string };
  /** BCP 47 tag of the caller. */
  readonly language: string;
  /** 0–100, higher first. Default 0. */
  readonly priority?: number;
}

export type RoutingInput =
  | { readonly type: 'call_arrived'; readonly call: ArrivingCall }
  | { readonly type: 'agent_presence_changed'; readonly agentId: string; readonly state: AgentPresence }
  | { readonly type: 'agent_answered'; readonly callId: string; readonly agentId: string }
  | { readonly type: 'agent_declined'; readonly callId: string; readonly agentId: string }
  /** `step` ties the timer to the ring it was set for, so a late timer never ends a newer ring. */
  | { readonly type: 'ring_timed_out'; readonly callId: string; readonly step: number }
  | { readonly type: 'caller_hung_up'; readonly callId: string }
  | { readonly type: 'call_ended'; readonly callId: string; readonly by?: 'caller' | 'agent' }
  | { readonly type: 'wrap_up_over'; readonly agentId: string }
  /** A queue's `maxWaitSec` or a ring group's `totalTimeoutSec` passed. */
  | { readonly type: 'max_wait_reached'; readonly callId: string; readonly destinationId: string }
  /** The call has waited long enough at `queueId` for members of `tier` to ring. */
  | { readonly type: 'tier_wait_reached'; readonly callId: string; readonly queueId: string; readonly tier: number }
  /** Sent right after restoring a state with a new configuration: every available agent takes the best call it may. */
  | { readonly type: 'configuration_changed' };

export type RoutingInputType = RoutingInput['type'];
export type RoutingInputOf<T extends RoutingInputType> = Extract<RoutingInput, { type: T }>;

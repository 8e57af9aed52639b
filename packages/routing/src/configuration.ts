// The configuration the engine starts from: agents, queues and ring groups as the database holds them.
import type { AgentPresence, DestinationKind, QueueStrategy, RingGroupStrategy } from './vocabulary.ts';

/** Where a queue overflows or a ring group fails over to; `hangup` ends the call as `unanswered`. */
export interface Route {
  readonly kind: DestinationKind | 'hangup';
  readonly id?: string;
}

export interface AgentConfig {
  readonly id: string;
  /** BCP 47 tags; `es` speaks `es-MX` calls. */
  readonly languages: readonly string[];
  readonly skills?: readonly string[];
  /** The presence the agent starts in; `offline` when not given. */
  readonly state?: AgentPresence;
}

export interface QueueMemberConfig {
  readonly agentId: string;
  /** 1 rings first; tier n+1 joins after the call waited `tierWaitSec × n`. Default 1. */
  readonly tier?: number;
  /** Order within a tier (`top_down`, `round_robin`). Default 0. */
  readonly position?: number;
  /** `weighted_random` (Asterisk's wrandom): the member draws below (1 + penalty) × 1000, the lowest rings. Default 0. */
  readonly penalty?: number;
}

export interface QueueConfig {
  readonly id: string;
  readonly strategy: QueueStrategy;
  readonly requireLanguage?: boolean;
  readonly skills?: readonly string[];
  /** Default 15. */
  readonly ringTimeoutSec?: number;
  readonly maxWaitSec?: number | null;
  /** Default 0. */
  readonly wrapUpSec?: number;
  readonly tierWaitSec?: number | null;
  /**
   * FreeSWITCH's `tier-rule-no-agent-no-wait`: a tier nobody is logged in to (every member offline, or none who speaks
   * the call's language when the queue requires it) is not waited for; the next tier opens at once. Default true.
   */
  readonly noAgentNoWait?: boolean;
  readonly maxWaiting?: number | null;
  readonly overflow?: Route | null;
  readonly members: readonly QueueMemberConfig[];
}

export interface RingGroupMemberConfig {
  readonly agentId: string;
  readonly position?: number;
}

export interface RingGroupConfig {
  readonly id: string;
  readonly strategy: RingGroupStrategy;
  /** Default 20. */
  readonly ringTimeoutSec?: number;
  /** Default 60. */
  readonly totalTimeoutSec?: number;
  readonly failover?: Route | null;
  /** In ring order; a plain id keeps the order given. */
  readonly members: readonly (string | RingGroupMemberConfig)[];
}

export interface RoutingConfig {
  readonly agents: readonly AgentConfig[];
  readonly queues?: readonly QueueConfig[];
  readonly ringGroups?: readonly RingGroupConfig[];
}

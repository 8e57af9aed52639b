// Rebuilds a routing domain's engine state from what PostgreSQL holds: configuration, agents' states and counters, live calls.
import type { DomainRows } from '@switchboard/db';
import {
  restoreRoutingState,
  type AgentPresence, type CallSnapshot, type QueueStrategy, type RingGroupStrategy, type Route, type RoutingConfig,
  type RoutingSnapshot, type RoutingState,
} from '@switchboard/routing';

const presences = new Set(['available', 'break', 'offline']);

export function routingConfigOf(rows: DomainRows): RoutingConfig {
  const membersOf = Map.groupBy(rows.queueMembers, (m) => m.queueId);
  const groupMembersOf = Map.groupBy(rows.ringGroupMembers, (m) => m.ringGroupId);
  return {
    agents: rows.agents.map((a) => ({
      id: a.id,
      languages: a.languages,
      skills: a.skills,
      // The engine's config takes a presence; the live states (ringing, on_call, wrap_up) come from the snapshot.
      state: (presences.has(a.state) ? a.state : 'offline') as AgentPresence,
    })),
    queues: rows.queues.map((q) => ({
      id: q.id,
      strategy: q.strategy as QueueStrategy,
      requireLanguage: q.requireLanguage,
      skills: q.skills,
      ringTimeoutSec: q.ringTimeoutSec,
      maxWaitSec: q.maxWaitSec,
      wrapUpSec: q.wrapUpSec,
      tierWaitSec: q.tierWaitSec,
      noAgentNoWait: q.noAgentNoWait,
      maxWaiting: q.maxWaiting,
      overflow: q.overflow as Route | null,
      members: (membersOf.get(q.id) ?? []).map(({ agentId, tier, position, penalty }) => ({ agentId, tier, position, penalty })),
    })),
    ringGroups: rows.ringGroups.map((g) => ({
      id: g.id,
      strategy: g.strategy as RingGroupStrategy,
      ringTimeoutSec: g.ringTimeoutSec,
      totalTimeoutSec: g.totalTimeoutSec,
      failover: g.failover as Route | null,
      members: (groupMembersOf.get(g.id) ?? []).map(({ agentId, position }) => ({ agentId, position })),
    })),
  };
}

export function routingSnapshotOf(rows: DomainRows, nextSequence: number): RoutingSnapshot {
  return {
    agents: rows.agents.map((a) => ({
      id: a.id,
      state: a.state as RoutingSnapshot['agents'][number]['state'],
      callId: a.currentCallId,
      availableSince: a.availableSince ?? 0,
      lastCallEndedAt: a.lastCallEndedAt,
      callsAnswered: a.callsAnswered,
      talkTimeSec: a.talkTimeSec,
      answeredAt: a.answeredAt ?? 0,
    })),
    calls: rows.calls.map((c) => c.routing as unknown as CallSnapshot),
    queues: rows.queues.map((q) => ({ id: q.id, lastRungAgentId: q.lastRungAgentId })),
    ringGroups: rows.ringGroups.map((g) => ({ id: g.id, lastRungAgentId: g.lastRungAgentId })),
    nextSequence,
  };
}

export function restoreDomain(rows: DomainRows, nextSequence: number): RoutingState {
  return restoreRoutingState(routingConfigOf(rows), routingSnapshotOf(rows, nextSequence));
}

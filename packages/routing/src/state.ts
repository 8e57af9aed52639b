// The routing state: agents, queues, ring groups and live calls, with the indexes that keep each decision small.
import type { AgentConfig, QueueConfig, RingGroupConfig, Route, RoutingConfig } from './configuration.ts';
import { normalizeLanguage } from './language.ts';
import { isServing, type AgentState, type CallStatus, type DestinationKind, type QueueStrategy, type RingGroupStrategy } from './vocabulary.ts';
import type { WaitingLine } from './waiting-line.ts';

export interface AgentRecord {
  readonly id: string;
  /** Normalized BCP 47 tags. */
  readonly languages: readonly string[];
  readonly skills: ReadonlySet<string>;
  state: AgentState;
  /** The call the agent rings for or is on. */
  callId: string | null;
  /** When the agent last became available from offline or break (longest idle of an agent with no call yet). */
  availableSince: number;
  lastCallEndedAt: number | null;
  callsAnswered: number;
  talkTimeSec: number;
  answeredAt: number;
  /** Queues the agent belongs to and has the skills for, in configuration order. */
  readonly queueIds: string[];
}

export interface MemberRecord {
  readonly agentId: string;
  readonly tier: number;
  readonly position: number;
  readonly penalty: number;
  /** Rank in (tier, position, agent id): the queue's fixed order for ties and round robin. */
  order: number;
}

export interface QueueRecord {
  readonly id: string;
  readonly strategy: QueueStrategy;
  readonly requireLanguage: boolean;
  readonly ringTimeoutSec: number;
  readonly maxWaitSec: number | null;
  readonly wrapUpSec: number;
  /** Null when tiers do not gate (no tier wait, or only one tier). */
  readonly tierWaitSec: number | null;
  /** A tier nobody is logged in to opens the next at once (FreeSWITCH's tier-rule-no-agent-no-wait). */
  readonly noAgentNoWait: boolean;
  readonly maxTier: number;
  readonly maxWaiting: number | null;
  readonly overflow: Route | null;
  /** Members who have the queue's skills; the others can never ring for it. */
  readonly members: ReadonlyMap<string, MemberRecord>;
  /** Members in `order`. */
  readonly memberOrder: readonly string[];
  /** The same, each with its agent's record: a walk over many members without a lookup per member. */
  readonly memberEntries: readonly { readonly member: MemberRecord; readonly agent: AgentRecord }[];
  /** Members who are `available` right now. */
  readonly freeMemberIds: Set<string>;
  /** Members who serve the queue's calls now or soon (`servingAgentStates`): what the wait estimate counts. */
  readonly servingMemberIds: Set<string>;
  /** Lines by `${language}|${openTier}`. */
  readonly lines: Map<string, WaitingLine<CallRecord>>;
  waiting: number;
  /** `round_robin` resumes after this member: the last one rung for any of the queue's calls (kept by round_robin only). */
  lastRungAgentId: string | null;
}

export interface RingGroupRecord {
  readonly id: string;
  readonly strategy: RingGroupStrategy;
  readonly ringTimeoutSec: number;
  readonly totalTimeoutSec: number;
  readonly failover: Route | null;
  /** In ring order. */
  readonly memberIds: readonly string[];
  /** `round_robin` resumes after this member: the last one rung for any of the group's calls (kept by round_robin only). */
  lastRungAgentId: string | null;
}

export interface CallRecord {
  readonly id: string;
  /** Arrival order over the whole state: the last tie-break of rule 4. */
  readonly sequence: number;
  readonly language: string;
  readonly priority: number;
  readonly arrivedAt: number;
  status: CallStatus;
  destination: { kind: DestinationKind; id: string };
  /** When the call entered its current queue. */
  queuedAt: number;
  openTier: number;
  line: WaitingLine<CallRecord> | null;
  lineIndex: number;
  /** Agents ringing for the call now. */
  readonly ringing: Set<string>;
  /** Agents who let it ring (timeout or decline) in this round: others go first. */
  tried: Set<string>;
  /** Bumped at every ring, so a late ring timer is recognised. */
  ringStep: number;
  /** A ring group's progress through its member list (strategy-specific). */
  groupCursor: number;
  groupStart: number;
  agentId: string | null;
  /** Keys of the timers set for this call and not yet fired or cancelled. */
  readonly timers: Set<string>;
}

export interface RoutingState {
  readonly agents: Map<string, AgentRecord>;
  readonly queues: Map<string, QueueRecord>;
  readonly ringGroups: Map<string, RingGroupRecord>;
  /** Live calls only: a call leaves the map when it reaches a terminal status. */
  readonly calls: Map<string, CallRecord>;
  nextSequence: number;
}

/** Builds the state from configuration; `now` is when present agents became available. */
export function createRoutingState(config: RoutingConfig, now = 0): RoutingState {
  const agents = new Map<string, AgentRecord>();
  for (const agent of config.agents) agents.set(agent.id, createAgent(agent, now));
  const queues = new Map<string, QueueRecord>();
  for (const queue of config.queues ?? []) queues.set(queue.id, createQueue(queue, agents));
  const ringGroups = new Map<string, RingGroupRecord>();
  for (const group of config.ringGroups ?? []) ringGroups.set(group.id, createRingGroup(group, agents));
  return { agents, queues, ringGroups, calls: new Map(), nextSequence: 1 };
}

function createAgent(config: AgentConfig, now: number): AgentRecord {
  return {
    id: config.id,
    languages: config.languages.map(normalizeLanguage),
    skills: new Set(config.skills ?? []),
    state: config.state ?? 'offline',
    callId: null,
    availableSince: now,
    lastCallEndedAt: null,
    callsAnswered: 0,
    talkTimeSec: 0,
    answeredAt: 0,
    queueIds: [],
  };
}

function createQueue(config: QueueConfig, agents: Map<string, AgentRecord>): QueueRecord {
  const required = config.skills ?? [];
  const members = new Map<string, MemberRecord>();
  for (const member of config.members) {
    const agent = agents.get(member.agentId);
    if (!agent || members.has(agent.id) || !required.every((skill) => agent.skills.has(skill))) continue;
    members.set(agent.id, {
      agentId: agent.id,
      tier: Math.max(1, member.tier ?? 1),
      position: member.position ?? 0,
      penalty: Math.max(0, member.penalty ?? 0),
      order: 0,
    });
  }
  const memberOrder = [...members.values()]
    .sort((a, b) => a.tier - b.tier || a.position - b.position || (a.agentId < b.agentId ? -1 : 1))
    .map((member, order) => ((member.order = order), member.agentId));
  const maxTier = Math.max(1, ...[...members.values()].map((member) => member.tier));
  const gated = config.tierWaitSec != null && config.tierWaitSec > 0 && maxTier > 1;
  const freeMemberIds = new Set<string>();
  const servingMemberIds = new Set<string>();
  for (const agentId of memberOrder) {
    const agent = agents.get(agentId)!;
    agent.queueIds.push(config.id);
    if (agent.state === 'available') freeMemberIds.add(agentId);
    if (isServing(agent.state)) servingMemberIds.add(agentId);
  }
  return {
    id: config.id,
    strategy: config.strategy,
    requireLanguage: config.requireLanguage ?? false,
    ringTimeoutSec: config.ringTimeoutSec ?? 15,
    maxWaitSec: config.maxWaitSec ?? null,
    wrapUpSec: config.wrapUpSec ?? 0,
    tierWaitSec: gated ? config.tierWaitSec! : null,
    noAgentNoWait: config.noAgentNoWait ?? true,
    maxTier,
    maxWaiting: config.maxWaiting ?? null,
    overflow: config.overflow ?? null,
    members,
    memberOrder,
    freeMemberIds,
    servingMemberIds,
    memberEntries: memberOrder.map((agentId) => ({ member: members.get(agentId)!, agent: agents.get(agentId)! })),
    lines: new Map(),
    waiting: 0,
    lastRungAgentId: null,
  };
}

function createRingGroup(config: RingGroupConfig, agents: Map<string, AgentRecord>): RingGroupRecord {
  const members = config.members
    .map((member, index) => (typeof member === 'string' ? { agentId: member, position: index } : { position: index, ...member }))
    .filter((member) => agents.has(member.agentId));
  // A stable sort keeps the given order among equal positions.
  members.sort((a, b) => a.position - b.position);
  return {
    id: config.id,
    strategy: config.strategy,
    ringTimeoutSec: config.ringTimeoutSec ?? 20,
    totalTimeoutSec: config.totalTimeoutSec ?? 60,
    failover: config.failover ?? null,
    memberIds: [...new Set(members.map((member) => member.agentId))],
    lastRungAgentId: null,
  };
}

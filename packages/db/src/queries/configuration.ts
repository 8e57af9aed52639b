// The configuration API's SQL: agents, queues, ring groups and their members, with the locks its checks rely on.
// postgres.js throughout, so a whole change (checks, writes and its outbox rows) shares one TransactionSql.
import type postgres from 'postgres';
import type { AgentState, DestinationKind, QueueStrategy, RingGroupStrategy } from '@switchboard/contracts';
import { queues, ringGroups, type Route } from '../schema.ts';

type Sql = postgres.Sql | postgres.TransactionSql;

/** How a read locks the rows it returns: `share` keeps them from changing or going, `update` is the writer's lock. */
export type RowLock = 'none' | 'share' | 'update';
const lockClause = (lock: RowLock) => (lock === 'share' ? 'for share' : lock === 'update' ? 'for update' : '');

/**
 * A timestamp as exact ISO text (microseconds, UTC). Text whatever parsers the client has, and exact, so a page cursor
 * made from it finds rows committed in the same transaction (same `now()`) that a millisecond Date would skip.
 */
const exact = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Where the next page starts: the sort key (`created_at`, `id`) of the last row of the previous page. */
export type PageAfter = { createdAt: string; id: string };
export type PageRequest = { limit: number; after?: PageAfter | undefined };

// ---------------------------------------------------------------------------------------------------------------------
// Dialed numbers and domains

/** Lock class of `pg_advisory_xact_lock(class, hashtext(number))`: numbers are unique across queues and ring groups. */
export const dialedNumberLockClass = 0x5b0a;

/**
 * Holds the number until the transaction ends, so two transactions giving the same number to a queue and a ring group
 * (which no single unique index spans) run one after the other, and the second sees the first's row.
 */
export async function lockDialedNumber(sql: postgres.TransactionSql, number: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${dialedNumberLockClass}::int, hashtext(${number}::text))`;
}

export type DestinationRef = { kind: DestinationKind; id: string; name: string; number: string; domain: string };

/** The queue or ring group that has the number, other than `exceptId`. */
export async function destinationByNumber(sql: Sql, number: string, exceptId: string | null = null): Promise<DestinationRef | undefined> {
  const [row] = await sql<DestinationRef[]>`
    select 'queue' as kind, id, name, number, domain from queues where number = ${number} and id is distinct from ${exceptId}::uuid
    union all
    select 'ring_group' as kind, id, name, number, domain from ring_groups where number = ${number} and id is distinct from ${exceptId}::uuid
    limit 1`;
  return row;
}

/** A queue or ring group by kind and id, locked as asked (for overflow and failover targets). */
export async function destinationById(sql: Sql, kind: DestinationKind, id: string, lock: RowLock = 'none'): Promise<DestinationRef | undefined> {
  const table = kind === 'queue' ? 'queues' : 'ring_groups';
  const [row] = await sql<DestinationRef[]>`
    select ${kind}::text as kind, id, name, number, domain from ${sql(table)} where id = ${id} ${sql.unsafe(lockClause(lock))}`;
  return row;
}

/** Queues whose overflow and ring groups whose failover lead to the destination. */
export async function destinationsRoutingTo(sql: Sql, id: string): Promise<DestinationRef[]> {
  return sql<DestinationRef[]>`
    select 'queue' as kind, id, name, number, domain from queues where overflow ->> 'id' = ${id}::text
    union all
    select 'ring_group' as kind, id, name, number, domain from ring_groups where failover ->> 'id' = ${id}::text
    order by kind, number`;
}

/** Calls still live at the destination (where they are now, not only where they were dialed). */
export async function countLiveCallsAt(sql: Sql, destinationId: string): Promise<number> {
  // Two counts, each through its index: live calls (the partial index of the statuses a worker holds), and calls
  // still `received`, which are few.
  const [row] = await sql<{ n: number }[]>`
    select (select count(*) from calls where current_destination_id = ${destinationId} and status in ('queued', 'ringing', 'answered'))::int
         + (select count(*) from calls where status = 'received' and current_destination_id = ${destinationId})::int as n`;
  return row?.n ?? 0;
}

/** Creates the routing domain's row if it is new. */
export async function ensureRoutingDomain(sql: Sql, name: string): Promise<void> {
  await sql`insert into routing_domains (name) values (${name}) on conflict do nothing`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Agents

export type AgentRecord = {
  id: string;
  domain: string;
  name: string;
  extension: string;
  languages: string[];
  skills: string[];
  state: AgentState;
  currentCallId: string | null;
  callsAnswered: number;
  talkTimeSec: number;
  /** Exact ISO text (see `exact`). */
  lastCallEndedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

const agentColumns = `id, domain, name, extension, languages, skills, state, current_call_id as "currentCallId",
  calls_answered as "callsAnswered", talk_time_sec as "talkTimeSec", ${exact('last_call_ended_at')} as "lastCallEndedAt",
  ${exact('created_at')} as "createdAt", ${exact('updated_at')} as "updatedAt"`;

export type AgentValues = { domain: string; name: string; extension: string; languages: string[]; skills: string[] };

export async function insertAgent(sql: Sql, values: AgentValues): Promise<AgentRecord> {
  const [row] = await sql<AgentRecord[]>`
    insert into agents (domain, name, extension, languages, skills)
    values (${values.domain}, ${values.name}, ${values.extension}, ${values.languages}::text[], ${values.skills}::text[])
    returning ${sql.unsafe(agentColumns)}`;
  return row!;
}

/** Writes every configurable field (the caller merged the patch into the row it locked). */
export async function updateAgent(sql: Sql, id: string, values: AgentValues): Promise<AgentRecord | undefined> {
  const [row] = await sql<AgentRecord[]>`
    update agents
       set domain = ${values.domain}, name = ${values.name}, extension = ${values.extension},
           languages = ${values.languages}::text[], skills = ${values.skills}::text[], updated_at = now()
     where id = ${id}
    returning ${sql.unsafe(agentColumns)}`;
  return row;
}

/** Deletes the agent; their queue and ring-group memberships go with them (foreign keys cascade). */
export async function deleteAgent(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`delete from agents where id = ${id} returning id`;
  return rows.length > 0;
}

export async function agentById(sql: Sql, id: string, lock: RowLock = 'none'): Promise<AgentRecord | undefined> {
  const [row] = await sql<AgentRecord[]>`select ${sql.unsafe(agentColumns)} from agents where id = ${id} ${sql.unsafe(lockClause(lock))}`;
  return row;
}

/** The agents among `ids` that exist, locked as asked (in id order, so two lockers never wait on each other in a circle). */
export async function agentsByIds(sql: Sql, ids: readonly string[], lock: RowLock = 'none'): Promise<AgentRecord[]> {
  if (ids.length === 0) return [];
  return sql<AgentRecord[]>`
    select ${sql.unsafe(agentColumns)} from agents where id = any(${[...ids]}::uuid[]) order by id ${sql.unsafe(lockClause(lock))}`;
}

export async function agentByExtension(sql: Sql, extension: string, exceptId: string | null = null): Promise<AgentRecord | undefined> {
  const [row] = await sql<AgentRecord[]>`
    select ${sql.unsafe(agentColumns)} from agents where extension = ${extension} and id is distinct from ${exceptId}::uuid`;
  return row;
}

export type AgentFilter = { domain?: string | undefined; state?: AgentState | undefined };

/** Newest first; `limit + 1` rows, so the caller knows whether another page follows. */
export async function listAgents(sql: Sql, filter: AgentFilter, page: PageRequest): Promise<AgentRecord[]> {
  return sql<AgentRecord[]>`
    select ${sql.unsafe(agentColumns)} from agents
     where (${filter.domain ?? null}::text is null or domain = ${filter.domain ?? null}::text)
       and (${filter.state ?? null}::text is null or state::text = ${filter.state ?? null}::text)
       and (${page.after?.createdAt ?? null}::timestamptz is null
            or (created_at, id) < (${page.after?.createdAt ?? null}::timestamptz, ${page.after?.id ?? null}::uuid))
     order by created_at desc, id desc
     limit ${page.limit + 1}`;
}

/** The queues and ring groups the agent is a member of. */
export async function membershipsOfAgent(sql: Sql, agentId: string): Promise<DestinationRef[]> {
  return sql<DestinationRef[]>`
    select 'queue' as kind, q.id, q.name, q.number, q.domain
      from queue_members m join queues q on q.id = m.queue_id where m.agent_id = ${agentId}
    union all
    select 'ring_group' as kind, g.id, g.name, g.number, g.domain
      from ring_group_members m join ring_groups g on g.id = m.ring_group_id where m.agent_id = ${agentId}
    order by kind, number`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Queues

export type QueueMemberRecord = { agentId: string; tier: number; position: number; penalty: number };

export type QueueValues = {
  domain: string;
  name: string;
  number: string;
  strategy: QueueStrategy;
  requireLanguage: boolean;
  skills: string[];
  ringTimeoutSec: number;
  maxWaitSec: number | null;
  wrapUpSec: number;
  tierWaitSec: number | null;
  noAgentNoWait: boolean;
  maxWaiting: number | null;
  overflow: Route | null;
};

/** What a new queue gets for the fields left out: the columns' own defaults. */
export const newQueueDefaults = {
  requireLanguage: queues.requireLanguage.default as boolean,
  skills: [] as string[],
  ringTimeoutSec: queues.ringTimeoutSec.default as number,
  maxWaitSec: null,
  wrapUpSec: queues.wrapUpSec.default as number,
  tierWaitSec: null,
  noAgentNoWait: queues.noAgentNoWait.default as boolean,
  maxWaiting: null,
  overflow: null,
} satisfies Partial<QueueValues>;

export type QueueRecord = QueueValues & { id: string; createdAt: string; updatedAt: string; members: QueueMemberRecord[] };

const queueColumns = `id, domain, name, number, strategy, require_language as "requireLanguage", skills,
  ring_timeout_sec as "ringTimeoutSec", max_wait_sec as "maxWaitSec", wrap_up_sec as "wrapUpSec", tier_wait_sec as "tierWaitSec",
  no_agent_no_wait as "noAgentNoWait", max_waiting as "maxWaiting", overflow::text as overflow, ${exact('created_at')} as "createdAt", ${exact('updated_at')} as "updatedAt"`;

type QueueRow = Omit<QueueRecord, 'members' | 'overflow'> & { overflow: string | null };

/** A route column read as text and parsed here: jsonb comes back the same whatever parsers the client was given. */
const parseRoute = (text: string | null): Route | null => (text === null ? null : (JSON.parse(text) as Route));
const routeText = (route: Route | null) => (route === null ? null : JSON.stringify(route));

async function withQueueMembers(sql: Sql, rows: QueueRow[]): Promise<QueueRecord[]> {
  if (rows.length === 0) return [];
  const members = await sql<(QueueMemberRecord & { queueId: string })[]>`
    select queue_id as "queueId", agent_id as "agentId", tier, position, penalty
      from queue_members where queue_id = any(${rows.map((r) => r.id)}::uuid[])
     order by tier, position, agent_id`;
  return rows.map((row) => ({
    ...row,
    overflow: parseRoute(row.overflow),
    members: members.filter((m) => m.queueId === row.id).map(({ agentId, tier, position, penalty }) => ({ agentId, tier, position, penalty })),
  }));
}

export async function insertQueue(sql: Sql, values: QueueValues, members: readonly QueueMemberRecord[]): Promise<QueueRecord> {
  const v = values;
  const [row] = await sql<QueueRow[]>`
    insert into queues (domain, name, number, strategy, require_language, skills, ring_timeout_sec, max_wait_sec, wrap_up_sec,
                        tier_wait_sec, no_agent_no_wait, max_waiting, overflow)
    values (${v.domain}, ${v.name}, ${v.number}, ${v.strategy}::queue_strategy, ${v.requireLanguage}, ${v.skills}::text[],
            ${v.ringTimeoutSec}::real, ${v.maxWaitSec}::real, ${v.wrapUpSec}::real, ${v.tierWaitSec}::real, ${v.noAgentNoWait},
            ${v.maxWaiting}::int, ${routeText(v.overflow)}::text::jsonb)
    returning id`;
  await replaceQueueMembers(sql, row!.id, members);
  return (await queueById(sql, row!.id))!;
}

/** Writes every configurable field; `members`, when given, replace the list. */
export async function updateQueue(sql: Sql, id: string, values: QueueValues, members?: readonly QueueMemberRecord[]): Promise<QueueRecord | undefined> {
  const v = values;
  const rows = await sql`
    update queues
       set domain = ${v.domain}, name = ${v.name}, number = ${v.number}, strategy = ${v.strategy}::queue_strategy,
           require_language = ${v.requireLanguage}, skills = ${v.skills}::text[], ring_timeout_sec = ${v.ringTimeoutSec}::real,
           max_wait_sec = ${v.maxWaitSec}::real, wrap_up_sec = ${v.wrapUpSec}::real, tier_wait_sec = ${v.tierWaitSec}::real,
           no_agent_no_wait = ${v.noAgentNoWait}, max_waiting = ${v.maxWaiting}::int, overflow = ${routeText(v.overflow)}::text::jsonb, updated_at = now()
     where id = ${id}
    returning id`;
  if (rows.length === 0) return undefined;
  if (members) await replaceQueueMembers(sql, id, members);
  return queueById(sql, id);
}

export async function replaceQueueMembers(sql: Sql, queueId: string, members: readonly QueueMemberRecord[]): Promise<void> {
  await sql`delete from queue_members where queue_id = ${queueId}`;
  if (members.length === 0) return;
  await sql`
    insert into queue_members (queue_id, agent_id, tier, position, penalty)
    select ${queueId}::uuid, agent_id, tier, position, penalty
      from unnest(${members.map((m) => m.agentId)}::uuid[], ${members.map((m) => m.tier)}::int[],
                  ${members.map((m) => m.position)}::int[], ${members.map((m) => m.penalty)}::int[])
           as u(agent_id, tier, position, penalty)`;
}

export async function deleteQueue(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`delete from queues where id = ${id} returning id`;
  return rows.length > 0;
}

export async function queueById(sql: Sql, id: string, lock: RowLock = 'none'): Promise<QueueRecord | undefined> {
  const rows = await sql<QueueRow[]>`select ${sql.unsafe(queueColumns)} from queues where id = ${id} ${sql.unsafe(lockClause(lock))}`;
  return (await withQueueMembers(sql, [...rows]))[0];
}

export type DestinationFilter = { domain?: string | undefined };

/** Newest first, with their members; `limit + 1` rows, so the caller knows whether another page follows. */
export async function listQueues(sql: Sql, filter: DestinationFilter, page: PageRequest): Promise<QueueRecord[]> {
  const rows = await sql<QueueRow[]>`
    select ${sql.unsafe(queueColumns)} from queues
     where (${filter.domain ?? null}::text is null or domain = ${filter.domain ?? null}::text)
       and (${page.after?.createdAt ?? null}::timestamptz is null
            or (created_at, id) < (${page.after?.createdAt ?? null}::timestamptz, ${page.after?.id ?? null}::uuid))
     order by created_at desc, id desc
     limit ${page.limit + 1}`;
  return withQueueMembers(sql, [...rows]);
}

// ---------------------------------------------------------------------------------------------------------------------
// Ring groups

export type RingGroupValues = {
  domain: string;
  name: string;
  number: string;
  strategy: RingGroupStrategy;
  ringTimeoutSec: number;
  totalTimeoutSec: number;
  failover: Route | null;
};

/** What a new ring group gets for the fields left out: the columns' own defaults. */
export const newRingGroupDefaults = {
  ringTimeoutSec: ringGroups.ringTimeoutSec.default as number,
  totalTimeoutSec: ringGroups.totalTimeoutSec.default as number,
  failover: null,
} satisfies Partial<RingGroupValues>;

/** `members` are agent ids in ring order (stored with position = index). */
export type RingGroupRecord = RingGroupValues & { id: string; createdAt: string; updatedAt: string; members: string[] };

const ringGroupColumns = `id, domain, name, number, strategy, ring_timeout_sec as "ringTimeoutSec",
  total_timeout_sec as "totalTimeoutSec", failover::text as failover, ${exact('created_at')} as "createdAt", ${exact('updated_at')} as "updatedAt"`;

type RingGroupRow = Omit<RingGroupRecord, 'members' | 'failover'> & { failover: string | null };

async function withRingGroupMembers(sql: Sql, rows: RingGroupRow[]): Promise<RingGroupRecord[]> {
  if (rows.length === 0) return [];
  const members = await sql<{ ringGroupId: string; agentId: string }[]>`
    select ring_group_id as "ringGroupId", agent_id as "agentId"
      from ring_group_members where ring_group_id = any(${rows.map((r) => r.id)}::uuid[])
     order by position, agent_id`;
  return rows.map((row) => ({
    ...row,
    failover: parseRoute(row.failover),
    members: members.filter((m) => m.ringGroupId === row.id).map((m) => m.agentId),
  }));
}

export async function insertRingGroup(sql: Sql, values: RingGroupValues, members: readonly string[]): Promise<RingGroupRecord> {
  const v = values;
  const [row] = await sql<RingGroupRow[]>`
    insert into ring_groups (domain, name, number, strategy, ring_timeout_sec, total_timeout_sec, failover)
    values (${v.domain}, ${v.name}, ${v.number}, ${v.strategy}::ring_group_strategy, ${v.ringTimeoutSec}::real,
            ${v.totalTimeoutSec}::real, ${routeText(v.failover)}::text::jsonb)
    returning id`;
  await replaceRingGroupMembers(sql, row!.id, members);
  return (await ringGroupById(sql, row!.id))!;
}

export async function updateRingGroup(sql: Sql, id: string, values: RingGroupValues, members?: readonly string[]): Promise<RingGroupRecord | undefined> {
  const v = values;
  const rows = await sql`
    update ring_groups
       set domain = ${v.domain}, name = ${v.name}, number = ${v.number}, strategy = ${v.strategy}::ring_group_strategy,
           ring_timeout_sec = ${v.ringTimeoutSec}::real, total_timeout_sec = ${v.totalTimeoutSec}::real,
           failover = ${routeText(v.failover)}::text::jsonb, updated_at = now()
     where id = ${id}
    returning id`;
  if (rows.length === 0) return undefined;
  if (members) await replaceRingGroupMembers(sql, id, members);
  return ringGroupById(sql, id);
}

/** Replaces the members; each one's position is its index in the list. */
export async function replaceRingGroupMembers(sql: Sql, ringGroupId: string, agentIds: readonly string[]): Promise<void> {
  await sql`delete from ring_group_members where ring_group_id = ${ringGroupId}`;
  if (agentIds.length === 0) return;
  await sql`
    insert into ring_group_members (ring_group_id, agent_id, position)
    select ${ringGroupId}::uuid, agent_id, (n - 1)::int
      from unnest(${[...agentIds]}::uuid[]) with ordinality as u(agent_id, n)`;
}

export async function deleteRingGroup(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`delete from ring_groups where id = ${id} returning id`;
  return rows.length > 0;
}

export async function ringGroupById(sql: Sql, id: string, lock: RowLock = 'none'): Promise<RingGroupRecord | undefined> {
  const rows = await sql<RingGroupRow[]>`select ${sql.unsafe(ringGroupColumns)} from ring_groups where id = ${id} ${sql.unsafe(lockClause(lock))}`;
  return (await withRingGroupMembers(sql, [...rows]))[0];
}

export async function listRingGroups(sql: Sql, filter: DestinationFilter, page: PageRequest): Promise<RingGroupRecord[]> {
  const rows = await sql<RingGroupRow[]>`
    select ${sql.unsafe(ringGroupColumns)} from ring_groups
     where (${filter.domain ?? null}::text is null or domain = ${filter.domain ?? null}::text)
       and (${page.after?.createdAt ?? null}::timestamptz is null
            or (created_at, id) < (${page.after?.createdAt ?? null}::timestamptz, ${page.after?.id ?? null}::uuid))
     order by created_at desc, id desc
     limit ${page.limit + 1}`;
  return withRingGroupMembers(sql, [...rows]);
}

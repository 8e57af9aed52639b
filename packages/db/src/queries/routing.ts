// The worker's SQL: claim a routing domain, load what rebuilds its engine, and write each decision's effects behind the
// ownership fence. postgres.js with array parameters (not Drizzle's builder): these run on every decision, and a
// statement whose text never changes is prepared once per connection.
import type postgres from 'postgres';

type Sql = postgres.Sql | postgres.TransactionSql;

/** This worker's epoch is no longer the domain's: another worker took it over, so nothing of this decision may be written. */
export class FencedError extends Error {
  constructor(readonly domain: string, readonly epoch: number) {
    super(`routing domain ${domain}: epoch ${epoch} is no longer the owner's (another worker took the domain over)`);
    this.name = 'FencedError';
  }
}

export type DomainClaim = {
  epoch: number;
  randomState: number;
  nextSequence: number;
  appliedPartition: number | null;
  appliedOffset: number | null;
  /** The Kafka log (cluster id) `appliedOffset` is in; null when written before it was recorded. */
  appliedLog: string | null;
  /** How far the domain's call events were published (`routing_domains.published_tx`, an xid8 as text). */
  publishedTx: string;
};

/**
 * Takes the domain over: a higher epoch fences every earlier owner. The row lock waits for a decision the previous
 * owner has in flight, so that decision either committed before the claim or fails the fence after it.
 */
export async function claimDomain(sql: Sql, domain: string, owner: string): Promise<DomainClaim> {
  await sql`insert into routing_domains (name) values (${domain}) on conflict (name) do nothing`;
  const [row] = await sql<DomainClaim[]>`
    update routing_domains set epoch = epoch + 1, owner = ${owner}, updated_at = now() where name = ${domain}
    returning epoch::float8 as epoch, random_state::float8 as "randomState", next_sequence::float8 as "nextSequence",
              applied_partition as "appliedPartition", applied_offset::float8 as "appliedOffset", applied_log as "appliedLog", published_tx::text as "publishedTx"`;
  return row!;
}

/** The domain's saved engine counters, if `epoch` still owns it (after a failed write, to rebuild without a new claim). */
export async function readOwnedDomain(sql: Sql, domain: string, epoch: number): Promise<DomainClaim | undefined> {
  const [row] = await sql<DomainClaim[]>`
    select epoch::float8 as epoch, random_state::float8 as "randomState", next_sequence::float8 as "nextSequence",
           applied_partition as "appliedPartition", applied_offset::float8 as "appliedOffset", applied_log as "appliedLog", published_tx::text as "publishedTx"
      from routing_domains where name = ${domain} and epoch = ${epoch}`;
  return row;
}

/** Which of these `routing.action` requests were applied already (by this worker or an earlier owner). */
export async function appliedRequests(sql: Sql, requestIds: readonly string[]): Promise<Set<string>> {
  if (requestIds.length === 0) return new Set();
  const rows = await sql<{ requestId: string }[]>`
    select request_id as "requestId" from applied_routing_actions where request_id = any(${requestIds as string[]}::uuid[])`;
  return new Set(rows.map((r) => r.requestId));
}

/** Forgets applied requests older than a day: a copy sent again comes within seconds of the first. */
export async function pruneAppliedRequests(sql: Sql): Promise<number> {
  const rows = await sql`delete from applied_routing_actions where applied_at < now() - interval '1 day' returning 1`;
  return rows.length;
}

/** Calls by id with their status: a redelivered `call.requested` for a call no longer `received` changes nothing. */
export async function callStatuses(sql: Sql, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: string; status: string }[]>`select id, status from calls where id = any(${ids as string[]}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** Whether the domain's configuration has this queue or ring group now. */
export async function destinationExists(sql: Sql, domain: string, destination: { kind: 'queue' | 'ring_group'; id: string }): Promise<boolean> {
  const [row] =
    destination.kind === 'queue'
      ? await sql<{ found: boolean }[]>`select exists (select 1 from queues where id = ${destination.id} and domain = ${domain}) as found`
      : await sql<{ found: boolean }[]>`select exists (select 1 from ring_groups where id = ${destination.id} and domain = ${domain}) as found`;
  return row!.found;
}

export async function listDomains(sql: Sql): Promise<string[]> {
  return (await sql<{ name: string }[]>`select name from routing_domains order by name`).map((r) => r.name);
}

export type AgentRow = {
  id: string; languages: string[]; skills: string[]; state: string; currentCallId: string | null;
  callsAnswered: number; talkTimeSec: number;
  /** Seconds since the epoch, or null. */
  lastCallEndedAt: number | null; availableSince: number | null; answeredAt: number | null;
};
export type QueueRow = {
  id: string; strategy: string; requireLanguage: boolean; skills: string[]; ringTimeoutSec: number; maxWaitSec: number | null;
  wrapUpSec: number; tierWaitSec: number | null; noAgentNoWait: boolean; maxWaiting: number | null; overflow: { kind: string; id?: string } | null;
  lastRungAgentId: string | null;
};
export type QueueMemberRow = { queueId: string; agentId: string; tier: number; position: number; penalty: number };
export type RingGroupRow = {
  id: string; strategy: string; ringTimeoutSec: number; totalTimeoutSec: number; failover: { kind: string; id?: string } | null;
  lastRungAgentId: string | null;
};
export type RingGroupMemberRow = { ringGroupId: string; agentId: string; position: number };
export type LiveCallRow = { id: string; status: string; routing: Record<string, unknown>; lastSequence: number };
export type TimerRow = { key: string; fireAt: number; input: Record<string, unknown> };
/** When an agent ringing for a live call now started ringing for it (seconds since the epoch). */
export type RingStartRow = { callId: string; agentId: string; rungAt: number };
/** One of a queue's last answered and ended calls, oldest first: the wait estimate's handle time. */
export type HandledCallRow = { queueId: string; ringToAnswerSec: number; ringToEndSec: number };

/** How many of a queue's last answered calls the handle time of the wait estimate is the mean of. */
export const handleTimeWindowCalls = 100;

export type DomainRows = {
  agents: AgentRow[]; queues: QueueRow[]; queueMembers: QueueMemberRow[]; ringGroups: RingGroupRow[];
  ringGroupMembers: RingGroupMemberRow[]; calls: LiveCallRow[]; timers: TimerRow[]; ringStarts: RingStartRow[]; handledCalls: HandledCallRow[];
};

const seconds = (column: string) => `extract(epoch from ${column})::float8`;

/** Everything the engine needs for the domain, read in one snapshot so configuration and live calls agree. */
export async function loadDomain(sql: postgres.Sql, domain: string): Promise<DomainRows> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const [agents, queues, queueMembers, ringGroups, ringGroupMembers, calls, timers, ringStarts, handledCalls] = await Promise.all([
      tx<AgentRow[]>`
        select id, languages, skills, state, current_call_id as "currentCallId", calls_answered as "callsAnswered",
               talk_time_sec as "talkTimeSec", ${tx.unsafe(seconds('last_call_ended_at'))} as "lastCallEndedAt",
               ${tx.unsafe(seconds('available_since'))} as "availableSince", ${tx.unsafe(seconds('answered_at'))} as "answeredAt"
          from agents where domain = ${domain} order by created_at, id`,
      tx<QueueRow[]>`
        select id, strategy, require_language as "requireLanguage", skills, ring_timeout_sec::float8 as "ringTimeoutSec",
               max_wait_sec::float8 as "maxWaitSec", wrap_up_sec::float8 as "wrapUpSec", tier_wait_sec::float8 as "tierWaitSec",
               no_agent_no_wait as "noAgentNoWait", max_waiting as "maxWaiting", overflow, last_rung_agent_id as "lastRungAgentId"
          from queues where domain = ${domain} order by created_at, id`,
      tx<QueueMemberRow[]>`
        select m.queue_id as "queueId", m.agent_id as "agentId", m.tier, m.position, m.penalty
          from queue_members m join queues q on q.id = m.queue_id where q.domain = ${domain} order by m.queue_id, m.position, m.agent_id`,
      tx<RingGroupRow[]>`
        select id, strategy, ring_timeout_sec::float8 as "ringTimeoutSec", total_timeout_sec::float8 as "totalTimeoutSec", failover,
               last_rung_agent_id as "lastRungAgentId"
          from ring_groups where domain = ${domain} order by created_at, id`,
      tx<RingGroupMemberRow[]>`
        select m.ring_group_id as "ringGroupId", m.agent_id as "agentId", m.position
          from ring_group_members m join ring_groups g on g.id = m.ring_group_id where g.domain = ${domain} order by m.ring_group_id, m.position`,
      tx<LiveCallRow[]>`
        select c.id, c.status, c.routing, (select max(e.sequence) from call_events e where e.call_id = c.id) as "lastSequence"
          from calls c
         where c.domain = ${domain} and c.status in ('queued', 'ringing', 'answered') and c.routing is not null`,
      tx<TimerRow[]>`select key, ${tx.unsafe(seconds('fire_at'))} as "fireAt", input from routing_timers where domain = ${domain}`,
      // The last `call.ringing` naming each agent of each call ringing now: when that agent's ring began.
      tx<RingStartRow[]>`
        select e.call_id as "callId", r.agent_id as "agentId", max(${tx.unsafe(seconds('e.occurred_at'))}) as "rungAt"
          from calls c
          join call_events e on e.call_id = c.id and e.type = 'call.ringing'
          cross join lateral jsonb_array_elements_text(e.data -> 'agentIds') as r(agent_id)
         where c.domain = ${domain} and c.status = 'ringing'
         group by e.call_id, r.agent_id`,
      tx<HandledCallRow[]>`
        select q.id as "queueId", h."ringToAnswerSec", h."ringToEndSec"
          from queues q
          cross join lateral (
            select extract(epoch from v.answered_at - v.rung_at)::float8 as "ringToAnswerSec",
                   extract(epoch from v.ended_at - v.rung_at)::float8 as "ringToEndSec", v.ended_at
              from destination_visits v
             where v.destination_id = q.id and v.rung_at is not null and v.ended_at is not null
             order by v.ended_at desc limit ${handleTimeWindowCalls}) as h
         where q.domain = ${domain}
         order by q.id, h.ended_at`,
    ]);
    return { agents, queues, queueMembers, ringGroups, ringGroupMembers, calls, timers, ringStarts, handledCalls };
  });
}

export type CallWrite = {
  id: string; status: string; agentId: string | null; reason: string | null; currentDestinationId: string | null;
  /** Null once the call is terminal. */
  routing: Record<string, unknown> | null;
};
export type AgentWrite = {
  id: string; state: string; currentCallId: string | null; callsAnswered: number; talkTimeSec: number;
  lastCallEndedAt: number | null; availableSince: number | null; answeredAt: number | null;
};
export type DestinationWrite = { id: string; lastRungAgentId: string | null };
/** Times in seconds since the epoch (the engine's clock). */
export type VisitChange = {
  answeredAt: number | null; agentId: string | null;
  /** When the answering agent's phone started ringing (set with `answeredAt`). */
  rungAt: number | null;
  endedAt: number | null; outcome: string | null;
};
/** A visit a decision opened (possibly answered and ended in the same decision). */
export type VisitOpened = VisitChange & { callId: string; destinationKind: string; destinationId: string; priority: number; enteredAt: number };
/** What a decision did to a call's visit already open before it. */
export type VisitUpdated = VisitChange & { callId: string };
/** A visit a decision changed, as stored after it (for the worker's metrics): where, and since when. */
export type VisitStored = {
  callId: string; destinationKind: string; destinationId: string; enteredAt: number; answeredAt: number | null; rungAt: number | null;
};
export type DecisionWrite = {
  domain: string;
  epoch: number;
  randomState: number;
  nextSequence: number;
  /** The last routing-inputs message applied: its partition, offset, and log (the Kafka cluster's id). */
  applied: { partition: number; offset: number; log: string } | null;
  /** How far the domain's call events are published now, when that moved since it was last saved (an xid8 as text). */
  publishedTx: string | null;
  calls: CallWrite[];
  agents: AgentWrite[];
  queues: DestinationWrite[];
  ringGroups: DestinationWrite[];
  timersSet: { key: string; fireAt: number; input: unknown }[];
  timersDeleted: string[];
  /** `routing.action` request ids applied by this decision (a later copy of one is skipped). */
  appliedRequests: string[];
  /** Calls' stays at destinations, for the statistics: open visits changed, then visits opened. */
  visits: { updated: VisitUpdated[]; opened: VisitOpened[] };
  /** NOTIFY payloads on `channel`, delivered only if the transaction commits. */
  notifications: { channel: string; payloads: string[] };
};

/**
 * First statement of every decision's transaction: saves the engine's counters and, by matching the epoch, proves this
 * worker still owns the domain. The row lock it takes also orders the decision against a concurrent claim, and the
 * domain's decisions against each other: each gets its transaction id here, so their ids rise in the order they
 * commit. Returns that id (an xid8 as text), which the decision's `call_events` rows carry as `tx_id`.
 */
export async function fenceDecision(sql: postgres.TransactionSql, write: DecisionWrite): Promise<string> {
  const rows = await sql<{ tx: string }[]>`
    update routing_domains
       set random_state = ${write.randomState}, next_sequence = ${write.nextSequence},
           applied_partition = coalesce(${write.applied?.partition ?? null}::int, applied_partition),
           applied_offset = coalesce(${write.applied?.offset ?? null}::bigint, applied_offset),
           applied_log = coalesce(${write.applied?.log ?? null}::text, applied_log),
           published_tx = greatest(published_tx, coalesce(${write.publishedTx}::xid8, published_tx)),
           updated_at = now()
     where name = ${write.domain} and epoch = ${write.epoch}
    returning pg_current_xact_id()::text as tx`;
  if (rows.length === 0) throw new FencedError(write.domain, write.epoch);
  return rows[0]!.tx;
}

/**
 * Saves how far the domain's call events are published when no decision came to carry it. Never moves it back, and
 * only for the epoch that owns the domain. Returns whether it was written.
 */
/**
 * Moves the domain's published position up to this statement's own transaction, for the epoch that owns it. Only
 * when every decision of the domain committed so far is acknowledged and none is in flight: any decision after it then
 * gets a larger id. Returns the new position, or null if `epoch` no longer owns the domain.
 */
export async function advancePublishedPosition(sql: Sql, domain: string, epoch: number): Promise<string | null> {
  const [row] = await sql<{ tx: string }[]>`
    update routing_domains set published_tx = pg_current_xact_id()
     where name = ${domain} and epoch = ${epoch}
    returning published_tx::text as tx`;
  return row?.tx ?? null;
}

export async function savePublishedPosition(sql: Sql, domain: string, epoch: number, publishedTx: string): Promise<boolean> {
  const rows = await sql`
    update routing_domains set published_tx = ${publishedTx}::xid8
     where name = ${domain} and epoch = ${epoch} and published_tx < ${publishedTx}::xid8
    returning 1`;
  return rows.length > 0;
}

/**
 * The state a decision left behind: calls, agents, round-robin memories, timers and visits, pipelined in one round trip.
 * Returns where the visits it updated are, and since when (the decision knew only their calls).
 */
export async function writeDecision(sql: postgres.TransactionSql, write: DecisionWrite): Promise<{ visitsUpdated: VisitStored[] }> {
  const statements: Promise<unknown>[] = [];
  let visitsUpdated: Promise<VisitStored[]> = Promise.resolve([]);
  const { calls, agents, timersSet, timersDeleted } = write;
  if (calls.length) {
    statements.push(sql`
      update calls c
         set status = u.status::call_status, agent_id = coalesce(u.agent_id, c.agent_id), reason = coalesce(u.reason, c.reason),
             current_destination_id = coalesce(u.destination_id, c.current_destination_id), routing = u.routing::jsonb, updated_at = now()
        from unnest(${calls.map((c) => c.id)}::uuid[], ${calls.map((c) => c.status)}::text[], ${calls.map((c) => c.agentId)}::uuid[],
                    ${calls.map((c) => c.reason)}::text[], ${calls.map((c) => c.currentDestinationId)}::uuid[],
                    ${calls.map((c) => (c.routing ? JSON.stringify(c.routing) : null))}::text[])
             as u(id, status, agent_id, reason, destination_id, routing)
       where c.id = u.id`);
  }
  if (agents.length) {
    // Each change of state is kept too (PostgreSQL 18's RETURNING old/new): occupancy is read from that history.
    statements.push(sql`
      with changed as (
        update agents a
           set state = u.state::agent_state,
               state_changed_at = case when a.state = u.state::agent_state then a.state_changed_at else now() end,
               current_call_id = u.current_call_id, calls_answered = u.calls_answered, talk_time_sec = u.talk_time_sec,
               last_call_ended_at = to_timestamp(u.last_call_ended_at), available_since = to_timestamp(u.available_since),
               answered_at = to_timestamp(u.answered_at), updated_at = now()
          from unnest(${agents.map((a) => a.id)}::uuid[], ${agents.map((a) => a.state)}::text[], ${agents.map((a) => a.currentCallId)}::uuid[],
                      ${agents.map((a) => a.callsAnswered)}::int[], ${agents.map((a) => a.talkTimeSec)}::float8[],
                      ${agents.map((a) => a.lastCallEndedAt)}::float8[], ${agents.map((a) => a.availableSince)}::float8[],
                      ${agents.map((a) => a.answeredAt)}::float8[])
               as u(id, state, current_call_id, calls_answered, talk_time_sec, last_call_ended_at, available_since, answered_at)
         where a.id = u.id
        returning a.id, old.state as from_state, new.state as to_state)
      insert into agent_state_changes (agent_id, from_state, to_state, changed_at)
      select id, from_state, to_state, now() from changed where from_state <> to_state`);
  }
  for (const [table, rows] of [['queues', write.queues], ['ring_groups', write.ringGroups]] as const) {
    if (!rows.length) continue;
    statements.push(sql`
      update ${sql(table)} d set last_rung_agent_id = u.agent_id
        from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.lastRungAgentId)}::uuid[]) as u(id, agent_id)
       where d.id = u.id`);
  }
  if (timersDeleted.length) {
    statements.push(sql`delete from routing_timers where domain = ${write.domain} and key = any(${timersDeleted}::text[])`);
  }
  if (timersSet.length) {
    statements.push(sql`
      insert into routing_timers (domain, key, fire_at, input)
      select ${write.domain}, key, to_timestamp(fire_at), input::jsonb
        from unnest(${timersSet.map((t) => t.key)}::text[], ${timersSet.map((t) => t.fireAt)}::float8[],
                    ${timersSet.map((t) => JSON.stringify(t.input))}::text[]) as u(key, fire_at, input)
      on conflict (domain, key) do update set fire_at = excluded.fire_at, input = excluded.input`);
  }
  // Updates first: a visit ended here frees its call's one open visit for one opened next (an overflow).
  const { updated, opened } = write.visits;
  if (updated.length) {
    visitsUpdated = sql<VisitStored[]>`
      update destination_visits v
         set answered_at = coalesce(to_timestamp(u.answered_at), v.answered_at), agent_id = coalesce(u.agent_id, v.agent_id),
             rung_at = coalesce(to_timestamp(u.rung_at), v.rung_at), ended_at = to_timestamp(u.ended_at), outcome = u.outcome
        from unnest(${updated.map((v) => v.callId)}::uuid[], ${updated.map((v) => v.answeredAt)}::float8[], ${updated.map((v) => v.agentId)}::uuid[],
                    ${updated.map((v) => v.rungAt)}::float8[], ${updated.map((v) => v.endedAt)}::float8[], ${updated.map((v) => v.outcome)}::text[])
             as u(call_id, answered_at, agent_id, rung_at, ended_at, outcome)
       where v.call_id = u.call_id and v.ended_at is null
      returning v.call_id as "callId", v.destination_kind::text as "destinationKind", v.destination_id as "destinationId",
                extract(epoch from v.entered_at)::float8 as "enteredAt", extract(epoch from v.answered_at)::float8 as "answeredAt",
                extract(epoch from v.rung_at)::float8 as "rungAt"`;
    statements.push(visitsUpdated);
  }
  if (opened.length) {
    statements.push(sql`
      insert into destination_visits (call_id, destination_kind, destination_id, priority, entered_at, answered_at, agent_id, rung_at, ended_at, outcome)
      select call_id, kind::destination_kind, destination_id, priority, to_timestamp(entered_at), to_timestamp(answered_at), agent_id,
             to_timestamp(rung_at), to_timestamp(ended_at), outcome
        from unnest(${opened.map((v) => v.callId)}::uuid[], ${opened.map((v) => v.destinationKind)}::text[], ${opened.map((v) => v.destinationId)}::uuid[],
                    ${opened.map((v) => v.priority)}::int[], ${opened.map((v) => v.enteredAt)}::float8[], ${opened.map((v) => v.answeredAt)}::float8[],
                    ${opened.map((v) => v.agentId)}::uuid[], ${opened.map((v) => v.rungAt)}::float8[], ${opened.map((v) => v.endedAt)}::float8[],
                    ${opened.map((v) => v.outcome)}::text[])
             as u(call_id, kind, destination_id, priority, entered_at, answered_at, agent_id, rung_at, ended_at, outcome)`);
  }
  if (write.appliedRequests.length) {
    statements.push(sql`
      insert into applied_routing_actions (request_id, domain)
      select r, ${write.domain} from unnest(${write.appliedRequests}::uuid[]) as r on conflict do nothing`);
  }
  if (write.notifications.payloads.length) {
    statements.push(sql`select pg_notify(${write.notifications.channel}, p) from unnest(${write.notifications.payloads}::text[]) as p`);
  }
  await Promise.all(statements);
  return { visitsUpdated: await visitsUpdated };
}

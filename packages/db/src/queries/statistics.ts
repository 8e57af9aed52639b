// A destination's statistics from `destination_visits` (and its members' states): one read-only snapshot, four
// statements pipelined. The window reads the visits by (destination, entered_at), so its cost follows the calls in the
// window, not the calls stored.
import type postgres from 'postgres';

export type StatisticsOptions = { windowSec: number; serviceLevelSec: number; waitThresholdsSec: readonly number[] };

export type DestinationFigures = {
  /** ISO 8601 timestamps. */
  at: string;
  since: string;
  now: { waiting: number; longestWaitSec: number | null; waitingByPriority: { priority: number; waiting: number }[]; agents: Record<string, number> };
  window: {
    offered: number;
    answered: number;
    abandoned: number;
    unanswered: number;
    overflowed: number;
    failed: number;
    stillWaiting: number;
    averageWaitSec: number | null;
    longestWaitSec: number | null;
    averageSpeedOfAnswerSec: number | null;
    averageTalkSec: number | null;
    answeredWithinServiceLevel: number;
    abandonedWithinServiceLevel: number;
    waits: { withinSec: number; answered: number; abandoned: number }[];
  };
};

const waited = `extract(epoch from coalesce(answered_at, ended_at) - entered_at)`;

export async function destinationFigures(
  sql: postgres.Sql,
  destination: { kind: 'queue' | 'ring_group'; id: string },
  options: StatisticsOptions,
): Promise<DestinationFigures> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const [[clock], [now], byPriority, agents, [window], waits] = await Promise.all([
      tx<{ at: string; since: string }[]>`
        select to_json(now()) #>> '{}' as at, to_json(now() - make_interval(secs => ${options.windowSec})) #>> '{}' as since`,
      tx<{ waiting: number; longestWaitSec: number | null }[]>`
        select count(*)::int as waiting, extract(epoch from now() - min(entered_at))::float8 as "longestWaitSec"
          from destination_visits where destination_id = ${destination.id} and ended_at is null and answered_at is null`,
      tx<{ priority: number; waiting: number }[]>`
        select priority, count(*)::int as waiting
          from destination_visits where destination_id = ${destination.id} and ended_at is null and answered_at is null
         group by priority order by priority desc`,
      destination.kind === 'queue'
        ? tx<{ state: string; n: number }[]>`
            select a.state::text as state, count(*)::int as n from queue_members m join agents a on a.id = m.agent_id
             where m.queue_id = ${destination.id} group by a.state`
        : tx<{ state: string; n: number }[]>`
            select a.state::text as state, count(*)::int as n from ring_group_members m join agents a on a.id = m.agent_id
             where m.ring_group_id = ${destination.id} group by a.state`,
      tx<DestinationFigures['window'][]>`
        select count(*)::int as offered,
               count(answered_at)::int as answered,
               count(*) filter (where outcome = 'abandoned')::int as abandoned,
               count(*) filter (where outcome = 'unanswered')::int as unanswered,
               count(*) filter (where outcome = 'overflowed')::int as overflowed,
               count(*) filter (where outcome = 'failed')::int as failed,
               count(*) filter (where answered_at is null and ended_at is null)::int as "stillWaiting",
               avg(${tx.unsafe(waited)})::float8 as "averageWaitSec",
               max(extract(epoch from coalesce(answered_at, ended_at, now()) - entered_at))::float8 as "longestWaitSec",
               avg(extract(epoch from answered_at - entered_at))::float8 as "averageSpeedOfAnswerSec",
               avg(extract(epoch from ended_at - answered_at)) filter (where outcome = 'completed')::float8 as "averageTalkSec",
               count(*) filter (where answered_at - entered_at <= make_interval(secs => ${options.serviceLevelSec}))::int as "answeredWithinServiceLevel",
               count(*) filter (where outcome = 'abandoned' and ended_at - entered_at <= make_interval(secs => ${options.serviceLevelSec}))::int
                 as "abandonedWithinServiceLevel"
          from destination_visits
         where destination_id = ${destination.id} and entered_at >= now() - make_interval(secs => ${options.windowSec})`,
      tx<{ withinSec: number; answered: number; abandoned: number }[]>`
        select t.sec::int as "withinSec",
               count(v.entered_at) filter (where v.answered_at - v.entered_at <= make_interval(secs => t.sec))::int as answered,
               count(v.entered_at) filter (where v.outcome = 'abandoned' and v.ended_at - v.entered_at <= make_interval(secs => t.sec))::int as abandoned
          from unnest(${options.waitThresholdsSec as number[]}::float8[]) as t(sec)
          left join destination_visits v
            on v.destination_id = ${destination.id} and v.entered_at >= now() - make_interval(secs => ${options.windowSec})
         group by t.sec order by t.sec`,
    ]);
    return {
      at: clock!.at,
      since: clock!.since,
      now: { ...now!, waitingByPriority: byPriority, agents: Object.fromEntries(agents.map((a) => [a.state, a.n])) },
      window: { ...window!, waits },
    };
  });
}

/** What waits at each destination now, and agents by state per routing domain: the gauges of call-api's /metrics. */
export async function liveRoutingFigures(sql: postgres.Sql): Promise<{
  destinations: { kind: string; id: string; waiting: number; longestWaitSec: number }[];
  agents: { domain: string; state: string; n: number }[];
}> {
  const [destinations, agents] = await Promise.all([
    sql<{ kind: string; id: string; waiting: number; longestWaitSec: number }[]>`
      select destination_kind::text as kind, destination_id as id, count(*)::int as waiting,
             extract(epoch from now() - min(entered_at))::float8 as "longestWaitSec"
        from destination_visits where ended_at is null and answered_at is null
       group by destination_kind, destination_id`,
    sql<{ domain: string; state: string; n: number }[]>`select domain, state::text as state, count(*)::int as n from agents group by domain, state`,
  ]);
  return { destinations, agents };
}

export type AgentFigures = {
  /** ISO 8601 timestamps. */
  at: string;
  since: string;
  answered: number;
  completed: number;
  talkSec: number;
  noAnswers: number;
  declines: number;
  /** Seconds per state over the window (from the agent's creation when later), from `agent_state_changes`. */
  timeInStateSec: Record<string, number>;
};

/**
 * An agent's figures over the last `windowSec`, in one read-only snapshot: answered calls and their talk from
 * `destination_visits` (by agent and answer time, an index), no-answers and declines from `call_events` (only those
 * two types are indexed, by time), and the time in each state from `agent_state_changes`: the state at the window's
 * start (the last change before it, else the first change's `from_state`, else the state now), then each change.
 */
export async function agentFigures(sql: postgres.Sql, agentId: string, windowSec: number): Promise<AgentFigures> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const [[clock], [calls], [misses], states] = await Promise.all([
      tx<{ at: string; since: string }[]>`
        select to_json(now()) #>> '{}' as at, to_json(now() - make_interval(secs => ${windowSec})) #>> '{}' as since`,
      tx<{ answered: number; completed: number; talkSec: number }[]>`
        select count(*)::int as answered, count(ended_at)::int as completed,
               coalesce(sum(extract(epoch from ended_at - answered_at)), 0)::float8 as "talkSec"
          from destination_visits
         where agent_id = ${agentId} and answered_at >= now() - make_interval(secs => ${windowSec})`,
      tx<{ noAnswers: number; declines: number }[]>`
        select count(*) filter (where type = 'call.no_answer')::int as "noAnswers", count(*) filter (where type = 'call.declined')::int as declines
          from call_events
         where type in ('call.no_answer', 'call.declined') and occurred_at >= now() - make_interval(secs => ${windowSec})
           and ((type = 'call.no_answer' and data -> 'agentIds' @> jsonb_build_array(${agentId}::text))
                or (type = 'call.declined' and data ->> 'agentId' = ${agentId}::text))`,
      tx<{ state: string; seconds: number }[]>`
        with w as (
          select greatest(now() - make_interval(secs => ${windowSec}), a.created_at) as start, now() as stop, a.state as current
            from agents a where a.id = ${agentId}),
        initial as (
          select coalesce(
                   (select c.to_state from agent_state_changes c
                     where c.agent_id = ${agentId} and c.changed_at <= w.start order by c.changed_at desc, c.id desc limit 1),
                   (select c.from_state from agent_state_changes c
                     where c.agent_id = ${agentId} and c.changed_at > w.start order by c.changed_at, c.id limit 1),
                   w.current) as state
            from w),
        points as (
          select w.start as at, initial.state, 0::bigint as id from w, initial
          union all
          select c.changed_at, c.to_state, c.id from agent_state_changes c, w
           where c.agent_id = ${agentId} and c.changed_at > w.start and c.changed_at <= w.stop),
        segments as (select state, at, lead(at, 1, (select stop from w)) over (order by at, id) as until from points)
        select state::text as state, sum(extract(epoch from until - at))::float8 as seconds from segments group by state`,
    ]);
    return {
      at: clock!.at,
      since: clock!.since,
      ...calls!,
      ...misses!,
      timeInStateSec: Object.fromEntries(states.map((s) => [s.state, s.seconds])),
    };
  });
}

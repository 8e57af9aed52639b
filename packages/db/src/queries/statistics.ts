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

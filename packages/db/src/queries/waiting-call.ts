// Where a waiting call stands, for GET /calls/{id}: its calls ahead, its agents and its queue's handle times, read in
// one statement from what the worker committed. The same rule as the engine's `waitingPosition` (packages/routing).
import type postgres from 'postgres';
import { handleTimeWindowCalls } from './routing.ts';

export type WaitingCallFigures = {
  offered: boolean;
  callsAhead: number;
  agents: number;
  freeAgents: number;
  wrapUpSec: number;
  /** Of the queue's last answered and ended calls (at most `handleTimeWindowCalls`): how many, and their summed times. */
  handledCalls: number;
  ringToEndSum: number;
  ringToAnswerSum: number;
};

/** `language` (an agent's tag column or value) speaks `call` (both normalized as the engine does: lower case, `_` as `-`). */
const speaks = (agentTag: string, callTag: string) => `(
  lower(replace(${agentTag}, '_', '-')) = lower(replace(${callTag}, '_', '-'))
  or lower(replace(${callTag}, '_', '-')) like lower(replace(${agentTag}, '_', '-')) || '-%'
  or lower(replace(${agentTag}, '_', '-')) like lower(replace(${callTag}, '_', '-')) || '-%')`;

/**
 * The figures of the call's estimate, or undefined when it does not wait at a queue (answered, ended, at a ring group).
 * Calls ahead: calls waiting in line (status `queued`) at this queue or any queue one of its serving agents belongs
 * to, ranking before it (higher priority, then entered earlier), that such an agent may take (speaking the call's
 * language where that queue requires it). The scan reads open visits of those queues only (a partial index).
 */
export async function waitingCallFigures(sql: postgres.Sql, callId: string): Promise<WaitingCallFigures | undefined> {
  const [row] = await sql<WaitingCallFigures[]>`
    with me as (
      select c.id, c.language, c.status, c.created_at, v.destination_id as queue_id, v.priority, v.entered_at
        from calls c join destination_visits v on v.call_id = c.id and v.ended_at is null and v.answered_at is null
       where c.id = ${callId} and c.status in ('queued', 'ringing') and v.destination_kind = 'queue'),
    q as (select q.id, q.require_language, q.wrap_up_sec from queues q join me on q.id = me.queue_id),
    eligible as (
      select a.id, a.state, a.languages
        from q join queue_members m on m.queue_id = q.id join agents a on a.id = m.agent_id, me
       where a.state in ('available', 'ringing', 'on_call', 'wrap_up')
         and (not q.require_language or exists (select 1 from unnest(a.languages) as l(tag) where ${sql.unsafe(speaks('l.tag', 'me.language'))}))),
    handled as (
      select count(*)::int as n, coalesce(sum(extract(epoch from h.ended_at - h.rung_at)), 0)::float8 as ring_to_end,
             coalesce(sum(extract(epoch from h.answered_at - h.rung_at)), 0)::float8 as ring_to_answer
        from (select v.rung_at, v.answered_at, v.ended_at from destination_visits v, q
               where v.destination_id = q.id and v.rung_at is not null and v.ended_at is not null
               order by v.ended_at desc limit ${handleTimeWindowCalls}) as h)
    select me.status = 'ringing' as offered,
           case when me.status = 'ringing' then 0 else (
             select count(*)::int
               from destination_visits v2 join calls c2 on c2.id = v2.call_id join queues q2 on q2.id = v2.destination_id
              where v2.ended_at is null and v2.answered_at is null and v2.destination_kind = 'queue'
                and v2.destination_id in (select m2.queue_id from queue_members m2 where m2.agent_id in (select id from eligible))
                and c2.status = 'queued' and c2.id <> me.id
                and (v2.priority > me.priority
                     or (v2.priority = me.priority and (v2.entered_at, c2.created_at, c2.id) < (me.entered_at, me.created_at, me.id)))
                and exists (
                  select 1 from eligible e join queue_members m3 on m3.agent_id = e.id and m3.queue_id = v2.destination_id
                   where not q2.require_language
                      or exists (select 1 from unnest(e.languages) as l(tag) where ${sql.unsafe(speaks('l.tag', 'c2.language'))}))
           ) end as "callsAhead",
           (select count(*)::int from eligible) as agents,
           (select count(*)::int from eligible where state = 'available') as "freeAgents",
           q.wrap_up_sec::float8 as "wrapUpSec",
           handled.n as "handledCalls", handled.ring_to_end as "ringToEndSum", handled.ring_to_answer as "ringToAnswerSum"
      from me, q, handled`;
  return row;
}

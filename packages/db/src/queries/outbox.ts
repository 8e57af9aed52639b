// Writing outbox rows: the messages a transaction owes Kafka, committed with the state they describe.
import type postgres from 'postgres';
import type { outbox } from '../schema.ts';

export type OutboxRow = typeof outbox.$inferSelect;
export type OutboxMessage = Pick<typeof outbox.$inferInsert, 'topic' | 'key' | 'payload' | 'headers'>;

/**
 * Rows keep the order given (ids ascend with it), and the relay publishes in id order, so per-key order holds.
 * postgres.js with array parameters for the same reason as the event insert: one prepared statement for any batch.
 */
export async function insertOutbox(sql: postgres.TransactionSql, messages: readonly OutboxMessage[]): Promise<OutboxRow[]> {
  if (messages.length === 0) return [];
  const ids = await sql<{ id: string; createdAt: Date }[]>`
    insert into outbox (topic, key, payload, headers)
    select topic, key, payload::jsonb, headers::jsonb
      from unnest(${messages.map((m) => m.topic)}::text[], ${messages.map((m) => m.key)}::text[],
                  ${messages.map((m) => JSON.stringify(m.payload))}::text[], ${messages.map((m) => JSON.stringify(m.headers ?? {}))}::text[])
           with ordinality as u(topic, key, payload, headers, n)
     order by n
    returning id, created_at as "createdAt"`;
  return ids.map((r, i) => ({ ...messages[i]!, headers: messages[i]!.headers ?? {}, id: Number(r.id), createdAt: new Date(r.createdAt) }));
}

/** A claimed row as the relay sends it: the payload stays the JSON text it was stored as, never re-parsed. */
export type ClaimedOutboxRow = { id: string; topic: string; key: string; value: string; headers: Record<string, string> };
export type OutboxClaim = {
  /** The claim took as many rows as it may (`limit`): more of the same keys may wait, so claim again at once. */
  full: boolean;
  /** Deleted in the caller's transaction, in id order: send them, then commit (or roll back to give them back). */
  claimed: ClaimedOutboxRow[];
  /** Rows left alone because an older row of their key is held by another sender right now: try them again shortly. */
  blocked: number[];
};

/**
 * The rule both claims follow for the topics whose keys need their messages first sent in the order they were written
 * (`call-events`, key: call id): a row is claimed only together with, or after, every older row of its key. Rows another
 * sender holds are skipped (`skip locked`), and a row of ours that an older held row of its key precedes is left for
 * later (`blocked`), since that sender's send may still fail and put the older row back.
 *
 * Not for `routing-inputs`: its key is a routing domain, so the rule would make every claim of a domain wait for every
 * other (measured: end to end at 1,000/s went from tens of milliseconds to seconds). Its inputs need no such order: an
 * action is sent only after the decision it follows was committed, and the worker skips copies (call status, request id).
 */
const claimRule = (sql: postgres.TransactionSql, candidates: 'candidates' | 'due', orderedTopics: readonly string[]) => sql`
  , blocked as (
    select c.id from ${sql(candidates)} c
     where c.topic = any(${orderedTopics as string[]}::text[])
       and exists (select 1 from outbox p
                    where p.topic = c.topic and p.key = c.key and p.id < c.id
                      and not exists (select 1 from ${sql(candidates)} x where x.id = p.id)))
  , claimed as (
    delete from outbox o where o.id in (select id from ${sql(candidates)} except select id from blocked)
    returning o.id, o.topic, o.key, o.payload::text as value, o.headers)
  select id::text, topic, key, value, headers, false as "isBlocked" from claimed
  union all
  select id::text, null, null, null, null, true from blocked`;

function split(rows: (ClaimedOutboxRow & { isBlocked: boolean })[], limit: number): OutboxClaim {
  const claimed = rows.filter((r) => !r.isBlocked).map(({ isBlocked: _, ...row }) => row);
  claimed.sort((a, b) => Number(a.id) - Number(b.id));
  return { claimed, blocked: rows.filter((r) => r.isBlocked).map((r) => Number(r.id)), full: rows.length >= limit };
}

/**
 * The relay's fast path: the rows just committed and, for the ordered topics, the older rows their keys still owe (a
 * failed send's, a dead worker's), which go first; the oldest `limit` in all (one claim takes a batch, the next one the
 * following). postgres.js with array parameters: one prepared statement for any batch.
 */
export async function claimOutboxRows(
  sql: postgres.TransactionSql,
  rows: readonly Pick<OutboxRow, 'id' | 'topic' | 'key'>[],
  limit: number,
  orderedTopics: readonly string[],
): Promise<OutboxClaim> {
  const keys = [...new Map(rows.filter((r) => orderedTopics.includes(r.topic)).map((r) => [`${r.topic}\u0000${r.key}`, r])).values()];
  // The rows wanted are looked up by id and by (topic, key), each through its index, then locked in id order: one `or`
  // over both let the planner walk the whole outbox in id order, filtering, so a claim's cost grew with the backlog
  // (under overload, claims reached the 30 s statement timeout and the relays fell further behind).
  const result = await sql<(ClaimedOutboxRow & { isBlocked: boolean })[]>`
    with wanted as (
      select id from outbox where id = any(${rows.map((r) => r.id)}::bigint[])
      union
      select o.id from unnest(${keys.map((r) => r.topic)}::text[], ${keys.map((r) => r.key)}::text[]) as u(t, k)
        join outbox o on o.topic = u.t and o.key = u.k and o.id < ${Math.max(...rows.map((r) => Number(r.id)))}::bigint)
    , candidates as (
      select id, topic, key from outbox
       where id in (select id from wanted)
       order by id limit ${limit}
         for update skip locked)
    ${claimRule(sql, 'candidates', orderedTopics)}`;
  return split(result, limit);
}

/** The relay's sweep: rows older than `minAgeMs` (which the fast path missed or failed to send), oldest first. */
export async function claimDueOutboxRows(
  sql: postgres.TransactionSql,
  minAgeMs: number,
  limit: number,
  orderedTopics: readonly string[],
): Promise<OutboxClaim & { due: number }> {
  const result = await sql<(ClaimedOutboxRow & { isBlocked: boolean })[]>`
    with due as (
      select id, topic, key from outbox
       where created_at < now() - make_interval(secs => ${minAgeMs / 1000})
       order by id limit ${limit}
         for update skip locked)
    ${claimRule(sql, 'due', orderedTopics)}`;
  const claim = split(result, limit);
  return { ...claim, due: claim.claimed.length + claim.blocked.length };
}

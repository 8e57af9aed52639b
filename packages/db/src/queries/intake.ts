// What POST /call runs in its group-commit transaction: resolve dialed numbers, insert the calls, find replayed keys.
// postgres.js with array parameters rather than Drizzle's builder: each statement's text is the same for any batch
// size, so it is prepared once per connection, and the inserts pipeline in one round trip.
import { getTableColumns } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Destination } from '@switchboard/contracts';
import { calls } from '../schema.ts';
import type { CallRow } from './calls.ts';

type Sql = postgres.Sql | postgres.TransactionSql;

export type NewCall = Omit<typeof calls.$inferInsert, 'id'> & { id: string };
export type ResolvedDestination = Destination & { domain: string };

/** Every column of `calls` under its Drizzle name, from the schema, so these rows look like Drizzle's. */
const callColumns = Object.entries(getTableColumns(calls)).map(([key, column]) => `"${column.name}" as "${key}"`).join(', ');

/** Drizzle sets the shared client to hand timestamps over as text (it converts them itself); these rows skip Drizzle. */
const withDates = (row: CallRow): CallRow => ({ ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) });

/**
 * A number belongs to one queue or one ring group (the configuration API refuses a second); should rows made outside
 * it ever share one, the queue wins.
 */
export async function resolveDestinations(sql: Sql, numbers: string[]): Promise<Map<string, ResolvedDestination>> {
  const found = new Map<string, ResolvedDestination>();
  if (numbers.length === 0) return found;
  const rows = await sql<ResolvedDestination[]>`
    select 'ring_group' as kind, id, name, number, domain from ring_groups where number = any(${numbers}::text[])
    union all
    select 'queue' as kind, id, name, number, domain from queues where number = any(${numbers}::text[])`;
  for (const row of rows) if (row.kind === 'ring_group') found.set(row.number, { ...row });
  for (const row of rows) if (row.kind === 'queue') found.set(row.number, { ...row });
  return found;
}

/** One multi-row insert through unnest; an idempotency key already taken inserts nothing and returns nothing for that call. */
export async function insertCalls(sql: postgres.TransactionSql, rows: NewCall[]): Promise<CallRow[]> {
  const col = <T>(pick: (r: NewCall) => T) => rows.map(pick);
  // ON CONFLICT makes each row a speculative insertion (a WAL record more per call): only when a key may clash.
  const keyed = rows.some((r) => r.idempotencyKey != null);
  const inserted = await sql<CallRow[]>`
    insert into calls (id, "from", "to", language, type, priority, metadata, destination_id, destination_name, destination_number, idempotency_key, request_hash, domain, current_destination_id)
    select id, "from", "to", language, type::destination_kind, priority, metadata::jsonb, destination_id, destination_name, destination_number, idempotency_key, request_hash, domain, destination_id
      from unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.from)}::text[], ${col((r) => r.to)}::text[], ${col((r) => r.language)}::text[],
                  ${col((r) => r.type)}::text[], ${col((r) => r.priority ?? 0)}::int[], ${col((r) => JSON.stringify(r.metadata ?? {}))}::text[],
                  ${col((r) => r.destinationId)}::uuid[], ${col((r) => r.destinationName)}::text[], ${col((r) => r.destinationNumber)}::text[],
                  ${col((r) => r.idempotencyKey ?? null)}::text[], ${col((r) => r.requestHash ?? null)}::text[], ${col((r) => r.domain ?? 'default')}::text[])
           as u(id, "from", "to", language, type, priority, metadata, destination_id, destination_name, destination_number, idempotency_key, request_hash, domain)
    ${keyed ? sql`on conflict (idempotency_key) where idempotency_key is not null do nothing` : sql``}
    returning ${sql.unsafe(callColumns)}`;
  return inserted.map(withDates);
}

/** A request for a new call, before its number is resolved: the statement resolves it as it inserts. */
export type CallRequest = {
  id: string; from: string; to: string; language: string;
  /** The destination kind the request insists on, or null. */
  type: 'queue' | 'ring_group' | null;
  priority: number; metadata: Record<string, unknown>; idempotencyKey: string | null; requestHash: string | null;
};

/** A call stored by `insertResolvedCalls`, with the id of the `call.received` event stored with it. */
export type AcceptedCallRow = CallRow & { receivedId: string };

/**
 * POST /call's write, as one statement (atomic on its own: no BEGIN and COMMIT round trips): resolves each request's
 * number to its queue or ring group (the queue wins should both have it), inserts the calls whose number resolved and
 * whose `type`, if given, matches, and inserts each one's `call.received` (sequence 1, at the call's creation time).
 * A request whose idempotency key is already taken inserts nothing. Returns the calls inserted, in request order; the
 * caller finds out why any other was not (rare: an unknown number, a type mismatch, a key already taken).
 */
export async function insertResolvedCalls(sql: Sql, requests: readonly CallRequest[]): Promise<AcceptedCallRow[]> {
  const col = <T>(pick: (r: CallRequest) => T) => requests.map(pick);
  // ON CONFLICT makes each row a speculative insertion (a WAL record more per call): only when a key may clash.
  const keyed = requests.some((r) => r.idempotencyKey != null);
  const rows = await sql<AcceptedCallRow[]>`
    with u as (
      select * from unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.from)}::text[], ${col((r) => r.to)}::text[], ${col((r) => r.language)}::text[],
                           ${col((r) => r.type)}::text[], ${col((r) => r.priority)}::int[], ${col((r) => JSON.stringify(r.metadata))}::text[],
                           ${col((r) => r.idempotencyKey)}::text[], ${col((r) => r.requestHash)}::text[])
             with ordinality as u(id, "from", "to", language, type, priority, metadata, idempotency_key, request_hash, n)
    ), d as (
      select distinct on (number) kind, id, name, number, domain
        from (select 'queue' as kind, id, name, number, domain, 0 as rank from queues where number in (select "to" from u)
              union all
              select 'ring_group', id, name, number, domain, 1 from ring_groups where number in (select "to" from u)) x
       order by number, rank
    ), inserted as (
      insert into calls (id, "from", "to", language, type, priority, metadata, destination_id, destination_name, destination_number, idempotency_key, request_hash, domain, current_destination_id)
      select u.id, u."from", u."to", u.language, d.kind::destination_kind, u.priority, u.metadata::jsonb, d.id, d.name, d.number, u.idempotency_key, u.request_hash, d.domain, d.id
        from u join d on d.number = u."to"
       where u.type is null or u.type = d.kind
       order by u.n
      ${keyed ? sql`on conflict (idempotency_key) where idempotency_key is not null do nothing` : sql``}
      returning ${sql.unsafe(callColumns)}
    ), received as (
      insert into call_events (id, call_id, sequence, type, status, data, occurred_at)
      select gen_random_uuid(), i.id, 1, 'call.received', 'received', jsonb_build_object('destinationId', i."destinationId"), i."createdAt"
        from inserted i
      returning id, call_id
    )
    select i.*, r.id as "receivedId" from inserted i join received r on r.call_id = i.id`;
  const order = new Map(requests.map((r, i) => [r.id, i]));
  return rows.map((row) => ({ ...withDates(row), receivedId: row.receivedId })).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** The calls that already hold these idempotency keys, by key. */
export async function callsByIdempotencyKey(sql: Sql, keys: string[]): Promise<Map<string, CallRow>> {
  const rows = await sql<CallRow[]>`select ${sql.unsafe(callColumns)} from calls where idempotency_key = any(${keys}::text[])`;
  return new Map(rows.map((row) => [row.idempotencyKey!, withDates(row)]));
}

/** A call whose routing request is owed again, with its `call.received` event as stored. */
export type UnroutedCall = { call: CallRow; received: { id: string; occurredAt: string } };

/**
 * The call row is the record of the routing request it owes: a call still `received` has not reached its worker yet,
 * or the request is on its way. Claims, oldest first, calls `received` whose request was last sent (at acceptance, or
 * by an earlier claim: its `updated_at`) `minAgeMs` ago, then 2 × `minAgeMs` apart (5 s, then every 10 s by default):
 * not every sweep, so a backlog behind a slow worker is not sent over and over, and within 10 s of Kafka's return. A
 * claim moves `updated_at` to now; `skip locked`, so concurrent sweeps of several call-api instances take different
 * calls.
 */
export async function claimUnroutedCalls(sql: Sql, minAgeMs: number, limit: number): Promise<UnroutedCall[]> {
  const rows = await sql<(CallRow & { received: UnroutedCall['received'] | null })[]>`
    with due as (
      select id from calls
       where status = 'received'
         and now() - updated_at >= least(greatest(make_interval(secs => ${minAgeMs / 1000}), updated_at - created_at), make_interval(secs => ${(2 * minAgeMs) / 1000}))
       order by created_at, id
       limit ${limit}
         for update skip locked)
    update calls c set updated_at = now()
     where c.id in (select id from due)
    returning ${sql.unsafe(callColumns)},
              (select json_build_object('id', e.id, 'occurredAt', e.occurred_at)
                 from call_events e where e.call_id = c.id and e.sequence = 1) as "received"`;
  return rows.flatMap(({ received, ...call }) => (received ? [{ call: withDates(call as CallRow), received }] : []));
}

// Reading calls for the API: one call with its timeline, and what an action needs to know before it is sent.
import { and, desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { CallStatus } from '@switchboard/contracts';
import type { Database } from '../client.ts';
import { agents, callEvents, calls } from '../schema.ts';

export type CallRow = typeof calls.$inferSelect;
export type CallEventRow = typeof callEvents.$inferSelect;

/** Every column of a table under its Drizzle name, as `alias."column" as "key"`, for raw statements that return Drizzle-shaped rows. */
const columnList = (table: typeof calls | typeof callEvents, alias: string) =>
  Object.entries(getTableColumns(table))
    .map(([key, column]) => `${alias}."${column.name}" as "${key}"`)
    .join(', ');
const callColumns = columnList(calls, 'c');
const eventColumns = Object.entries(getTableColumns(callEvents));

/**
 * The call and its events, oldest first; undefined when there is no such call. One statement, so one snapshot (read
 * apart, a decision committing in between showed a status older than the events beside it) and one round trip.
 */
export async function readCallWithEvents(db: Database, id: string): Promise<{ call: CallRow; events: CallEventRow[] } | undefined> {
  const [row] = await db.$client<(CallRow & { events: Record<string, unknown>[] })[]>`
    select ${db.$client.unsafe(callColumns)},
           coalesce((select json_agg(e order by e.sequence) from call_events e where e.call_id = c.id), '[]') as "events"
      from calls c where c.id = ${id}`;
  if (!row) return undefined;
  const { events, ...call } = row;
  // Drizzle hands the shared client's timestamps over as text and converts them itself; these rows skip Drizzle.
  return {
    call: { ...call, createdAt: new Date(call.createdAt), updatedAt: new Date(call.updatedAt) },
    events: events.map(
      (e) =>
        Object.fromEntries(
          eventColumns.map(([key, column]) => [key, e[column.name] == null ? e[column.name] : column.mapFromDriverValue(e[column.name])]),
        ) as CallEventRow,
    ),
  };
}

/**
 * What an action needs to know before it is sent, in one round trip: the call's status, routing domain and agent,
 * and whether the agent it names exists (false when it names none).
 */
export async function readActionTarget(db: Database, callId: string, agentId: string | null) {
  const [target] = await db.$client<{ status: CallStatus; domain: string; agentId: string | null; agentKnown: boolean }[]>`
    select c.status, c.domain, c.agent_id as "agentId", exists (select 1 from agents a where a.id = ${agentId}::uuid) as "agentKnown"
      from calls c where c.id = ${callId}`;
  return target;
}

export type CallFilter = { status?: CallStatus | undefined; destinationId?: string | undefined };

/**
 * Newest first by (created_at, id), `limit + 1` rows so the caller knows whether a page follows. Each row comes with
 * its `created_at` as exact text: calls committed in one intake batch share a microsecond timestamp that a millisecond
 * Date would round, and a cursor made from it would skip some of them.
 */
export async function listCalls(
  db: Database,
  filter: CallFilter,
  page: { limit: number; after?: { createdAt: string; id: string } | undefined },
): Promise<{ row: CallRow; createdAt: string; id: string }[]> {
  const where: SQL[] = [];
  if (filter.status) where.push(eq(calls.status, filter.status));
  if (filter.destinationId) where.push(eq(calls.destinationId, filter.destinationId));
  if (page.after) where.push(sql`(${calls.createdAt}, ${calls.id}) < (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`);
  const rows = await db
    .select({ row: calls, exactCreatedAt: sql<string>`to_char(${calls.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` })
    .from(calls)
    .where(and(...where))
    .orderBy(desc(calls.createdAt), desc(calls.id))
    .limit(page.limit + 1);
  return rows.map(({ row, exactCreatedAt }) => ({ row, createdAt: exactCreatedAt, id: row.id }));
}

export async function readAgentPresence(db: Database, id: string) {
  const [agent] = await db
    .select({ id: agents.id, domain: agents.domain, state: agents.state, currentCallId: agents.currentCallId })
    .from(agents)
    .where(eq(agents.id, id));
  return agent;
}

// Reading calls for the API: one call with its timeline, and what an action needs to know before it is sent.
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { CallStatus } from '@switchboard/contracts';
import type { Database } from '../client.ts';
import { agents, callEvents, calls } from '../schema.ts';

export type CallRow = typeof calls.$inferSelect;
export type CallEventRow = typeof callEvents.$inferSelect;

/** The call and its events, oldest first; undefined when there is no such call. */
export async function readCallWithEvents(db: Database, id: string): Promise<{ call: CallRow; events: CallEventRow[] } | undefined> {
  // One snapshot: read apart, a decision committing in between showed a status older than the events beside it.
  return db.transaction(
    async (tx) => {
      const [call] = await tx.select().from(calls).where(eq(calls.id, id));
      if (!call) return undefined;
      const events = await tx.select().from(callEvents).where(eq(callEvents.callId, id)).orderBy(asc(callEvents.sequence));
      return { call, events };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
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

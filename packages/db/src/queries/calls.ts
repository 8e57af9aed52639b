// Reading calls for the API: one call with its timeline, and what an action needs to know before it is sent.
import { asc, eq } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { agents, callEvents, calls } from '../schema.ts';

export type CallRow = typeof calls.$inferSelect;
export type CallEventRow = typeof callEvents.$inferSelect;

/** The call and its events, oldest first; undefined when there is no such call. */
export async function readCallWithEvents(db: Database, id: string): Promise<{ call: CallRow; events: CallEventRow[] } | undefined> {
  const [call] = await db.select().from(calls).where(eq(calls.id, id));
  if (!call) return undefined;
  const events = await db.select().from(callEvents).where(eq(callEvents.callId, id)).orderBy(asc(callEvents.sequence));
  return { call, events };
}

export async function readAgentPresence(db: Database, id: string) {
  const [agent] = await db
    .select({ id: agents.id, domain: agents.domain, state: agents.state, currentCallId: agents.currentCallId })
    .from(agents)
    .where(eq(agents.id, id));
  return agent;
}

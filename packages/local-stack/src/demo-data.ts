// Demo destinations and agents for `npm start`: queue "Support" on 100, ring group "Sales" on 200 (failing over to
// Support), six agents who start available so a first call rings someone.
import { eq, inArray } from 'drizzle-orm';
import { agents, queueMembers, queues, ringGroupMembers, ringGroups, type Database } from '@switchboard/db';

export const demoAgents = [
  { name: 'Ana García', extension: '1001', languages: ['es', 'en'] },
  { name: 'Ben Carter', extension: '1002', languages: ['en'] },
  { name: 'Chloé Martin', extension: '1003', languages: ['fr', 'en'] },
  { name: 'Diego López', extension: '1004', languages: ['es'] },
  { name: 'Émile Bernard', extension: '1005', languages: ['fr'] },
  { name: 'Fiona Walsh', extension: '1006', languages: ['en', 'fr', 'es'] },
] as const;

/**
 * Inserts what is missing and leaves what exists alone (matched by number and extension), so it is safe on every start
 * and never undoes changes made through the API.
 */
export async function loadDemoData(db: Database): Promise<{ queueId: string; ringGroupId: string; agentIds: string[] }> {
  return db.transaction(async (tx) => {
    await tx
      .insert(queues)
      .values({ name: 'Support', number: '100', strategy: 'longest_idle', requireLanguage: true, ringTimeoutSec: 15, wrapUpSec: 10 })
      .onConflictDoNothing({ target: queues.number });
    const [support] = await tx.select({ id: queues.id }).from(queues).where(eq(queues.number, '100'));
    await tx
      .insert(ringGroups)
      .values({ name: 'Sales', number: '200', strategy: 'ring_all', ringTimeoutSec: 15, totalTimeoutSec: 30, failover: { kind: 'queue', id: support!.id } })
      .onConflictDoNothing({ target: ringGroups.number });
    await tx
      .insert(agents)
      .values(demoAgents.map((a) => ({ name: a.name, extension: a.extension, languages: [...a.languages], state: 'available' as const, availableSince: new Date() })))
      .onConflictDoNothing({ target: agents.extension });

    const queue = support;
    const [group] = await tx.select({ id: ringGroups.id }).from(ringGroups).where(eq(ringGroups.number, '200'));
    const rows = await tx
      .select({ id: agents.id, extension: agents.extension })
      .from(agents)
      .where(inArray(agents.extension, demoAgents.map((a) => a.extension)));
    rows.sort((a, b) => a.extension.localeCompare(b.extension));
    const agentIds = rows.map((r) => r.id);

    await tx
      .insert(queueMembers)
      .values(agentIds.map((agentId, position) => ({ queueId: queue!.id, agentId, position })))
      .onConflictDoNothing();
    await tx
      .insert(ringGroupMembers)
      .values(agentIds.map((agentId, position) => ({ ringGroupId: group!.id, agentId, position })))
      .onConflictDoNothing();
    return { queueId: queue!.id, ringGroupId: group!.id, agentIds };
  });
}

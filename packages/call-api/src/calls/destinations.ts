// Resolves dialed numbers to the queue or ring group they lead to.
import { inArray } from 'drizzle-orm';
import { queues, ringGroups, type Database } from '@switchboard/db';
import type { Destination } from '@switchboard/contracts';

type Reader = Pick<Database, 'select'>;

/** A queue wins over a ring group with the same number (the admin API keeps numbers unique across both). */
export async function resolveDestinations(db: Reader, numbers: string[]): Promise<Map<string, Destination>> {
  const found = new Map<string, Destination>();
  if (numbers.length === 0) return found;
  const [groupRows, queueRows] = await Promise.all([
    db.select({ id: ringGroups.id, name: ringGroups.name, number: ringGroups.number }).from(ringGroups).where(inArray(ringGroups.number, numbers)),
    db.select({ id: queues.id, name: queues.name, number: queues.number }).from(queues).where(inArray(queues.number, numbers)),
  ]);
  for (const row of groupRows) found.set(row.number, { kind: 'ring_group', ...row });
  for (const row of queueRows) found.set(row.number, { kind: 'queue', ...row });
  return found;
}

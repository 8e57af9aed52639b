// Resolves dialed numbers to the queue or ring group they lead to.
import type postgres from 'postgres';
import type { Destination } from '@switchboard/contracts';

type Row = { kind: Destination['kind']; id: string; name: string; number: string; domain: string };
export type ResolvedDestination = Destination & { domain: string };

/**
 * A number belongs to one queue or one ring group (the configuration API refuses a second); should rows made outside it
 * ever share one, the queue wins. One statement with an array parameter: its text never changes, so it is prepared once per connection.
 */
export async function resolveDestinations(sql: postgres.Sql | postgres.TransactionSql, numbers: string[]): Promise<Map<string, ResolvedDestination>> {
  const found = new Map<string, ResolvedDestination>();
  if (numbers.length === 0) return found;
  const rows = await sql<Row[]>`
    select 'ring_group' as kind, id, name, number, domain from ring_groups where number = any(${numbers}::text[])
    union all
    select 'queue' as kind, id, name, number, domain from queues where number = any(${numbers}::text[])`;
  for (const row of rows) if (row.kind === 'ring_group') found.set(row.number, { ...row });
  for (const row of rows) if (row.kind === 'queue') found.set(row.number, { ...row });
  return found;
}

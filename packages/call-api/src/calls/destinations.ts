// Resolves dialed numbers to the queue or ring group they lead to.
import type postgres from 'postgres';
import type { Destination } from '@switchboard/contracts';

type Row = { kind: Destination['kind']; id: string; name: string; number: string };

/**
 * A queue wins over a ring group with the same number (nothing enforces one number per destination across the two
 * tables yet; the admin API, a later issue, should).
 * One statement with an array parameter: its text never changes, so it is prepared once per connection.
 */
export async function resolveDestinations(sql: postgres.Sql | postgres.TransactionSql, numbers: string[]): Promise<Map<string, Destination>> {
  const found = new Map<string, Destination>();
  if (numbers.length === 0) return found;
  const rows = await sql<Row[]>`
    select 'ring_group' as kind, id, name, number from ring_groups where number = any(${numbers}::text[])
    union all
    select 'queue' as kind, id, name, number from queues where number = any(${numbers}::text[])`;
  for (const row of rows) if (row.kind === 'ring_group') found.set(row.number, { ...row });
  for (const row of rows) if (row.kind === 'queue') found.set(row.number, { ...row });
  return found;
}

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

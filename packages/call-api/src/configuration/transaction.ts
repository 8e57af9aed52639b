// Every configuration change runs here: one postgres.js transaction holds its checks, its writes and one
// `routing.config_changed` outbox row per routing domain it touched; the relay gets the rows once it has committed.
import type postgres from 'postgres';
import type { Topics } from '@switchboard/contracts';
import { insertOutbox, type Database } from '@switchboard/db';
import type { OutboxRelay } from '@switchboard/messaging';
import { configChangedMessage } from '../routing/routing-inputs.ts';
import { conflict, Refusal, unprocessable } from './refusal.ts';

export type ConfigurationContext = {
  db: Database;
  relay: Pick<OutboxRelay, 'publish'>;
  topics: Pick<Topics, 'routingInputs'>;
};

/** What a change returns from inside its transaction: its result, the domains whose owners must reload, and why. */
export type Change<T> = { value: T; domains: readonly string[]; reason: string };

/** Deadlock and serialization failure: the transaction changed nothing and may simply run again. */
const retryable = new Set(['40P01', '40001']);
const attempts = 3;

/**
 * Runs `work` in a transaction, adds the outbox rows, commits, and hands the rows to the relay. A Refusal thrown by
 * `work` rolls everything back. Unique and foreign-key violations (a race the checks lost, or rows written outside
 * this API) become refusals too, never a 500.
 */
export async function changeConfiguration<T>(ctx: ConfigurationContext, work: (sql: postgres.TransactionSql) => Promise<Change<T>>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { value, rows } = await ctx.db.$client.begin(async (sql) => {
        const change = await work(sql);
        const messages = [...new Set(change.domains)].map((domain) => configChangedMessage(ctx.topics.routingInputs, domain, change.reason));
        return { value: change.value, rows: await insertOutbox(sql, messages) };
      });
      ctx.relay.publish(rows);
      return value as T;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && retryable.has(code) && attempt < attempts) continue;
      throw asRefusal(error) ?? error;
    }
  }
}

function asRefusal(error: unknown): Refusal | undefined {
  if (error instanceof Refusal) return error;
  const { code, constraint_name: constraint } = error as { code?: string; constraint_name?: string };
  if (code === '23505' && constraint === 'agents_extension_unique') {
    return conflict('extension-taken', 'Extension in use', [{ field: 'body.extension', reason: 'is the extension of another agent' }]);
  }
  if (code === '23505' && (constraint === 'queues_number_unique' || constraint === 'ring_groups_number_unique')) {
    return conflict('number-taken', 'Number in use', [{ field: 'body.number', reason: 'is the number of another queue or ring group' }]);
  }
  if (code === '23503' && constraint?.endsWith('_agent_id_agents_id_fk')) {
    return unprocessable('unknown-member', 'Unknown member', [{ field: 'body.members', reason: 'names an agent that no longer exists' }]);
  }
  return undefined;
}

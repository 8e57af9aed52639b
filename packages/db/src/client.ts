// The postgres.js client factory and the Drizzle database bound to the schema.
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

export type ClientOptions = {
  /** Connections in the pool. */
  max?: number;
  applicationName?: string;
};

export function createDatabase(url: string, options: ClientOptions = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    prepare: true,
    onnotice: () => {},
    // postgres.js waits up to 20 s (3^retries / 100 s) before reconnecting after connections drop, so writes resumed
    // seconds after PostgreSQL came back; retry fast and cap at one second instead.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    // With PostgreSQL down, a request fails in seconds rather than waiting 30 s for a connection.
    connect_timeout: 2,
    connection: {
      application_name: options.applicationName ?? 'switchboard',
      // Server-side bounds, so nothing waits forever on the database: a statement that runs away, or a transaction
      // left open (the outbox relay holds its claim across a Kafka send), is ended by PostgreSQL and fails its caller.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 10_000,
    },
  });
  return drizzle({ client: sql, schema });
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.$client.end({ timeout: 5 });
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await db.$client`select 1`;
    return true;
  } catch {
    return false;
  }
}

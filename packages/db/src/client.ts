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
    connection: { application_name: options.applicationName ?? 'switchboard' },
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

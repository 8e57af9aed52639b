// Database ceiling: single-row inserts into `calls` through postgres.js, each its own commit, at the bench's concurrency.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

export type DbCeilingResult = { rowsPerSec: number; rows: number; durationSec: number };

export type DbCeilingOptions = { databaseUrl: string; concurrency: number; durationSec: number };

export async function dbCeiling({ databaseUrl, concurrency, durationSec }: DbCeilingOptions): Promise<DbCeilingResult> {
  const sql = postgres(databaseUrl, { max: concurrency, prepare: true, onnotice: () => {}, connection: { application_name: 'bench-db-ceiling' } });
  // A destination of its own (no row behind it: calls has no foreign key there), so these rows never count as POST /call's.
  const destinationId = randomUUID();
  try {
    await Promise.all(Array.from({ length: concurrency }, () => sql`select 1`)); // open the pool before the clock starts
    let rows = 0;
    const started = performance.now();
    const until = started + durationSec * 1_000;
    const worker = async () => {
      while (performance.now() < until) {
        await sql`
          insert into calls (id, "from", "to", language, type, priority, metadata, destination_id, destination_name, destination_number)
          values (${randomUUID()}, '+15550001', 'ceiling', 'en', 'queue', 0, '{}', ${destinationId}, 'DB ceiling', 'ceiling')`;
        rows++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1_000;
    await sql`delete from calls where destination_id = ${destinationId}`;
    return { rowsPerSec: rows / seconds, rows, durationSec: seconds };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

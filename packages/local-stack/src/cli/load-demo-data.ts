// Loads the demo destinations and agents into $DATABASE_URL (compose's migrate step runs it after the migrations).
import { z } from 'zod';
import { commonEnv, parseEnv } from '@switchboard/contracts';
import { closeDatabase, createDatabase } from '@switchboard/db';
import { loadDemoData } from '../demo-data.ts';

const env = parseEnv(z.object({ DATABASE_URL: commonEnv.DATABASE_URL }), process.env);
const db = createDatabase(env.DATABASE_URL, { max: 1 });
try {
  const { agentIds } = await loadDemoData(db);
  console.log(`demo data ready: queue "Support" on 100, ring group "Sales" on 200, ${agentIds.length} agents`);
} finally {
  await closeDatabase(db);
}

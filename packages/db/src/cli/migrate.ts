// `npm run db:migrate`: applies the migrations to $DATABASE_URL.
import { z } from 'zod';
import { commonEnv, parseEnv } from '@switchboard/contracts';
import { migrateDatabase } from '../migrate.ts';

const env = parseEnv(z.object({ DATABASE_URL: commonEnv.DATABASE_URL }), process.env);
await migrateDatabase(env.DATABASE_URL);
console.log('migrations applied');

// drizzle-kit: the schema in packages/db is the source; `npm run db:generate` writes SQL migrations beside it.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema.ts',
  out: './packages/db/migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://switchboard:switchboard@127.0.0.1:5432/switchboard' },
  strict: true,
});

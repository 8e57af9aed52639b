// The database package: schema, client, migrations.
export * as schema from './schema.ts';
export * from './schema.ts';
export * from './client.ts';
export * from './migrate.ts';
export * from './queries/index.ts';

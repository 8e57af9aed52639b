// `npm run keys -- create --role <admin|edge|agent|viewer> --name <who> [--agent <agent id>]`, `list`, `revoke <id>`:
// API keys in $DATABASE_URL, for the first admin key (which then makes others with POST /keys) and for scripts.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ApiRole, commonEnv, parseEnv } from '@switchboard/contracts';
import { closeDatabase, createDatabase } from '../client.ts';
import { createApiKey, deleteApiKey, listApiKeys } from '../queries/api-keys.ts';

const usage = 'usage: npm run keys -- create --role <admin|edge|agent|viewer> --name <who> [--agent <agent id>] | list | revoke <key id>';
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, name: { type: 'string' }, agent: { type: 'string' } },
});
const env = parseEnv(z.object({ DATABASE_URL: commonEnv.DATABASE_URL }), process.env);
const db = createDatabase(env.DATABASE_URL, { max: 1, applicationName: 'keys-cli' });
try {
  const [command, id] = positionals;
  if (command === 'create') {
    const role = ApiRole.safeParse(values.role);
    if (!role.success || !values.name || (role.data === 'agent') !== (values.agent !== undefined)) throw new Error(usage);
    const created = await createApiKey(db.$client, { name: values.name, role: role.data, agentId: values.agent ?? null });
    console.error(`created ${created.role} key ${created.id} (${created.name}); the key is shown only now:`);
    console.log(created.key);
  } else if (command === 'list') {
    for (const key of await listApiKeys(db.$client, { limit: 1_000 })) {
      console.log([key.id, key.role, key.prefix, key.agentId ?? '-', key.name].join('\t'));
    }
  } else if (command === 'revoke' && id) {
    if (!(await deleteApiKey(db.$client, id))) throw new Error(`no API key ${id}`);
    console.error(`revoked ${id}`);
  } else {
    throw new Error(usage);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
} finally {
  await closeDatabase(db);
}

// API keys for `npm start`: one of each role, kept in .cache/demo-keys.env (mode 600) so `source` puts them in a shell.
// A key the database no longer has (its data was wiped) is made anew; the others are kept across starts.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApiRole } from '@switchboard/contracts';
import { createApiKey, principalOfApiKey, type Database } from '@switchboard/db';

/** The shell variable each demo key goes in. */
export const demoKeyVariables = { admin: 'ADMIN_KEY', edge: 'EDGE_KEY', agent: 'AGENT_KEY', viewer: 'VIEWER_KEY' } as const satisfies Record<ApiRole, string>;

export async function ensureDemoKeys(db: Database, file: string, agent: { id: string; name: string }): Promise<Record<ApiRole, string>> {
  const saved = new Map<string, string>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const match = /^export (\w+)=(\S+)$/.exec(line.trim());
    if (match) saved.set(match[1]!, match[2]!);
  }
  const keys = {} as Record<ApiRole, string>;
  for (const [role, variable] of Object.entries(demoKeyVariables) as [ApiRole, string][]) {
    const known = saved.get(variable);
    const principal = known ? await principalOfApiKey(db.$client, known) : undefined;
    const fits = principal?.role === role && (role !== 'agent' || principal.agentId === agent.id);
    keys[role] = fits
      ? known!
      : (
          await createApiKey(db.$client, {
            name: role === 'agent' ? `demo: ${agent.name}'s desktop` : `demo ${role}`,
            role,
            agentId: role === 'agent' ? agent.id : null,
          })
        ).key;
  }
  await mkdir(dirname(file), { recursive: true });
  const lines = [
    '# API keys of the npm start demo: `source .cache/demo-keys.env`. AGENT_KEY acts for the demo agent named below.',
    `# agent: ${agent.name} (${agent.id})`,
    ...(Object.entries(demoKeyVariables) as [ApiRole, string][]).map(([role, variable]) => `export ${variable}=${keys[role]}`),
    '',
  ];
  await writeFile(file, lines.join('\n'), { mode: 0o600 });
  await chmod(file, 0o600);
  return keys;
}

// The services' build: one CommonJS file per service that requires only npm packages and Node's modules, and whose
// stack traces point at the TypeScript lines.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildServices, serviceBuilds } from '../src/build-services.ts';
import { repoRoot } from '../src/kafka-jars.ts';
import { serviceNodeFlags } from '../src/services.ts';

describe('buildServices', () => {
  beforeAll(async () => {
    await buildServices();
  }, 60_000);

  it.each(Object.entries(serviceBuilds))('%s: workspace packages are bundled, npm packages stay requires, with a source map', async (_, { output }) => {
    const code = await readFile(output, 'utf8');
    const required = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required).toContain('fastify-plugin');
    expect(required).toContain('zod');
    expect(required.filter((path) => path.startsWith('@switchboard/') || path.startsWith('.') || path.endsWith('.ts'))).toEqual([]);
    expect(code).not.toMatch(/^(import|export) /m);
    expect(code).toMatch(/\/\/# sourceMappingURL=server\.cjs\.map\s*$/);
    const map = JSON.parse(await readFile(`${output}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../src/server.ts');
    expect(map.sources.some((source) => source.startsWith('../../contracts/src/'))).toBe(true);
  });

  it('a compiled service started as the stack starts it reports errors at their TypeScript lines', () => {
    // Without DATABASE_URL and KAFKA_BROKERS the config check throws before anything connects.
    const run = spawnSync(process.execPath, [...serviceNodeFlags, serviceBuilds.callApi.output], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('DATABASE_URL: is required but not set');
    expect(run.stderr).toMatch(/at loadConfig \(.*packages\/call-api\/src\/config\.ts:\d+:\d+\)/);
    expect(run.stderr).toMatch(/packages\/call-api\/src\/server\.ts:\d+:\d+/);
  });
});

// Compiles each service to one JavaScript file (esbuild): its own code and the workspace packages it imports, with
// every npm dependency left as an import Node resolves from node_modules. The services run that file, with source maps,
// under `npm start`, in the tests that spawn them, in the bench and in the Docker image, instead of transpiling
// TypeScript at run time.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { repoRoot } from './kafka-jars.ts';

/** Each service's TypeScript entry and the JavaScript file built from it. */
export const serviceBuilds = {
  callApi: { source: join(repoRoot, 'packages/call-api/src/server.ts'), output: join(repoRoot, 'packages/call-api/dist/server.js') },
  queueWorker: { source: join(repoRoot, 'packages/queue-worker/src/server.ts'), output: join(repoRoot, 'packages/queue-worker/dist/server.js') },
} as const;

/** Bare imports (npm packages, `node:` modules) stay imports; `@switchboard/*` (TypeScript sources) is bundled. */
const npmDependenciesExternal: Plugin = {
  name: 'npm-dependencies-external',
  setup(plugin) {
    plugin.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@switchboard/') ? undefined : { path: args.path, external: true }));
  },
};

export type BuiltService = { output: string; bytes: number };

/**
 * Builds every service (about 0.3 s for both). Files are written under a temporary name and renamed, so a process
 * started meanwhile (another test run, `npm start` in the same clone) reads a whole file, old or new, never half of one.
 */
export async function buildServices(): Promise<BuiltService[]> {
  return Promise.all(
    Object.values(serviceBuilds).map(async ({ source, output }) => {
      const result = await build({
        entryPoints: [source],
        outfile: output,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        // Stack traces point at the .ts lines when the process runs with --enable-source-maps; Node reads the
        // sources from disk, so the map does not carry them.
        sourcemap: 'linked',
        sourcesContent: false,
        // Bundling renames clashing top-level names; keep `name` of functions and classes as the sources have them.
        keepNames: true,
        legalComments: 'none',
        logLevel: 'silent',
        write: false,
        plugins: [npmDependenciesExternal],
      });
      await mkdir(dirname(output), { recursive: true });
      let bytes = 0;
      for (const file of result.outputFiles) {
        const temporary = `${file.path}.${process.pid}.tmp`;
        await writeFile(temporary, file.contents);
        await rename(temporary, file.path);
        if (file.path === output) bytes = file.contents.byteLength;
      }
      return { output: relative(repoRoot, output), bytes };
    }),
  );
}

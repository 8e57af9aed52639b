// The simulator's agenda: a min-heap of future inputs by virtual time, ties in the order they were scheduled.
import type { RoutingInput } from '../inputs.ts';

export interface ScheduledInput {
  readonly at: number;
  readonly order: number;
  readonly input: RoutingInput;
  /** The engine's timer key, when this is a timer; a newer timer or a cancel makes this entry stale. */
  readonly timerKey?: string;
}

export class EventHeap {
  private readonly entries: ScheduledInput[] = [];
  private nextOrder = 0;

  get size(): number {
    return this.entries.length;
  }

  push(at: number, input: RoutingInput, timerKey?: string): ScheduledInput {
    const entry = timerKey === undefined ? { at, order: this.nextOrder++, input } : { at, order: this.nextOrder++, input, timerKey };
    const { entries } = this;
    let index = entries.length;
    entries.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, entries[parent]!)) break;
      entries[index] = entries[parent]!;
      index = parent;
    }
    entries[index] = entry;
    return entry;
  }

  pop(): ScheduledInput | undefined {
    const { entries } = this;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined || entries.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= entries.length) break;
      const right = left + 1;
      const child = right < entries.length && before(entries[right]!, entries[left]!) ? right : left;
      if (!before(entries[child]!, last)) break;
      entries[index] = entries[child]!;
      index = child;
    }
    entries[index] = last;
    return top;
  }
}

function before(a: ScheduledInput, b: ScheduledInput): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

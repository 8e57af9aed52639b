// A queue's waiting line: an indexed binary heap of calls, best first, so taking or removing any call is O(log n).

/** What a line needs of a call; declared here so the line does not depend on the state that holds it. */
export interface WaitingCall {
  readonly priority: number;
  readonly queuedAt: number;
  readonly sequence: number;
  line: WaitingLine<WaitingCall> | null;
  lineIndex: number;
}

/** Rule 4: higher priority first, then the call that has waited longest, then arrival order. */
export function ranksBefore(a: WaitingCall, b: WaitingCall): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt;
  return a.sequence < b.sequence;
}

/**
 * One line holds the calls of a queue that share a language (when the queue requires one) and the tiers open to them,
 * so an agent finds the best call it may take by looking at a few heads instead of every call.
 */
export class WaitingLine<Call extends WaitingCall> {
  private readonly calls: Call[] = [];

  constructor(
    /** Normalized call language, or null when the queue does not require one. */
    readonly language: string | null,
    /** Members of tiers up to this one may ring; Infinity when the queue has no tier wait. */
    readonly openTier: number,
  ) {}

  get size(): number {
    return this.calls.length;
  }

  peek(): Call | undefined {
    return this.calls[0];
  }

  /** Every call in the line, in no particular order (a copy: the line may change while the caller walks it). */
  all(): Call[] {
    return [...this.calls];
  }

  /**
   * How many calls of the line rank before `call` (itself not counted). The heap keeps every call after its parent, so
   * a call that does not rank before `call` has no descendant that does: the walk visits those calls and their children.
   */
  countRankingBefore(call: WaitingCall): number {
    let count = 0;
    const stack = this.calls.length ? [0] : [];
    while (stack.length) {
      const index = stack.pop()!;
      const other = this.calls[index]!;
      if (other === call || !ranksBefore(other, call)) continue;
      count++;
      const left = 2 * index + 1;
      if (left < this.calls.length) stack.push(left);
      if (left + 1 < this.calls.length) stack.push(left + 1);
    }
    return count;
  }

  push(call: Call): void {
    call.line = this;
    call.lineIndex = this.calls.length;
    this.calls.push(call);
    this.siftUp(call.lineIndex);
  }

  remove(call: Call): void {
    if (call.line !== this) return;
    const index = call.lineIndex;
    const last = this.calls.pop()!;
    if (last !== call) {
      this.calls[index] = last;
      last.lineIndex = index;
      this.siftUp(index);
      this.siftDown(last.lineIndex);
    }
    call.line = null;
    call.lineIndex = -1;
  }

  private siftUp(start: number): void {
    let index = start;
    const call = this.calls[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.calls[parentIndex]!;
      if (!ranksBefore(call, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(call, index);
  }

  private siftDown(start: number): void {
    let index = start;
    const call = this.calls[index]!;
    const count = this.calls.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= count) break;
      const right = left + 1;
      const child = right < count && ranksBefore(this.calls[right]!, this.calls[left]!) ? right : left;
      if (!ranksBefore(this.calls[child]!, call)) break;
      this.place(this.calls[child]!, index);
      index = child;
    }
    this.place(call, index);
  }

  private place(call: Call, index: number): void {
    this.calls[index] = call;
    call.lineIndex = index;
  }
}

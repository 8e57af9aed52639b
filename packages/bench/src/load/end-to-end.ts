// Watches call-events for `call.queued` and times each call from its POST's intended send time to the event's arrival.
import type { Consumer, Kafka } from 'kafkajs';
import { LatencyRecorder } from './latency.ts';
import type { Seen } from './hops.ts';

/** Pairs two timestamps per call (sent, queued) whichever arrives first; records the difference once both are there. */
export class EndToEndWatch {
  private readonly sentAt = new Map<string, number>();
  private readonly queuedAt = new Map<string, number>();
  private recorder: LatencyRecorder | null = null;
  /** Wall-clock send and arrival of each call timed in the current phase, for the per-hop split. */
  private seen = new Map<string, Seen>();
  private readonly consumer: Consumer;
  private readonly queued = new Set<string>();
  /** `call.queued` events seen more than once for a call (the relay publishes at least once). */
  duplicates = 0;

  constructor(kafka: Kafka, private readonly topic: string, groupId: string) {
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, sessionTimeout: 30_000 });
  }

  /** Resolves once the consumer has its partitions, so the first calls of a phase are not missed. */
  async start(): Promise<void> {
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      // The reader needs no committed offsets, and its partitions need not wait for one another: both would add
      // round trips to the very latency it measures.
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        // The type is in a header and the call id is the key: no JSON to parse for the many events that are not ours.
        for (const m of batch.messages) if (m.key && String(m.headers?.type) === 'call.queued') this.onQueued(m.key.toString(), now);
      },
    });
    await joined;
  }

  /** Starts a new histogram: calls sent from now on are timed into it. */
  measure(): LatencyRecorder {
    this.seen = new Map();
    return (this.recorder = new LatencyRecorder());
  }

  /** The calls timed since `measure()`, with wall-clock times the database's timestamps can be set against. */
  seenInPhase(): Map<string, Seen> {
    return this.seen;
  }

  private record(callId: string, sent: number, arrived: number): void {
    this.recorder?.recordMs(arrived - sent);
    const wall = (t: number) => performance.timeOrigin + t;
    if (this.recorder) this.seen.set(callId, { sentAt: wall(sent), arrivedAt: wall(arrived) });
  }

  onSent(callId: string, at: number): void {
    const queued = this.queuedAt.get(callId);
    if (queued === undefined) this.sentAt.set(callId, at);
    else {
      this.queuedAt.delete(callId);
      this.record(callId, at, queued);
    }
  }

  private onQueued(callId: string, at: number): void {
    if (this.queued.has(callId)) {
      this.duplicates++;
      return;
    }
    this.queued.add(callId);
    const sent = this.sentAt.get(callId);
    // Outside a measured phase (autocannon's calls) there is no send time to wait for.
    if (sent === undefined) {
      if (this.recorder) this.queuedAt.set(callId, at);
    }
    else {
      this.sentAt.delete(callId);
      this.record(callId, sent, at);
    }
  }

  /**
   * Waits until this reader has seen `call.queued` for at least `count` calls: after a full-speed phase it has a backlog
   * of its own to read, which would otherwise count against the next phase's end-to-end times.
   */
  async caughtUp(count: number, timeoutMs = 120_000): Promise<number> {
    const started = performance.now();
    while (this.queued.size < count) {
      if (performance.now() - started > timeoutMs) throw new Error(`the bench's call-events reader saw ${this.queued.size} of ${count} calls queued within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return Math.round(performance.now() - started);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

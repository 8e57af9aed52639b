// Reads `call-events` as the telephony edge does: from the topic's end when the run starts, each call's events once, in
// order (the contract's rule: keep the highest `sequence` per call, ignore anything at or below it).
import { LatestSequencePerCall } from '@switchboard/contracts';
import type { Consumer, Kafka } from 'kafkajs';

/** What the load test keeps of an event: its type, when the worker decided it, and its data as sent. */
export interface SeenEvent {
  readonly callId: string;
  readonly type: string;
  readonly sequence: number;
  /** `occurredAt`: the worker's clock at the decision, ms since the epoch. */
  readonly at: number;
  readonly data: Record<string, unknown>;
}

export class CallEventReader {
  private readonly consumer: Consumer;
  private readonly order = new LatestSequencePerCall();
  /** Every call's events seen, oldest first. */
  readonly timelines = new Map<string, SeenEvent[]>();
  /** Events delivered again (at or below a call's highest sequence), ignored. */
  repeated = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly onEvent: (event: SeenEvent) => void,
  ) {
    this.consumer = kafka.consumer({ groupId: `loadtest-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 50, sessionTimeout: 30_000 });
  }

  /** Resolves once the reader holds its partitions at the topic's current end, so no call of the run is missed. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const raw = JSON.parse(message.value.toString()) as {
          callId: string;
          type: string;
          sequence: number;
          occurredAt: string;
          data?: Record<string, unknown>;
        };
        if (!this.order.accept(raw)) {
          this.repeated++;
          return;
        }
        const event: SeenEvent = { callId: raw.callId, type: raw.type, sequence: raw.sequence, at: Date.parse(raw.occurredAt), data: raw.data ?? {} };
        let timeline = this.timelines.get(event.callId);
        if (!timeline) this.timelines.set(event.callId, (timeline = []));
        timeline.push(event);
        this.onEvent(event);
      },
    });
    // The group has no committed offsets: start each partition exactly where the topic ended before the first call.
    for (const { partition, offset } of ends) this.consumer.seek({ topic: this.topic, partition, offset });
    await joined;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

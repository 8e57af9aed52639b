// Consumes call-requests: checks each message, dead-letters what is malformed, applies the rest, then commits offsets.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { dlqHeaders, type CallRequested } from '@switchboard/contracts';
import type { Database } from '@switchboard/db';
import type { OutboxRelay } from '@switchboard/messaging';
import { checkCallRequest } from './call-request-message.ts';
import { distributeCalls } from './distribute-calls.ts';

export type CallRequestsConsumerOptions = {
  kafka: Kafka;
  db: Database;
  relay: Pick<OutboxRelay, 'publish' | 'producer'>;
  groupId: string;
  sessionTimeoutMs?: number;
  topics: { callRequests: string; callRequestsDlq: string; callEvents: string };
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void };
  onBatch?: (stats: { distributed: number; redelivered: number; deadLettered: number; lagMs: number[] }) => void;
};

type DeadLetter = { raw: KafkaMessage; partition: number; reason: string };

export class CallRequestsConsumer {
  readonly consumer: Consumer;
  private joined = false;

  constructor(private readonly options: CallRequestsConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    const { GROUP_JOIN, CRASH, STOP, DISCONNECT } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => (this.joined = true));
    for (const event of [CRASH, STOP, DISCONNECT]) this.consumer.on(event, () => (this.joined = false));
    // A retriable crash (a broker still loading its coordinator, say) restarts the consumer by itself: a warning, not an error.
    this.consumer.on(CRASH, (e) => {
      const log = e.payload.restart ? options.log.warn : options.log.error;
      log({ err: e.payload.error, restart: e.payload.restart }, e.payload.restart ? 'consumer restarting after a retriable error' : 'consumer crashed');
    });
  }

  /** True once the consumer has joined its group and until it stops. */
  get isReady(): boolean {
    return this.joined;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topics.callRequests, fromBeginning: true });
    await this.consumer.run({ eachBatchAutoResolve: false, eachBatch: (payload) => this.handleBatch(payload) });
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const rawOf = new Map<CallRequested, KafkaMessage>();
    const deadLetters: DeadLetter[] = [];
    for (const raw of batch.messages) {
      const checked = checkCallRequest(raw);
      if (checked.ok) rawOf.set(checked.message, raw);
      else deadLetters.push({ raw, partition: batch.partition, reason: checked.reason });
    }
    const valid = [...rawOf.keys()];
    // The database effect comes first; the offset moves only after it committed.
    const result = valid.length
      ? await distributeCalls(this.options.db, valid, this.options.topics.callEvents)
      : { distributed: [], redelivered: [], unknown: [], outboxRows: [] };
    for (const message of result.unknown) {
      deadLetters.push({ raw: rawOf.get(message)!, partition: batch.partition, reason: `unknown call ${message.call.id}: no such row in calls` });
    }
    if (deadLetters.length) await this.deadLetter(this.options.relay.producer, deadLetters);
    this.options.relay.publish(result.outboxRows);

    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
    const now = Date.now();
    this.options.onBatch?.({
      distributed: result.distributed.length,
      redelivered: result.redelivered.length,
      deadLettered: deadLetters.length,
      lagMs: valid.map((m) => now - Date.parse(m.occurredAt)),
    });
    if (result.redelivered.length) this.options.log.info({ calls: result.redelivered.map((m) => m.call.id) }, 'redelivered call requests changed nothing');
  }

  private async deadLetter(producer: Producer, letters: DeadLetter[]): Promise<void> {
    const { callRequests, callRequestsDlq } = this.options.topics;
    await producer.send({
      topic: callRequestsDlq,
      acks: -1,
      messages: letters.map(({ raw, partition, reason }) => ({
        key: raw.key,
        value: raw.value,
        headers: {
          ...raw.headers,
          [dlqHeaders.reason]: reason,
          [dlqHeaders.sourceTopic]: callRequests,
          [dlqHeaders.sourcePartition]: String(partition),
          [dlqHeaders.sourceOffset]: raw.offset,
          [dlqHeaders.failedAt]: new Date().toISOString(),
        },
      })),
    });
    for (const { raw, reason } of letters) this.options.log.warn({ offset: raw.offset, reason }, 'message sent to the dead-letter topic');
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

// Publishes outbox rows to Kafka: at once after their transaction commits, and by a sweep for whatever that missed.
// Both paths claim a row by deleting it in a transaction that commits only after Kafka's ack, so a row is sent by one
// of them at a time, and a crash or a failed send leaves it in the outbox for the next try (at-least-once, never lost).
// A claim takes a row only with, or after, every older row of its key (db/queries/outbox.ts), so each key's messages
// are first sent in the order they were written; a send whose claim fails after Kafka's ack is sent again later (a
// redelivery of an older message, which consumers recognise by its sequence or id).
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { SendRounds } from './send-rounds.ts';
import { claimDueOutboxRows, claimOutboxRows, type ClaimedOutboxRow, type Database, type OutboxMessage, type OutboxRow } from '@switchboard/db';

export type { OutboxMessage, OutboxRow } from '@switchboard/db';

export type OutboxRelayOptions = {
  db: Database;
  kafka: Kafka;
  /** How often the sweep looks for rows the fast path did not publish. */
  sweepIntervalMs?: number;
  /** A row younger than this belongs to the fast path; the sweep leaves it alone. */
  sweepMinAgeMs?: number;
  sweepBatchSize?: number;
  /** Topics whose messages are first sent in key order, a key's older unsent rows first (call-events: per call). */
  orderedTopics?: readonly string[];
  /**
   * The longest a claim's transaction waits for Kafka's ack. Past it the transaction rolls back and the rows stay for
   * the next try; an ack that still comes later only makes that try a redelivery (at least once). Keep it under the
   * database's idle-in-transaction timeout (10 s), which would end the transaction anyway.
   */
  sendTimeoutMs?: number;
  /** Fault tests only: runs after Kafka acknowledged a fast-path send, before its claim commits. */
  afterSend?: (rows: readonly ClaimedOutboxRow[]) => Promise<void>;
  onError?: (error: unknown, where: 'publish' | 'sweep') => void;
  onPublished?: (count: number, via: 'fast_path' | 'sweep') => void;
};

/** A blocked row is tried again after 10, 20, 40 … ms, this many times; then the sweep takes it. */
const blockedRetries = 7;

export class SendTimeoutError extends Error {
  constructor(
    ms: number,
    /** Whether the produce request had gone out (then the producer is replaced), or the producer was still connecting. */
    readonly duringSend: boolean,
  ) {
    super(`Kafka did not ${duringSend ? 'acknowledge' : 'accept a connection'} within ${ms} ms; the rows stay in the outbox`);
    this.name = 'SendTimeoutError';
  }
}

/**
 * Kafka refuses a record batch over `message.max.bytes` (1 MB by default), and one partition's messages of a request
 * form one batch: a claim is sent in requests of at most this many bytes of values, one after another.
 */
const requestBytes = 512 * 1024;

/**
 * Sends the rows in id order, in as few produce requests as fit `requestBytes`, each grouped by topic (so per-key order
 * holds: a key's messages go to one partition, and the idempotent producer keeps their order there).
 */
async function sendInOrder(producer: Producer, rows: ClaimedOutboxRow[]): Promise<void> {
  let request = new Map<string, Message[]>();
  let bytes = 0;
  const flush = async () => {
    if (request.size === 0) return;
    const topicMessages = [...request].map(([topic, messages]) => ({ topic, messages }));
    request = new Map();
    bytes = 0;
    await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
  };
  for (const row of rows.toSorted((a, b) => Number(a.id) - Number(b.id))) {
    if (bytes > 0 && bytes + row.value.length > requestBytes) await flush();
    let messages = request.get(row.topic);
    if (!messages) request.set(row.topic, (messages = []));
    messages.push({ key: row.key, value: row.value, headers: row.headers });
    bytes += row.value.length;
  }
  await flush();
}

/**
 * Errors after which the producer cannot go on: a send abandoned at the deadline (it may still be retried inside KafkaJS,
 * and the idempotent producer's sequence numbers no longer match the broker's), or the broker saying so.
 */
const brokenProducer = (error: unknown): boolean =>
  (error instanceof SendTimeoutError && error.duringSend) ||
  // INVALID_RECORD: after a Kafka restart with other clients busy, a producer was seen failing every send with it for
  // as long as it lived (the records themselves were the same ones a new producer sends).
  ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_RECORD'].includes((error as { type?: string } | null)?.type ?? '');

export class OutboxRelay {
  private current: Producer;
  private readonly db: Database;
  private readonly options: Required<Omit<OutboxRelayOptions, 'db' | 'kafka' | 'onError' | 'onPublished' | 'afterSend'>> & OutboxRelayOptions;
  private pending: OutboxRow[] = [];
  private readonly attempts = new WeakMap<OutboxRow, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private flushing: Promise<void> | null = null;
  /** Fast-path rounds (each takes the oldest rows handed over, one claim's worth), for `settled()`. */
  private readonly rounds = new SendRounds();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private connected = false;
  private connecting: Promise<void> | null = null;
  private stopped = false;

  constructor(options: OutboxRelayOptions) {
    this.options = { sweepIntervalMs: 1_000, sweepMinAgeMs: 2_000, sweepBatchSize: 1_000, sendTimeoutMs: 5_000, orderedTopics: [], ...options };
    this.db = options.db;
    this.current = this.createProducer();
  }

  /** The producer the relay sends with now (the worker sends its dead letters with it too). */
  get producer(): Producer {
    return this.current;
  }

  private createProducer(): Producer {
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Few retries: when Kafka is down the rows stay in the outbox and the sweep sends them later.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    producer.on('producer.connect', () => producer === this.current && (this.connected = true));
    producer.on('producer.disconnect', () => producer === this.current && (this.connected = false));
    return producer;
  }

  /** After an error the producer cannot go on from, a new one (new producer id, fresh sequence numbers) takes over. */
  private recover(error: unknown): void {
    if (!brokenProducer(error) || this.stopped) return;
    const broken = this.current;
    this.current = this.createProducer();
    this.connected = false;
    this.connecting = null;
    void broken.disconnect().catch(() => {});
  }

  /**
   * Connects the producer if it is not (at start Kafka may have been away, and a replaced producer starts disconnected),
   * then sends, all within `sendTimeoutMs`: a claim's transaction never stays open longer on Kafka's account.
   */
  private async send(rows: ClaimedOutboxRow[]): Promise<void> {
    const producer = this.current;
    const ms = this.options.sendTimeoutMs;
    let sending = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new SendTimeoutError(ms, sending)), ms);
    });
    const work = (async () => {
      if (!this.connected) await this.connect(producer);
      sending = true;
      await sendInOrder(producer, rows);
    })();
    work.catch(() => {}); // a failure after the deadline is already accounted for
    try {
      await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One connection attempt at a time, shared by whoever needs it. */
  private connect(producer: Producer): Promise<void> {
    this.connecting ??= producer.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects the producer (if Kafka is down, each send tries again) and starts the sweep. */
  async start(): Promise<void> {
    await this.connect(this.current).catch((error: unknown) => this.options.onError?.(error, 'publish'));
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /**
   * Sends messages that have no outbox row, in the order given, with the relay's producer and deadline: what they
   * stand for is recorded elsewhere (call-api's call requests: the call row, still `received`), and sent again from
   * there when this fails, which it does by throwing.
   */
  async sendNow(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const rows = messages.map((m, i) => ({ id: String(i), topic: m.topic, key: m.key, value: JSON.stringify(m.payload), headers: m.headers ?? {} }));
    try {
      await this.send(rows);
    } catch (error) {
      this.recover(error);
      throw error;
    }
  }

  /** Hands committed rows to the fast path; it never throws, since the rows are safe in the outbox. */
  publish(rows: OutboxRow[]): void {
    if (this.stopped || rows.length === 0) return;
    this.pending.push(...rows);
    this.rounds.handOver(rows.length);
    // Set to null by the flush itself as it ends, in the same tick as its last look at `pending`: no row is left behind.
    this.flushing ??= this.flush();
  }

  /**
   * Resolves once every row handed to `publish()` before the call has had its fast-path send tried (sent, or left in
   * the outbox for a retry or the sweep). A message sent to Kafka by other means after it cannot overtake them: call-api
   * sends routing actions straight to Kafka, after the configuration changes this process committed before.
   */
  settled(): Promise<void> {
    return this.rounds.settled(this.flushing !== null && !this.stopped);
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        await this.flushRound();
        this.rounds.roundEnded(this.pending.length);
      }
    } finally {
      // Nothing left to wait for (also when stopping): whoever waits goes on.
      this.rounds.idle();
      this.flushing = null;
    }
  }

  private async flushRound(): Promise<void> {
    // The oldest rows handed over, one claim's worth: a claim is given no more ids and keys than it may take. Given the
    // whole backlog, each claim looked up every pending row again to take a thousand of them: 1.5 s a claim at 50,000
    // pending (0.04 s with a claim's worth), so a burst made the relay slower the further it fell behind, until claims
    // hit the statement timeout.
    const rows = this.pending.splice(0, this.options.sweepBatchSize);
    try {
      // Claim the rows by deleting them in a transaction that commits only after Kafka acknowledged them: a row
      // another sender holds (or already sent) is skipped here, and a failed send puts every row back.
      const { sent, blocked, rest } = await this.db.$client.begin(async (sql) => {
        // A claim lost in a database crash only means the rows are sent again (at-least-once): no need to wait for
        // the WAL flush, which would sit on every call's path to Kafka.
        // Pipelined with the claim: one round trip.
        const [, claim] = await Promise.all([
          sql`set local synchronous_commit = off`,
          claimOutboxRows(sql, rows, this.options.sweepBatchSize, this.options.orderedTopics),
        ]);
        if (claim.claimed.length > 0) {
          await this.send(claim.claimed);
          await this.options.afterSend?.(claim.claimed);
        }
        const blocked = new Set(claim.blocked);
        const done = new Set(claim.claimed.map((r) => Number(r.id)));
        // A full claim took the oldest rows of these keys; ours that did not fit go in the next one, at once.
        const rest = claim.full ? rows.filter((r) => !done.has(Number(r.id)) && !blocked.has(Number(r.id))) : [];
        return { sent: claim.claimed.length, blocked, rest };
      });
      if (sent > 0) this.options.onPublished?.(sent, 'fast_path');
      if (rest.length > 0) this.pending.unshift(...rest);
      if (blocked.size > 0) this.retryBlocked(rows.filter((r) => blocked.has(Number(r.id))));
    } catch (error) {
      // Left in the outbox: the next claim of their keys, or the sweep, sends them once Kafka answers again.
      this.options.onError?.(error, 'publish');
      this.recover(error);
    }
  }

  /** Rows waiting behind an older row of their key that another sender holds: that send takes milliseconds, not seconds. */
  private retryBlocked(rows: OutboxRow[]): void {
    const ready: OutboxRow[] = [];
    for (const row of rows) {
      const attempt = (this.attempts.get(row) ?? 0) + 1;
      if (attempt > blockedRetries) continue; // the sweep's now
      this.attempts.set(row, attempt);
      ready.push(row);
    }
    if (ready.length === 0 || this.stopped) return;
    const attempt = this.attempts.get(ready[0]!)!;
    const timer = setTimeout(
      () => {
        this.retryTimers.delete(timer);
        this.publish(ready);
      },
      10 * 2 ** (attempt - 1),
    );
    this.retryTimers.add(timer);
  }

  /** Publishes rows older than the fast path's window; rows another relay holds are skipped, not waited for. */
  sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return this.sweeping ?? Promise.resolve();
    this.sweeping = this.sweepOnce()
      .catch((error) => {
        this.options.onError?.(error, 'sweep');
        this.recover(error);
      })
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    for (;;) {
      const { sent, due } = await this.db.$client.begin(async (sql) => {
        // As in the fast path (a lost claim means a resend), pipelined with the claim.
        const [, claim] = await Promise.all([
          sql`set local synchronous_commit = off`,
          claimDueOutboxRows(sql, this.options.sweepMinAgeMs, this.options.sweepBatchSize, this.options.orderedTopics),
        ]);
        if (claim.claimed.length > 0) await this.send(claim.claimed);
        return { sent: claim.claimed.length, due: claim.due };
      });
      if (sent > 0) this.options.onPublished?.(sent, 'sweep');
      if (due < this.options.sweepBatchSize || sent === 0 || this.stopped) return;
    }
  }

  /** Stops the sweep, waits for in-flight sends, and disconnects the producer (which flushes it). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    await Promise.allSettled([this.flushing, this.sweeping]);
    await this.producer.disconnect();
  }
}

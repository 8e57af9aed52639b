// Publishes outbox rows to Kafka: at once after their transaction commits, and by a sweep for whatever that missed.
// Both paths claim a row by deleting it in a transaction that commits only after Kafka's ack, so a row is sent by one
// of them at a time, and a crash or a failed send leaves it in the outbox for the next try (at-least-once, never lost).
import { asc, inArray, lt, sql } from 'drizzle-orm';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { outbox, type Database, type OutboxRow } from '@switchboard/db';

export type { OutboxMessage, OutboxRow } from '@switchboard/db';

export type OutboxRelayOptions = {
  db: Database;
  kafka: Kafka;
  /** How often the sweep looks for rows the fast path did not publish. */
  sweepIntervalMs?: number;
  /** A row younger than this belongs to the fast path; the sweep leaves it alone. */
  sweepMinAgeMs?: number;
  sweepBatchSize?: number;
  onError?: (error: unknown, where: 'publish' | 'sweep') => void;
  onPublished?: (count: number, via: 'fast_path' | 'sweep') => void;
};

/** A claimed row as the fast path reads it back: the payload stays the JSON text it was stored as, never re-parsed. */
type ClaimedRow = { id: number | string; topic: string; key: string; value: string; headers: Record<string, string> };

const asClaimed = (row: OutboxRow): ClaimedRow => ({ id: row.id, topic: row.topic, key: row.key, value: JSON.stringify(row.payload), headers: row.headers });

/** Sends rows grouped by topic, each group in id order, topics in order of first appearance (so per-key order holds). */
async function sendInOrder(producer: Producer, rows: ClaimedRow[]): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows.toSorted((a, b) => Number(a.id) - Number(b.id))) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.key, value: row.value, headers: row.headers });
  }
  for (const [topic, messages] of byTopic) {
    await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
  }
}

export class OutboxRelay {
  readonly producer: Producer;
  private readonly db: Database;
  private readonly options: Required<Omit<OutboxRelayOptions, 'db' | 'kafka' | 'onError' | 'onPublished'>> & OutboxRelayOptions;
  private pending: OutboxRow[] = [];
  private flushing: Promise<void> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private connected = false;
  private stopped = false;

  constructor(options: OutboxRelayOptions) {
    this.options = { sweepIntervalMs: 1_000, sweepMinAgeMs: 2_000, sweepBatchSize: 1_000, ...options };
    this.db = options.db;
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Few retries: when Kafka is down the rows stay in the outbox and the sweep sends them later.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    this.producer.on('producer.connect', () => (this.connected = true));
    this.producer.on('producer.disconnect', () => (this.connected = false));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects the producer (retrying in the background if Kafka is down) and starts the sweep. */
  async start(): Promise<void> {
    await this.producer.connect().catch((error) => this.options.onError?.(error, 'publish'));
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Hands committed rows to the fast path; it never throws, since the rows are safe in the outbox. */
  publish(rows: OutboxRow[]): void {
    if (this.stopped || rows.length === 0) return;
    this.pending.push(...rows);
    this.flushing ??= this.flush().finally(() => (this.flushing = null));
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const rows = this.pending;
      this.pending = [];
      try {
        // Claim the rows by deleting them in a transaction that commits only after Kafka acknowledged them:
        // a row the sweep holds (or already sent) is skipped here, and a failed send puts every row back.
        // One array parameter: the statement's text is the same for any number of rows, so it is prepared once.
        const sent = await this.db.$client.begin(async (sql) => {
          // A claim lost in a database crash only means the rows are sent again (at-least-once): no need to wait for
          // the WAL flush, which would sit on every call's path to Kafka.
          await sql`set local synchronous_commit = off`;
          const claimed = await sql<ClaimedRow[]>`
            delete from outbox where id = any(${rows.map((r) => r.id)}::bigint[])
            returning id, topic, key, payload::text as value, headers`;
          await sendInOrder(this.producer, claimed);
          return claimed.length;
        });
        if (sent > 0) this.options.onPublished?.(sent, 'fast_path');
      } catch (error) {
        // Left in the outbox: the sweep publishes them once Kafka answers again.
        this.options.onError?.(error, 'publish');
      }
    }
  }

  /** Publishes rows older than the fast path's window; rows another relay holds are skipped, not waited for. */
  sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return this.sweeping ?? Promise.resolve();
    this.sweeping = this.sweepOnce()
      .catch((error) => this.options.onError?.(error, 'sweep'))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    for (;;) {
      const count = await this.db.transaction(async (tx) => {
        await tx.execute(sql`set local synchronous_commit = off`); // as in the fast path: a lost claim means a resend
        // Rows the fast path is sending are locked by its transaction and skipped here.
        const due = tx
          .select({ id: outbox.id })
          .from(outbox)
          .where(lt(outbox.createdAt, sql`now() - make_interval(secs => ${this.options.sweepMinAgeMs / 1000})`))
          .orderBy(asc(outbox.id))
          .limit(this.options.sweepBatchSize)
          .for('update', { skipLocked: true });
        const rows = await tx.delete(outbox).where(inArray(outbox.id, due)).returning();
        if (rows.length > 0) await sendInOrder(this.producer, rows.map(asClaimed));
        return rows.length;
      });
      if (count > 0) this.options.onPublished?.(count, 'sweep');
      if (count < this.options.sweepBatchSize || this.stopped) return;
    }
  }

  /** Stops the sweep, waits for in-flight sends, and disconnects the producer (which flushes it). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled([this.flushing, this.sweeping]);
    await this.producer.disconnect();
  }
}

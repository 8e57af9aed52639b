// Publishes one routing domain's call events to Kafka from what its decisions committed, with no outbox row: the events
// are already rows of `call_events`, and `routing_domains.published_tx` says how far Kafka has acknowledged them.
//
// Live, each committed decision's events are sent from memory, in commit order, as soon as the send before them is
// acknowledged (what commits meanwhile goes in the next send). After a failed send, and when the domain is taken over,
// the publisher catches up instead: it reads the events past its position back from `call_events`, in the order the
// decisions committed, and sends them; decisions committing meanwhile wait behind that catch-up, so no event of a call
// is ever sent ahead of an older one. A send is at least once: what a crash or a failure leaves unacknowledged is sent
// again, and consumers recognise a copy by the call's sequence.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallEvent } from '@switchboard/contracts';
import { advancePublishedPosition, afterTransaction, readDomainEventsAfter, savePublishedPosition, type Database, type StreamPosition } from '@switchboard/db';

export type CallEventsPublisherOptions = {
  db: Database;
  domain: string;
  /** Sends the events to `call-events` in the order given; throws when Kafka did not acknowledge them all. */
  send: (events: readonly CallEvent[]) => Promise<void>;
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
  onPublished?: (count: number, via: 'live' | 'catch_up') => void;
  /** Runs `work` between two decisions of the domain (the router's serial chain): none is in flight meanwhile. */
  betweenDecisions: (work: () => Promise<void>) => Promise<void>;
  /** How often a domain with no decision since the last look has its position moved up to the present. */
  idleAdvanceMs?: number;
  /** Events read back per catch-up query. */
  catchUpBatch?: number;
  /** How long after an acknowledgement the position is saved on its own, when no decision came to carry it. */
  saveAfterMs?: number;
  /** First wait after a failed send or read; it doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
};

/** A committed decision's events, by its transaction id. */
type Committed = { tx: bigint; events: readonly CallEvent[] };

export class CallEventsPublisher {
  private readonly options: Required<Omit<CallEventsPublisherOptions, 'onPublished'>> & CallEventsPublisherOptions;
  private epoch = 0;
  /** Every event of the domain's decisions up to this transaction is acknowledged. */
  private acked = 0n;
  /** What `routing_domains.published_tx` holds, as far as this publisher wrote or read it. */
  private saved = 0n;
  private mode: 'live' | 'catching_up' = 'catching_up';
  /** Live: committed decisions not sent yet. Catching up: those committed since the current read began. */
  private queue: Committed[] = [];
  private pumping: Promise<void> | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** A decision committed since the idle timer last looked. */
  private busy = false;
  private readonly stopping = new AbortController();
  private started = false;

  constructor(options: CallEventsPublisherOptions) {
    this.options = { catchUpBatch: 2_000, saveAfterMs: 250, idleAdvanceMs: 10_000, retryMs: 200, maxRetryMs: 5_000, ...options };
  }

  /** Begins for the epoch that claimed the domain, from the stored position: whatever is past it is sent first. */
  start(epoch: number, publishedTx: string): void {
    this.epoch = epoch;
    this.acked = this.saved = BigInt(publishedTx);
    this.mode = 'catching_up';
    this.started = true;
    this.kick();
    this.idleTimer = setInterval(() => {
      if (!this.busy) void this.options.betweenDecisions(() => this.advanceWhileIdle()).catch(() => {});
      this.busy = false;
    }, this.options.idleAdvanceMs);
    this.idleTimer.unref();
  }

  /** After each decision of the domain commits, in commit order: its transaction id and the events it publishes. */
  committed(tx: string, events: readonly CallEvent[]): void {
    this.busy = true;
    if (!this.started || this.stopping.signal.aborted || events.length === 0) return;
    this.queue.push({ tx: BigInt(tx), events });
    if (this.mode === 'live') this.kick();
  }

  /** The position for the next decision to save, when it moved since it was last saved (an xid8 as text), else null. */
  positionToSave(): string | null {
    return this.acked > this.saved ? this.acked.toString() : null;
  }

  /** A decision carrying `positionToSave()` committed. */
  positionSaved(tx: string): void {
    const saved = BigInt(tx);
    if (saved > this.saved) this.saved = saved;
  }

  /** Stops sending (the domain went to another worker, or the worker stops), then saves how far it got. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    await this.pumping;
    if (this.started) await this.save();
  }

  private kick(): void {
    if (this.pumping || this.stopping.signal.aborted) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      // A decision committed as the pump ended: it is not left waiting.
      if (this.mode === 'live' && this.queue.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    let retryMs = this.options.retryMs;
    while (!this.stopping.signal.aborted) {
      try {
        if (this.mode === 'catching_up') await this.catchUp();
        else if (this.queue.length > 0) await this.sendLive();
        else return;
        retryMs = this.options.retryMs;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        if (this.mode === 'live') {
          this.options.log.warn(
            { err: error, domain: this.options.domain },
            'could not publish call events; reading them back from call_events until Kafka takes them',
          );
        } else {
          this.options.log.warn({ err: error, domain: this.options.domain, retryMs }, 'catching up on call events failed; trying again');
        }
        // What was in flight, and what committed since, is in call_events: the catch-up sends it, in order.
        this.mode = 'catching_up';
        this.queue = [];
        await sleep(retryMs, undefined, { signal: this.stopping.signal }).catch(() => {});
        retryMs = Math.min(retryMs * 2, this.options.maxRetryMs);
      }
    }
  }

  private async sendLive(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const events = batch.flatMap((c) => c.events);
    await this.options.send(events);
    this.acked = batch.at(-1)!.tx;
    this.options.onPublished?.(events.length, 'live');
    this.scheduleSave();
  }

  /**
   * One read of the events past the position, and their send. A short read means every decision committed before it
   * began is sent: the decisions that committed since (all with larger ids) are sent live from here on.
   */
  private async catchUp(): Promise<void> {
    let position: StreamPosition = afterTransaction(this.acked.toString());
    for (;;) {
      this.queue = [];
      const read = await readDomainEventsAfter(this.options.db.$client, this.options.domain, position, this.options.catchUpBatch);
      if (this.stopping.signal.aborted) return;
      if (read.events.length > 0) {
        await this.options.send(read.events);
        this.options.onPublished?.(read.events.length, 'catch_up');
      }
      if (read.lastWholeTxId !== null && BigInt(read.lastWholeTxId) > this.acked) this.acked = BigInt(read.lastWholeTxId);
      this.scheduleSave();
      if (read.full) {
        position = read.last!;
        continue;
      }
      const acked = this.acked;
      this.queue = this.queue.filter((c) => c.tx > acked);
      this.mode = 'live';
      this.options.log.info({ domain: this.options.domain, publishedTx: acked.toString() }, 'call events caught up; publishing live');
      return;
    }
  }

  /**
   * An idle domain's position would otherwise stay at its last decision while other domains' events pile up past it,
   * and a takeover's catch-up would read through all of them. With every event of the domain acknowledged and none
   * being sent, and no decision in flight (`betweenDecisions`), the position can move up to the present.
   */
  private async advanceWhileIdle(): Promise<void> {
    if (this.mode !== 'live' || this.queue.length > 0 || this.pumping || this.stopping.signal.aborted) return;
    try {
      const tx = await advancePublishedPosition(this.options.db.$client, this.options.domain, this.epoch);
      if (tx === null) return;
      const at = BigInt(tx);
      if (at > this.acked) this.acked = at;
      if (at > this.saved) this.saved = at;
    } catch (error) {
      this.options.log.warn({ err: error, domain: this.options.domain }, "could not move an idle domain's published position up");
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer || this.stopping.signal.aborted) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.save();
    }, this.options.saveAfterMs);
    this.saveTimer.unref();
  }

  private async save(): Promise<void> {
    const position = this.positionToSave();
    if (position === null) return;
    try {
      await savePublishedPosition(this.options.db.$client, this.options.domain, this.epoch, position);
      this.positionSaved(position);
    } catch (error) {
      // Only a longer catch-up for the next owner: the events are sent again, and recognised as copies.
      this.options.log.warn({ err: error, domain: this.options.domain }, 'could not save how far call events are published');
    }
  }
}

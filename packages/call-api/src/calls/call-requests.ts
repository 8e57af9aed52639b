// Hands accepted calls to their routing workers: one `call.requested` per call on `routing-inputs`, sent right after the
// intake's commit, with no outbox row. The call row is the record of what is owed: while a call is `received` its
// worker has not taken it, so a sweep sends the request again for calls still `received` a while after their last send
// (Kafka was down, the process died before sending, the send failed). The request carries the call's `call.received`
// event, which the worker publishes on `call-events` with its first decision, ahead of that decision's events.
import { claimUnroutedCalls, type CallRow, type Database, type OutboxMessage } from '@switchboard/db';
import { SendRounds, type OutboxRelay } from '@switchboard/messaging';
import type { CallEvent } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { toCall, toCallRequested } from './call-view.ts';

export type CallRequestsOptions = {
  db: Database;
  relay: Pick<OutboxRelay, 'sendNow'>;
  topic: string;
  /** How often the sweep looks for calls still `received`. */
  sweepIntervalMs: number;
  /** A call's request is sent again once it has been `received` this long since its first send, then twice as long apart. */
  resendAfterMs: number;
  sweepBatchSize?: number;
  onError?: (error: unknown, where: 'send' | 'sweep') => void;
  onSent?: (count: number, via: 'after_commit' | 'resend') => void;
};

/** The request for a call, with its first event as stored. */
export function callRequest(topic: string, call: CallRow, received: CallEvent): OutboxMessage {
  const payload = { ...toCallRequested(toCall(call), call.domain, randomUUID()), received };
  return { topic, key: call.domain, payload, headers: { type: 'call.requested' } };
}

export class CallRequests {
  private outgoing: OutboxMessage[] = [];
  private sending: Promise<void> | null = null;
  private readonly rounds = new SendRounds();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: CallRequestsOptions) {}

  start(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Requests of calls just committed: sent at once, with any others that came meanwhile; never throws. */
  send(messages: OutboxMessage[]): void {
    if (this.stopped || messages.length === 0) return;
    this.outgoing.push(...messages);
    this.rounds.handOver(messages.length);
    this.sending ??= this.flush();
  }

  /** Resolves once every request handed to `send()` before the call has been tried (an action must not overtake it). */
  settled(): Promise<void> {
    return this.rounds.settled(this.sending !== null);
  }

  private async flush(): Promise<void> {
    while (this.outgoing.length > 0) {
      const batch = this.outgoing;
      this.outgoing = [];
      try {
        await this.options.relay.sendNow(batch);
        this.options.onSent?.(batch.length, 'after_commit');
      } catch (error) {
        // The calls stay `received`: the sweep sends them again.
        this.options.onError?.(error, 'send');
      }
      this.rounds.roundEnded(this.outgoing.length);
    }
    this.rounds.idle();
    this.sending = null;
  }

  /** Sends again the requests of calls still `received` long after their last send. */
  sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return this.sweeping ?? Promise.resolve();
    this.sweeping = this.sweepOnce()
      .catch((error: unknown) => this.options.onError?.(error, 'sweep'))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const limit = this.options.sweepBatchSize ?? 1_000;
    const due = await claimUnroutedCalls(this.options.db.$client, this.options.resendAfterMs, limit);
    if (due.length === 0) return;
    const messages = due.map(({ call, received }) =>
      callRequest(this.options.topic, call, {
        id: received.id,
        type: 'call.received',
        version: 1,
        occurredAt: new Date(received.occurredAt).toISOString(),
        callId: call.id,
        sequence: 1,
        status: 'received',
        // A call.received's data is the call's destination as intake wrote it: taken from the call row itself.
        data: { destinationId: call.destinationId },
      }),
    );
    await this.options.relay.sendNow(messages);
    this.options.onSent?.(messages.length, 'resend');
  }

  /** Stops the sweep and waits for the sends in flight; what is left is sent by another instance's sweep, or this one's next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled([this.sending, this.sweeping]);
  }
}

// Sends an action to the worker that owns its routing domain and waits for the decision: the answer comes by PostgreSQL
// NOTIFY from the decision's own transaction, so it is given only once the decision is durable.
//
// Actions go straight to Kafka, not through the outbox: the caller waits for the decision, so an action that never got
// there is answered 503 and retried by the caller, and nothing needs to survive this process. (The outbox is for what
// was acknowledged before it reached Kafka: a call answered 202, a configuration change committed.) An action waits
// until what this process committed before it has been tried (configuration changes' outbox rows, calls' requests), so
// it never overtakes them: an agent's status set right after the agent was created finds the agent known to the worker,
// and a caller's hang-up right after the call was taken finds the call. Actions that arrive while a send
// is in flight go together in the next produce request.
import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import { RoutingOutcome, routingOutcomeChannel, type RoutingAction } from '@switchboard/contracts';
import type { Database } from '@switchboard/db';
import { actionMessage } from './routing-inputs.ts';

export type RoutingDecision = { kind: 'decided'; ignored?: string } | { kind: 'timeout' } | { kind: 'unsent'; detail: string };

export type RoutingRequestsOptions = {
  db: Database;
  kafka: Kafka;
  /**
   * Resolves once what this process committed before (calls' requests, configuration changes' outbox rows) has been
   * tried: an action is sent after it, so it cannot overtake them.
   */
  earlierSends: () => Promise<unknown>;
  topic: string;
  /** How long a request waits for the worker's decision before the API answers 503. */
  timeoutMs: number;
  /** How long a produce request may take (connecting included) before its actions are answered 503. */
  sendTimeoutMs: number;
};

type Outgoing = { message: Message; sent: (error?: unknown) => void };

export class RoutingRequests {
  private readonly waiting = new Map<string, (outcome: RoutingOutcome) => void>();
  private unlisten: (() => Promise<void>) | null = null;
  private readonly producer: Producer;
  private connected = false;
  private outgoing: Outgoing[] = [];
  private sending = false;

  constructor(private readonly options: RoutingRequestsOptions) {
    // Not idempotent: a retried send may put an action on the topic twice, and the worker applies a request id once.
    this.producer = options.kafka.producer({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } });
    this.producer.on('producer.connect', () => (this.connected = true));
    this.producer.on('producer.disconnect', () => (this.connected = false));
  }

  /** Listens for decisions (postgres.js keeps a connection of its own for it and re-listens after a reconnect). */
  async start(): Promise<void> {
    const listener = await this.options.db.$client.listen(routingOutcomeChannel, (payload) => {
      const parsed = RoutingOutcome.safeParse(JSON.parse(payload));
      if (parsed.success) this.waiting.get(parsed.data.requestId)?.(parsed.data);
    });
    this.unlisten = listener.unlisten;
    // Kafka may be away at start: the first action connects then.
    void this.producer.connect().catch(() => {});
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    await this.producer.disconnect().catch(() => {});
  }

  /** Sends the action to Kafka, then waits for the decision. */
  async request(domain: string, action: RoutingAction): Promise<RoutingDecision> {
    const requestId = randomUUID();
    const decided = new Promise<RoutingDecision>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve({ kind: 'timeout' });
      }, this.options.timeoutMs);
      this.waiting.set(requestId, (outcome) => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        resolve(outcome.ignored === undefined ? { kind: 'decided' } : { kind: 'decided', ignored: outcome.ignored });
      });
    });
    const { key, payload, headers } = actionMessage(this.options.topic, domain, requestId, action);
    let failure: unknown;
    const sending = this.options
      .earlierSends()
      .then(() => this.send({ key, value: JSON.stringify(payload), headers }))
      .then(
        () => null,
        (error: unknown) => {
          failure = error ?? new Error('send failed');
          return null;
        },
      );
    // The decision's timer runs from the start: a send that outlasts it is answered as a timeout (it may still apply).
    const first = await Promise.race([sending, decided]);
    if (first) return first;
    if (failure !== undefined) {
      this.waiting.get(requestId)?.({ requestId, ignored: 'not_sent' });
      const reason = failure instanceof Error ? failure.message : String(failure);
      return { kind: 'unsent', detail: `Kafka did not take the action (${reason}); it was most likely not sent: check the call, then retry` };
    }
    return decided;
  }

  private send(message: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      this.outgoing.push({ message, sent: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.sending) void this.flush();
    });
  }

  /** One produce request at a time, with every action that arrived meanwhile. */
  private async flush(): Promise<void> {
    this.sending = true;
    while (this.outgoing.length > 0) {
      const batch = this.outgoing;
      this.outgoing = [];
      let error: unknown;
      try {
        await withDeadline(this.options.sendTimeoutMs, async () => {
          if (!this.connected) await this.producer.connect();
          await this.producer.send({ topic: this.options.topic, acks: -1, messages: batch.map((o) => o.message) });
        });
      } catch (e) {
        error = e ?? new Error('send failed');
      }
      for (const o of batch) o.sent(error);
    }
    this.sending = false;
  }
}

async function withDeadline(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms);
  });
  const running = work();
  running.catch(() => {}); // a failure after the deadline is already answered
  try {
    await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

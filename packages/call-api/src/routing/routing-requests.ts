// Sends an action to the worker that owns its routing domain and waits for the decision: the answer comes by PostgreSQL
// NOTIFY from the decision's own transaction, so it is given only once the decision is durable.
import { randomUUID } from 'node:crypto';
import { RoutingOutcome, routingOutcomeChannel, type RoutingAction } from '@switchboard/contracts';
import { insertOutbox, type Database } from '@switchboard/db';
import type { OutboxRelay } from '@switchboard/messaging';
import { actionMessage } from './routing-inputs.ts';

export type RoutingDecision = { kind: 'decided'; ignored?: string } | { kind: 'timeout' };

export type RoutingRequestsOptions = {
  db: Database;
  relay: Pick<OutboxRelay, 'publish'>;
  topic: string;
  /** How long a request waits for the worker's decision before the API answers 503. */
  timeoutMs: number;
};

export class RoutingRequests {
  private readonly waiting = new Map<string, (outcome: RoutingOutcome) => void>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly options: RoutingRequestsOptions) {}

  /** Listens for decisions (postgres.js keeps a connection of its own for it and re-listens after a reconnect). */
  async start(): Promise<void> {
    const listener = await this.options.db.$client.listen(routingOutcomeChannel, (payload) => {
      const parsed = RoutingOutcome.safeParse(JSON.parse(payload));
      if (parsed.success) this.waiting.get(parsed.data.requestId)?.(parsed.data);
    });
    this.unlisten = listener.unlisten;
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
  }

  /** Commits the action to the outbox (so it is not lost however the API fares), then waits for the decision. */
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
    try {
      const rows = await this.options.db.$client.begin((sql) => insertOutbox(sql, [actionMessage(this.options.topic, domain, requestId, action)]));
      this.options.relay.publish(rows);
    } catch (error) {
      this.waiting.get(requestId)?.({ requestId, ignored: 'not_sent' });
      throw error;
    }
    return decided;
  }
}

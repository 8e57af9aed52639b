// Accepts new calls: concurrent requests are committed together, each call with its first event; then each call's
// routing request is sent (call-requests.ts: the call row, `received`, records that it is owed).
import { createHash, randomUUID } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { CallEvent, CreateCallBody, Destination, Topics } from '@switchboard/contracts';
import { callsByIdempotencyKey, insertResolvedCalls, resolveDestinations, type CallRequest, type Database, type OutboxMessage } from '@switchboard/db';
import { callRequest, type CallRequests } from './call-requests.ts';
import { toCall } from './call-view.ts';

export type IntakeRequest = { body: CreateCallBody; idempotencyKey?: string | undefined };

export type IntakeResult =
  | { kind: 'accepted'; call: ReturnType<typeof toCall>; replayed: boolean }
  | { kind: 'unknown_destination'; to: string }
  | { kind: 'type_mismatch'; given: string; destination: Destination }
  | { kind: 'idempotency_conflict'; callId: string }
  /** The database refused this request's values even in a transaction of its own (the error says which and why). */
  | { kind: 'unstorable'; error: unknown };

/**
 * What the batch's statement stored: the requests answered, the routing requests now owed, and the requests it did not
 * store (why is read next), of which `followers` came behind another request of their key in the batch.
 */
type Committed = { results: Map<Pending, IntakeResult>; requests: OutboxMessage[]; unstored: Pending[]; followers: ReadonlySet<Pending> };

/** `hash`: of the body, for a request with an idempotency key (a replay must repeat it); null without one. */
type Pending = IntakeRequest & { hash: string | null; resolve: (r: IntakeResult) => void; reject: (e: unknown) => void };

export type CallIntakeOptions = {
  db: Database;
  requests: Pick<CallRequests, 'send'>;
  topics: Pick<Topics, 'routingInputs'>;
  maxBatch: number;
  maxConcurrent: number;
  onCommitted?: (results: IntakeResult[]) => void;
  /** A request the database refused on its own (after its batch was split to find it). */
  onRefused?: (error: unknown) => void;
};

/**
 * Errors caused by the values a transaction carried, not by the database's state: SQLSTATE class 22 (data exception:
 * NUL in text, bad JSON, a value out of range), 23 (integrity constraint violation) and 54 (program limit exceeded:
 * a value too large to index). In a batch such an error is likely one request's fault, so the batch is split to find
 * it. Anything else (connection lost, PostgreSQL down or shutting down, a timeout) is nobody's fault and fails the
 * batch as it is: retrying it in pieces would only multiply the wait.
 */
const isValueFault = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
};

/** The same body always hashes the same, whatever its key order. */
const hashBody = (body: CreateCallBody): string => createHash('sha256').update(stringify(body) ?? '').digest('base64url');

export class CallIntake {
  private queue: Pending[] = [];
  private active = 0;

  constructor(private readonly options: CallIntakeOptions) {}

  accept(request: IntakeRequest): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...request, hash: request.idempotencyKey ? hashBody(request.body) : null, resolve, reject });
      this.drain();
    });
  }

  /** Group commit: while transactions are in flight, requests gather and go together in the next one. */
  private drain(): void {
    while (this.active < this.options.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.active++;
      this.settle(batch)
        // settle answers every request itself; this is for a throw after that (a hook), where the rejects are no-ops.
        .catch((error) => batch.forEach((p) => p.reject(error)))
        .finally(() => {
          this.active--;
          this.drain();
        });
    }
  }

  /**
   * Commits the batch and answers every request in it. When the database refuses the batch for a value one request
   * carries (a NUL validation missed, say), the transaction rolled back whole, so nothing of it was written: the halves
   * are committed apart, and so on down to that request alone, which alone is refused. With k bad requests in a batch
   * of n that is about 2·k·log2(n) extra transactions, each valid request committing exactly once.
   */
  private async settle(batch: Pending[]): Promise<void> {
    let committed: Committed;
    try {
      committed = await this.commit(batch);
    } catch (error) {
      if (!isValueFault(error)) {
        for (const pending of batch) pending.reject(error);
      } else if (batch.length === 1) {
        this.options.onRefused?.(error);
        batch[0]!.resolve({ kind: 'unstorable', error });
      } else {
        // One half after the other: the split runs in this batch's slot, not at the expense of other batches.
        const half = Math.ceil(batch.length / 2);
        await this.settle(batch.slice(0, half));
        await this.settle(batch.slice(half));
      }
      return;
    }
    const { results, requests, unstored, followers } = committed;
    let again: Pending[] = [];
    if (unstored.length > 0) {
      try {
        again = await this.explain(unstored, followers, results);
      } catch (error) {
        // Nothing of theirs was written; the calls stored beside them are answered below all the same.
        for (const pending of unstored) pending.reject(error);
      }
    }
    const answered = batch.filter((p) => results.has(p));
    for (const pending of answered) pending.resolve(results.get(pending)!);
    this.options.onCommitted?.(answered.map((p) => results.get(p)!));
    this.options.requests.send(requests);
    // A request behind another of its key in this batch, whose call that one did not store (its number unknown, say):
    // it is the key's first request now.
    if (again.length > 0) await this.settle(again);
  }

  /**
   * One statement for the batch (atomic on its own), which throws, having written nothing, when the database refuses
   * any of it. Only requests it did not store (an unknown number, a type mismatch, a key already taken) cost more:
   * one more round trip, reading why.
   */
  private async commit(batch: Pending[]): Promise<Committed> {
    const { db, topics } = this.options;
    const sql = db.$client;
    const results = new Map<Pending, IntakeResult>();
    const fresh = new Map<string, Pending>(); // by the new call's id
    const followers: Pending[] = []; // a second request in this batch with a key already here
    const keysInBatch = new Set<string>();
    for (const pending of batch) {
      const { idempotencyKey } = pending;
      if (idempotencyKey && keysInBatch.has(idempotencyKey)) followers.push(pending);
      else {
        if (idempotencyKey) keysInBatch.add(idempotencyKey);
        fresh.set(randomUUID(), pending);
      }
    }
    const requests: CallRequest[] = [...fresh].map(([id, { body, idempotencyKey, hash }]) => ({
      id, from: body.from, to: body.to, language: body.language, type: body.type ?? null, priority: body.priority ?? 0,
      metadata: body.metadata ?? {}, idempotencyKey: idempotencyKey ?? null, requestHash: idempotencyKey ? hash : null,
    }));
    // Raw postgres.js with array parameters: the statement's text is the same whatever the batch size, so it is
    // prepared once per connection.
    const inserted = await insertResolvedCalls(sql, requests);
    for (const call of inserted) results.set(fresh.get(call.id)!, { kind: 'accepted', call: toCall(call), replayed: false });

    const unstored = [...[...fresh.values()].filter((p) => !results.has(p)), ...followers];

    // Each request carries its call's first event, which the worker publishes ahead of its own events for the call.
    const messages = inserted.map((call) => {
      const received: CallEvent = {
        id: call.receivedId, type: 'call.received', version: 1, occurredAt: call.createdAt.toISOString(),
        callId: call.id, sequence: 1, status: 'received', data: { destinationId: call.destinationId },
      };
      return callRequest(topics.routingInputs, call, received);
    });
    return { results, requests: messages, unstored, followers: new Set(followers) };
  }

  /**
   * Why these requests stored no call, as the statement saw it: the number's destination first (unknown, or of the
   * other kind), then the idempotency key (the call that holds it: the same body is a replay, another a conflict).
   * Returns the requests to commit again: those whose key no stored call holds (a request before them in the batch
   * had it, and stored nothing).
   */
  private async explain(unstored: Pending[], followers: ReadonlySet<Pending>, results: Map<Pending, IntakeResult>): Promise<Pending[]> {
    const sql = this.options.db.$client;
    const keys = [...new Set(unstored.flatMap((p) => (p.idempotencyKey ? [p.idempotencyKey] : [])))];
    const [destinations, existing] = await Promise.all([
      resolveDestinations(sql, [...new Set(unstored.map((p) => p.body.to))]),
      keys.length ? callsByIdempotencyKey(sql, keys) : new Map<string, never>(),
    ]);
    const again: Pending[] = [];
    for (const pending of unstored) {
      const { body, idempotencyKey } = pending;
      const destination = destinations.get(body.to);
      const first = idempotencyKey ? existing.get(idempotencyKey) : undefined;
      if (!destination) results.set(pending, { kind: 'unknown_destination', to: body.to });
      else if (body.type && body.type !== destination.kind) results.set(pending, { kind: 'type_mismatch', given: body.type, destination });
      else if (first) results.set(pending, first.requestHash === pending.hash ? { kind: 'accepted', call: toCall(first), replayed: true } : { kind: 'idempotency_conflict', callId: first.id });
      else if (followers.has(pending)) again.push(pending);
      // Its number got a destination after the statement ran: as far as this request goes, it had none.
      else results.set(pending, { kind: 'unknown_destination', to: body.to });
    }
    return again;
  }

  /** Requests still waiting for a transaction (for graceful shutdown and metrics). */
  get backlog(): number {
    return this.queue.length + this.active;
  }
}

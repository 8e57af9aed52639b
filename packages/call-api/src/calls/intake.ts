// Accepts new calls: concurrent requests are committed together, each call with its first event; then each call's
// routing request is sent (call-requests.ts: the call row, `received`, records that it is owed).
import { createHash, randomUUID } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { CallEvent, CreateCallBody, Destination, Topics } from '@switchboard/contracts';
import { callsByIdempotencyKey, insertCallEvents, insertCalls, resolveDestinations, type Database, type NewCall, type OutboxMessage } from '@switchboard/db';
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
    let committed: { results: Map<Pending, IntakeResult>; requests: OutboxMessage[] };
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
    for (const pending of batch) pending.resolve(committed.results.get(pending)!);
    this.options.onCommitted?.(batch.map((p) => committed.results.get(p)!));
    this.options.requests.send(committed.requests);
  }

  /** One transaction for the batch; it throws, having written nothing, when the database refuses any of it. */
  private async commit(batch: Pending[]): Promise<{ results: Map<Pending, IntakeResult>; requests: OutboxMessage[] }> {
    const { db, topics } = this.options;
    const results = new Map<Pending, IntakeResult>();
    // Raw postgres.js with array parameters: every statement's text is the same whatever the batch size, so each is
    // prepared once per connection, and the independent inserts go pipelined in one round trip.
    const requests = await db.$client.begin(async (sql) => {
      const destinations = await resolveDestinations(sql, [...new Set(batch.map((p) => p.body.to))]);
      const fresh: { pending: Pending; row: NewCall }[] = [];
      const followers: Pending[] = []; // a second request in this batch with a key already here
      const keysInBatch = new Set<string>();
      for (const pending of batch) {
        const { body, idempotencyKey } = pending;
        const destination = destinations.get(body.to);
        if (!destination) results.set(pending, { kind: 'unknown_destination', to: body.to });
        else if (body.type && body.type !== destination.kind) results.set(pending, { kind: 'type_mismatch', given: body.type, destination });
        else if (idempotencyKey && keysInBatch.has(idempotencyKey)) followers.push(pending);
        else {
          if (idempotencyKey) keysInBatch.add(idempotencyKey);
          fresh.push({
            pending,
            row: {
              id: randomUUID(), from: body.from, to: body.to, language: body.language, type: destination.kind,
              priority: body.priority ?? 0, metadata: body.metadata ?? {}, destinationId: destination.id,
              destinationName: destination.name, destinationNumber: destination.number, domain: destination.domain,
              idempotencyKey: idempotencyKey ?? null, requestHash: idempotencyKey ? pending.hash : null,
            },
          });
        }
      }
      if (fresh.length === 0 && followers.length === 0) return [];

      const inserted = fresh.length ? await insertCalls(sql, fresh.map((f) => f.row)) : [];
      const insertedById = new Map(inserted.map((r) => [r.id, r]));
      for (const { pending, row } of fresh) {
        const call = insertedById.get(row.id);
        if (call) results.set(pending, { kind: 'accepted', call: toCall(call), replayed: false });
      }

      // Keys that were already taken (by an earlier request, or a concurrent batch that committed first).
      const waiting = [...fresh.filter((f) => !insertedById.has(f.row.id)).map((f) => f.pending), ...followers];
      if (waiting.length > 0) {
        const keys = [...new Set(waiting.map((p) => p.idempotencyKey!))];
        const existing = await callsByIdempotencyKey(sql, keys);
        for (const pending of waiting) {
          const first = existing.get(pending.idempotencyKey!)!;
          results.set(
            pending,
            first.requestHash === pending.hash
              ? { kind: 'accepted', call: toCall(first), replayed: true }
              : { kind: 'idempotency_conflict', callId: first.id },
          );
        }
      }
      if (inserted.length === 0) return [];

      const events = inserted.map((call) => {
        const event: CallEvent = {
          id: randomUUID(), type: 'call.received', version: 1, occurredAt: call.createdAt.toISOString(),
          callId: call.id, sequence: 1, status: 'received', data: { destinationId: call.destinationId },
        };
        return event;
      });
      await insertCallEvents(sql, events);
      // Each request carries its call's first event, which the worker publishes ahead of its own events for the call.
      return inserted.map((call, i) => callRequest(topics.routingInputs, call, events[i]!));
    });
    return { results, requests };
  }

  /** Requests still waiting for a transaction (for graceful shutdown and metrics). */
  get backlog(): number {
    return this.queue.length + this.active;
  }
}

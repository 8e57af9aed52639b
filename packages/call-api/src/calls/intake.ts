// Accepts new calls: concurrent requests are committed together, each call with its first event and outbox messages.
import { createHash, randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import stringify from 'safe-stable-stringify';
import type { CallEvent, CreateCallBody, Destination, Topics } from '@switchboard/contracts';
import { callEvents, calls, outbox, type Database } from '@switchboard/db';
import type { OutboxRelay, OutboxRow } from '@switchboard/messaging';
import { resolveDestinations } from './destinations.ts';
import { toCall, toCallRequested, type CallRow } from './call-view.ts';

export type IntakeRequest = { body: CreateCallBody; idempotencyKey?: string | undefined };

export type IntakeResult =
  | { kind: 'accepted'; call: ReturnType<typeof toCall>; replayed: boolean }
  | { kind: 'unknown_destination'; to: string }
  | { kind: 'type_mismatch'; given: string; destination: Destination }
  | { kind: 'idempotency_conflict'; callId: string };

type Pending = IntakeRequest & { hash: string; resolve: (r: IntakeResult) => void; reject: (e: unknown) => void };

export type CallIntakeOptions = {
  db: Database;
  relay: Pick<OutboxRelay, 'publish'>;
  topics: Pick<Topics, 'callRequests' | 'callEvents'>;
  maxBatch: number;
  maxConcurrent: number;
  onCommitted?: (results: IntakeResult[]) => void;
};

/** The same body always hashes the same, whatever its key order. */
const hashBody = (body: CreateCallBody): string => createHash('sha256').update(stringify(body) ?? '').digest('base64url');

export class CallIntake {
  private queue: Pending[] = [];
  private active = 0;

  constructor(private readonly options: CallIntakeOptions) {}

  accept(request: IntakeRequest): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...request, hash: hashBody(request.body), resolve, reject });
      this.drain();
    });
  }

  /** Group commit: while transactions are in flight, requests gather and go together in the next one. */
  private drain(): void {
    while (this.active < this.options.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.active++;
      this.commit(batch)
        .then((published) => this.options.relay.publish(published))
        .catch((error) => batch.forEach((p) => p.reject(error)))
        .finally(() => {
          this.active--;
          this.drain();
        });
    }
  }

  private async commit(batch: Pending[]): Promise<OutboxRow[]> {
    const { db, topics } = this.options;
    const results = new Map<Pending, IntakeResult>();
    const rows = await db.transaction(async (tx) => {
      const destinations = await resolveDestinations(tx, [...new Set(batch.map((p) => p.body.to))]);
      const fresh: { pending: Pending; row: typeof calls.$inferInsert }[] = [];
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
              destinationName: destination.name, destinationNumber: destination.number,
              idempotencyKey: idempotencyKey ?? null, requestHash: idempotencyKey ? pending.hash : null,
            },
          });
        }
      }
      if (fresh.length === 0 && followers.length === 0) return [];

      const inserted = fresh.length
        ? await tx.insert(calls).values(fresh.map((f) => f.row)).onConflictDoNothing({ target: calls.idempotencyKey }).returning()
        : [];
      const insertedById = new Map(inserted.map((r) => [r.id, r]));
      for (const { pending, row } of fresh) {
        const call = insertedById.get(row.id!);
        if (call) results.set(pending, { kind: 'accepted', call: toCall(call), replayed: false });
      }

      // Keys that were already taken (by an earlier request, or a concurrent batch that committed first).
      const waiting = [...fresh.filter((f) => !insertedById.has(f.row.id!)).map((f) => f.pending), ...followers];
      if (waiting.length > 0) {
        const keys = [...new Set(waiting.map((p) => p.idempotencyKey!))];
        const existing = new Map<string, CallRow>();
        for (const row of await tx.select().from(calls).where(inArray(calls.idempotencyKey, keys))) existing.set(row.idempotencyKey!, row);
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
      await tx.insert(callEvents).values(
        events.map((e) => ({ id: e.id, callId: e.callId, sequence: e.sequence, type: e.type, status: e.status, data: e.data, occurredAt: new Date(e.occurredAt) })),
      );
      // The event first, then the request: the worker's own events for a call can only follow this one on call-events.
      const messages = inserted.flatMap((call, i) => [
        { topic: topics.callEvents, key: call.id, payload: events[i]!, headers: { type: 'call.received' } },
        { topic: topics.callRequests, key: call.destinationId, payload: toCallRequested(toCall(call), randomUUID()), headers: { type: 'call.requested' } },
      ]);
      return tx.insert(outbox).values(messages).returning();
    });
    for (const pending of batch) pending.resolve(results.get(pending)!);
    this.options.onCommitted?.(batch.map((p) => results.get(p)!));
    return rows;
  }

  /** Requests still waiting for a transaction (for graceful shutdown and metrics). */
  get backlog(): number {
    return this.queue.length + this.active;
  }
}

// GET /events behind the route: one reader per call-api instance tails `call_events` in PostgreSQL (stream order, see
// packages/db/src/queries/event-stream.ts) and hands each event to every live stream whose filter it matches. A stream
// that resumes (Last-Event-ID) first reads what it missed from PostgreSQL at its own pace, then joins the live ones.
// A live stream that cannot keep up is ended: its unsent bytes past `maxBufferedBytes` never hold up the others.
import type { Writable } from 'node:stream';
import type { CallEvent } from '@switchboard/contracts';
import { readStreamAfter, streamHead, type Database, type StreamedEventRow, type StreamPosition } from '@switchboard/db';

export type EventStreamFilter = { queueId?: string | undefined; ringGroupId?: string | undefined; agentId?: string | undefined; callId?: string | undefined };

export type EventStreamHubOptions = {
  db: Database;
  /** How often the reader looks for new events while any stream is open. */
  pollIntervalMs: number;
  /** A heartbeat comment to every stream this often, so proxies keep idle streams open. */
  heartbeatMs: number;
  /** A live stream whose unsent bytes exceed this is ended (the client reconnects with Last-Event-ID and catches up). */
  maxBufferedBytes: number;
  /** Events read per query. */
  pageSize?: number;
  onDropped?: () => void;
  onError?: (error: unknown) => void;
};

/** The order of the stream: (tx_id, call_id, sequence); tx_id compared as a number of any length. */
export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  const tx = a.txId.length - b.txId.length || (a.txId < b.txId ? -1 : a.txId > b.txId ? 1 : 0);
  if (tx !== 0) return tx;
  if (a.callId !== b.callId) return a.callId < b.callId ? -1 : 1;
  return a.sequence - b.sequence;
}

export const formatPosition = (p: StreamPosition): string => `${p.txId}:${p.callId}:${p.sequence}`;

export function parsePosition(id: string, pattern: RegExp): StreamPosition | undefined {
  const match = pattern.exec(id);
  return match ? { txId: String(BigInt(match[1]!)), callId: match[2]!, sequence: Number(match[3]) } : undefined;
}

export function matches(filter: EventStreamFilter, row: StreamedEventRow): boolean {
  return (
    (filter.callId === undefined || row.callId === filter.callId) &&
    (filter.queueId === undefined || row.destinationIds.includes(filter.queueId)) &&
    (filter.ringGroupId === undefined || row.destinationIds.includes(filter.ringGroupId)) &&
    (filter.agentId === undefined || row.agentIds.includes(filter.agentId))
  );
}

/** The event as `call-events` carries it. */
const toCallEvent = (row: StreamedEventRow): CallEvent =>
  ({
    id: row.id,
    version: 1,
    occurredAt: row.occurredAt,
    callId: row.callId,
    sequence: row.sequence,
    status: row.status,
    type: row.type,
    data: row.data,
  }) as CallEvent;

const message = (row: StreamedEventRow): string => `id: ${formatPosition(row)}\ndata: ${JSON.stringify(toCallEvent(row))}\n\n`;

/** Until the client took what is buffered, or went away. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => (out.off('drain', done), out.off('close', done), resolve());
    out.on('drain', done);
    out.on('close', done);
  });
}

type Stream = { out: Writable; filter: EventStreamFilter; position: StreamPosition; live: boolean };

export class EventStreamHub {
  private readonly streams = new Set<Stream>();
  /** The reader's position: every event up to it went to the live streams. Null while no stream is open. */
  private head: StreamPosition | null = null;
  private heading: Promise<StreamPosition> | null = null;
  private reading = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly pageSize: number;
  private closed = false;

  constructor(private readonly options: EventStreamHubOptions) {
    this.pageSize = options.pageSize ?? 500;
  }

  /** Open streams (live or catching up). */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Streams the matching events after `resumeAfter` (or, without it, from now on) to `out`, until `out` closes, the
   * client falls too far behind, or the hub closes. Resolves once the stream is live.
   */
  async open(out: Writable, filter: EventStreamFilter, resumeAfter?: StreamPosition): Promise<void> {
    const head = await this.currentHead();
    if (out.destroyed || this.closed) return void out.destroy();
    // From now on: from the reader's head as it is at this moment (it may have moved on while the head was read).
    const stream: Stream = { out, filter, position: resumeAfter ?? this.head ?? head, live: !resumeAfter };
    this.streams.add(stream);
    out.once('close', () => this.streams.delete(stream));
    this.start();
    if (resumeAfter) await this.catchUp(stream);
  }

  /** Ends every stream and stops reading. */
  close(): void {
    this.closed = true;
    for (const stream of this.streams) stream.out.end();
    this.streams.clear();
    this.stop();
  }

  /** Reads what the stream missed, page by page, waiting for the client to take each; then makes it live. */
  private async catchUp(stream: Stream): Promise<void> {
    const { out } = stream;
    while (!out.destroyed && this.streams.has(stream)) {
      const head = await this.currentHead();
      if (comparePositions(stream.position, head) >= 0) break;
      const rows = await readStreamAfter(this.options.db.$client, stream.position, this.pageSize);
      for (const row of rows) {
        stream.position = row;
        if (!matches(stream.filter, row)) continue;
        if (!out.write(message(row))) await drained(out);
        if (out.destroyed) return;
      }
      if (rows.length === 0) break;
      // Read to the end of what is visible now: the reader delivers only what is past the head, and skips what this
      // stream already has, so joining it here loses nothing and repeats nothing.
      if (rows.length < this.pageSize && this.head && comparePositions(stream.position, this.head) >= 0) break;
    }
    stream.live = true;
  }

  private async currentHead(): Promise<StreamPosition> {
    if (this.head) return this.head;
    this.heading ??= streamHead(this.options.db.$client).then(
      (head) => ((this.head ??= head), (this.heading = null), this.head),
      (error) => ((this.heading = null), Promise.reject(error)),
    );
    return this.heading;
  }

  private start(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
    this.heartbeatTimer = setInterval(() => {
      for (const stream of this.streams) this.write(stream, ': heartbeat\n\n');
    }, this.options.heartbeatMs);
  }

  private stop(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.pollTimer = this.heartbeatTimer = null;
    this.head = null;
  }

  /** One round of the reader: every page that is there, each event to the live streams it matches. */
  private async poll(): Promise<void> {
    if (this.reading) return;
    if (this.streams.size === 0) return this.stop();
    this.reading = true;
    try {
      let full = true;
      while (full && this.streams.size > 0) {
        const after = await this.currentHead();
        const rows = await readStreamAfter(this.options.db.$client, after, this.pageSize);
        if (this.head !== after) break; // the hub stopped and restarted meanwhile
        for (const row of rows) {
          for (const stream of this.streams) {
            if (!stream.live || comparePositions(row, stream.position) <= 0) continue;
            stream.position = row;
            if (matches(stream.filter, row)) this.write(stream, message(row));
          }
          this.head = row;
        }
        full = rows.length === this.pageSize;
      }
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.reading = false;
    }
  }

  /** Writes without waiting; a stream whose unsent bytes pass the bound is ended at once. */
  private write(stream: Stream, text: string): void {
    const { out } = stream;
    if (out.destroyed) return;
    out.write(text);
    if (stream.live && out.writableLength > this.options.maxBufferedBytes) {
      this.streams.delete(stream);
      this.options.onDropped?.();
      out.destroy();
    }
  }
}

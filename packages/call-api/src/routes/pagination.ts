// Keyset pages for every list (`GET /calls`, `/agents`, `/queues`, `/ring-groups`): newest first by (createdAt, id),
// and an opaque cursor holding the last row's sort key.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { problemType, sendProblem } from '@switchboard/service';

/** The sort key of the last row of a page; `createdAt` is ISO text (exact to the microsecond where the query gave it). */
export type PageCursor = { createdAt: string; id: string };

export function encodeCursor(row: { createdAt: Date | string; id: string }): string {
  const at = row.createdAt instanceof Date ? row.createdAt.toISOString() : row.createdAt;
  return Buffer.from(`${at}|${row.id}`).toString('base64url');
}

/**
 * Whether PostgreSQL's timestamptz can hold the date: it has no year 0 (1 BC comes before AD 1) and ends in 294276.
 * zod's datetime takes any four-digit year, `0000` too, and the query's cast of it would fail with a 500.
 */
const inPostgresRange = (at: string): boolean => {
  const year = Number.parseInt(at, 10);
  return year >= 1 && year <= 294_276;
};

/**
 * This API writes a cursor's time in UTC (`Z`), so that is all it takes back. An offset would also have to be
 * within PostgreSQL's ±15:59, where zod's datetime goes to ±23:59.
 */
const utcDatetime = z.iso.datetime();

/** The cursor's sort key, or null when the text is not a cursor this API gave. */
export function decodeCursor(cursor: string): PageCursor | null {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (rest.length > 0 || !at || !id) return null;
  const valid = utcDatetime.safeParse(at).success && inPostgresRange(at) && z.uuid().safeParse(id).success;
  return valid ? { createdAt: at, id } : null;
}

/** The page's items and the cursor of the next page; `rows` holds up to `limit + 1` rows, the extra one saying a page follows. */
export function pageOf<Row extends { createdAt: Date | string; id: string }, Item>(rows: readonly Row[], limit: number, view: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  return { items: page.map(view), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
}

export function sendInvalidCursor(reply: FastifyReply): FastifyReply {
  return sendProblem(reply, {
    type: problemType('validation'), title: 'Invalid request', status: 400, detail: 'querystring.cursor is not a cursor this API gave',
    errors: [{ field: 'querystring.cursor', reason: 'is not a cursor this API gave' }],
  });
}

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

/** The cursor's sort key, or null when the text is not a cursor this API gave. */
export function decodeCursor(cursor: string): PageCursor | null {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (rest.length > 0 || !at || !id) return null;
  const valid = z.iso.datetime({ offset: true }).safeParse(at).success && z.uuid().safeParse(id).success;
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

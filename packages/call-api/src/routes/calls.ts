// /call and /calls: take a call from the telephony edge, and show calls with their timelines.
import { and, asc, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  Call, CallDetail, CallIdParams, CallPage, CreateCallBody, IdempotencyHeaders, ListCallsQuery, Problem,
} from '@switchboard/contracts';
import { callEvents, calls, type Database } from '@switchboard/db';
import type { CallIntake } from '../calls/intake.ts';
import { toCall, toTimelineEvent } from '../calls/call-view.ts';
import { problemType, sendProblem } from '../plugins/problems.ts';

export type CallRoutesOptions = { db: Database; intake: CallIntake };

const cursorOf = (row: { createdAt: Date; id: string }) => Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
function parseCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  return id && !Number.isNaN(createdAt.getTime()) && z.uuid().safeParse(id).success ? { createdAt, id } : null;
}

export const callRoutes: FastifyPluginAsyncZod<CallRoutesOptions> = async (app, { db, intake }) => {
  app.post('/call', {
    schema: {
      tags: ['calls'],
      summary: 'Take an inbound call from the telephony edge',
      headers: IdempotencyHeaders,
      body: CreateCallBody,
      response: { 202: Call, 400: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const result = await intake.accept({ body: request.body, idempotencyKey: request.headers['idempotency-key'] });
    switch (result.kind) {
      case 'accepted':
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(202).header('location', `/calls/${result.call.id}`).send(result.call);
      case 'unknown_destination':
        return sendProblem(reply, {
          type: problemType('unknown-destination'), title: 'Unknown destination', status: 422,
          detail: `no queue or ring group has the number ${result.to}`,
          errors: [{ field: 'body.to', reason: `no queue or ring group has the number ${result.to}` }],
        });
      case 'type_mismatch':
        return sendProblem(reply, {
          type: problemType('destination-type-mismatch'), title: 'Destination type mismatch', status: 422,
          detail: `${result.destination.number} is a ${result.destination.kind}, not a ${result.given}`,
          errors: [{ field: 'body.type', reason: `must match the destination's kind (${result.destination.kind})` }],
        });
      case 'idempotency_conflict':
        return sendProblem(reply, {
          type: problemType('idempotency-conflict'), title: 'Idempotency key reused', status: 409,
          detail: `this Idempotency-Key was first used for call ${result.callId} with another body`,
          errors: [{ field: 'headers.idempotency-key', reason: 'was already used with a different body' }],
        });
    }
  });

  app.get('/calls/:id', {
    schema: { tags: ['calls'], summary: 'A call, its status and its event timeline', params: CallIdParams, response: { 200: CallDetail, 404: Problem } },
  }, async (request, reply) => {
    const [row] = await db.select().from(calls).where(eq(calls.id, request.params.id));
    if (!row) {
      return sendProblem(reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `no call ${request.params.id}` });
    }
    const events = await db.select().from(callEvents).where(eq(callEvents.callId, row.id)).orderBy(asc(callEvents.sequence));
    return { ...toCall(row), events: events.map(toTimelineEvent) };
  });

  app.get('/calls', {
    schema: { tags: ['calls'], summary: 'Calls, newest first', querystring: ListCallsQuery, response: { 200: CallPage, 400: Problem } },
  }, async (request, reply) => {
    const { status, destinationId, limit, cursor } = request.query;
    const where: SQL[] = [];
    if (status) where.push(eq(calls.status, status));
    if (destinationId) where.push(eq(calls.destinationId, destinationId));
    if (cursor) {
      const after = parseCursor(cursor);
      if (!after) {
        return sendProblem(reply, {
          type: problemType('validation'), title: 'Invalid request', status: 400, detail: 'querystring.cursor is not a cursor this API gave',
          errors: [{ field: 'querystring.cursor', reason: 'is not a cursor this API gave' }],
        });
      }
      where.push(or(lt(calls.createdAt, after.createdAt), and(eq(calls.createdAt, after.createdAt), lt(calls.id, after.id)))!);
    }
    const rows = await db.select().from(calls).where(and(...where)).orderBy(desc(calls.createdAt), desc(calls.id)).limit(limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(toCall), nextCursor: rows.length > limit ? cursorOf(page.at(-1)!) : null };
  });
};

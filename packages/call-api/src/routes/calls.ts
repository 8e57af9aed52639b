// /call and /calls: take a call from the telephony edge, and show calls with their timelines.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  Call, CallDetail, CallIdParams, CallPage, CreateCallBody, IdempotencyHeaders, ListCallsQuery, Problem,
} from '@switchboard/contracts';
import { listCalls, readCallWithEvents, type Database, waitingCallFigures } from '@switchboard/db';
import type { CallIntake } from '../calls/intake.ts';
import { toCall, toCallDetail } from '../calls/call-view.ts';
import { ForbiddenError, problemType, sendProblem } from '@switchboard/service';
import { decodeCursor, pageOf, sendInvalidCursor } from './pagination.ts';

export type CallRoutesOptions = { db: Database; intake: CallIntake };

export const callRoutes: FastifyPluginAsyncZod<CallRoutesOptions> = async (app, { db, intake }) => {
  app.post('/call', {
    config: { access: ['edge'] },
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
      case 'unstorable':
        // Validation should have caught it; the log says what it missed. PostgreSQL's message is not echoed: it can
        // name tables and constraints.
        request.log.warn({ err: result.error }, 'the database refused a call that passed validation');
        return sendProblem(reply, {
          type: problemType('validation'), title: 'Invalid request', status: 400,
          detail: 'body holds a value the database cannot store',
          errors: [{ field: 'body', reason: 'holds a value the database cannot store' }],
        });
    }
  });

  app.get('/calls/:id', {
    config: { access: ['edge', 'viewer', 'agent'] },
    schema: {
      tags: ['calls'], summary: 'A call, its status and its event timeline (an agent key reads the calls its agent rings for or is on)',
      params: CallIdParams, response: { 200: CallDetail, 404: Problem },
    },
  }, async (request, reply) => {
    const found = await readCallWithEvents(db, request.params.id);
    if (!found) {
      return sendProblem(reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `no call ${request.params.id}` });
    }
    const waiting = found.call.status === 'queued' || found.call.status === 'ringing' ? await waitingCallFigures(db.$client, found.call.id) : undefined;
    const detail = toCallDetail(found.call, found.events, waiting);
    const own = request.principal?.agentId;
    if (request.principal?.role === 'agent' && detail.agentId !== own && !detail.ringing.includes(own!)) {
      throw new ForbiddenError(`agent ${own} neither rings for nor is on call ${detail.id}`);
    }
    return detail;
  });

  app.get('/calls', {
    config: { access: ['edge', 'viewer'] },
    schema: { tags: ['calls'], summary: 'Calls, newest first', querystring: ListCallsQuery, response: { 200: CallPage, 400: Problem } },
  }, async (request, reply) => {
    const { status, destinationId, limit, cursor } = request.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after === null) return sendInvalidCursor(reply);
    const rows = await listCalls(db, { status, destinationId }, { limit, after });
    return pageOf(rows, limit, ({ row }) => toCall(row));
  });
};

// /queues: where calls wait for a free agent.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreateQueueBody, ListQueuesQuery, Problem, Queue, QueueIdParams, QueuePage, UpdateQueueBody } from '@switchboard/contracts';
import { listQueues, queueById } from '@switchboard/db';
import { createQueue, deleteQueue, toQueue, updateQueue } from '../configuration/queues.ts';
import { attempt, notFound } from '../configuration/refusal.ts';
import type { ConfigurationContext } from '../configuration/transaction.ts';
import { adminOnly, reads, sendProblem } from '@switchboard/service';
import { decodeCursor, pageOf, sendInvalidCursor } from './pagination.ts';

const tags = ['queues'];

export const queueRoutes: FastifyPluginAsyncZod<ConfigurationContext> = async (app, ctx) => {
  const sql = ctx.db.$client;

  app.post('/queues', {
    config: adminOnly,
    schema: {
      tags, summary: 'Create a queue with its members', body: CreateQueueBody,
      response: { 201: Queue, 400: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => createQueue(ctx, request.body));
    if (!result.ok) return sendProblem(reply, result.problem);
    return reply.code(201).header('location', `/queues/${result.value.id}`).send(toQueue(result.value));
  });

  app.get('/queues', {
    config: reads,
    schema: { tags, summary: 'Queues with their members, newest first', querystring: ListQueuesQuery, response: { 200: QueuePage, 400: Problem } },
  }, async (request, reply) => {
    const { domain, limit, cursor } = request.query;
    const after = cursor ? decodeCursor(cursor) : undefined;
    if (after === null) return sendInvalidCursor(reply);
    return pageOf(await listQueues(sql, { domain }, { limit, after }), limit, toQueue);
  });

  app.get('/queues/:id', {
    config: reads,
    schema: { tags, summary: 'A queue with its members', params: QueueIdParams, response: { 200: Queue, 400: Problem, 404: Problem } },
  }, async (request, reply) => {
    const queue = await queueById(sql, request.params.id);
    return queue ? toQueue(queue) : sendProblem(reply, notFound('queue', request.params.id).problem);
  });

  app.patch('/queues/:id', {
    config: adminOnly,
    schema: {
      tags, summary: "Change a queue's fields; `members`, when given, replace the list", params: QueueIdParams, body: UpdateQueueBody,
      response: { 200: Queue, 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => updateQueue(ctx, request.params.id, request.body));
    return result.ok ? toQueue(result.value) : sendProblem(reply, result.problem);
  });

  app.delete('/queues/:id', {
    config: adminOnly,
    schema: {
      tags, summary: 'Delete a queue that holds no live call and that no other destination leads to', params: QueueIdParams,
      response: { 204: z.null().describe('deleted'), 400: Problem, 404: Problem, 409: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => deleteQueue(ctx, request.params.id));
    return result.ok ? reply.code(204).send(null) : sendProblem(reply, result.problem);
  });
};

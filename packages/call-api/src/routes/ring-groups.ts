// /ring-groups: members ring together or in turn, then the call fails over.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateRingGroupBody, ListRingGroupsQuery, Problem, RingGroup, RingGroupIdParams, RingGroupPage, UpdateRingGroupBody,
} from '@switchboard/contracts';
import { listRingGroups, ringGroupById } from '@switchboard/db';
import { attempt, notFound } from '../configuration/refusal.ts';
import { createRingGroup, deleteRingGroup, toRingGroup, updateRingGroup } from '../configuration/ring-groups.ts';
import type { ConfigurationContext } from '../configuration/transaction.ts';
import { adminOnly, reads, sendProblem } from '@switchboard/service';
import { decodeCursor, pageOf, sendInvalidCursor } from './pagination.ts';

const tags = ['ring-groups'];

export const ringGroupRoutes: FastifyPluginAsyncZod<ConfigurationContext> = async (app, ctx) => {
  const sql = ctx.db.$client;

  app.post('/ring-groups', {
    config: adminOnly,
    schema: {
      tags, summary: 'Create a ring group with its members in ring order', body: CreateRingGroupBody,
      response: { 201: RingGroup, 400: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => createRingGroup(ctx, request.body));
    if (!result.ok) return sendProblem(reply, result.problem);
    return reply.code(201).header('location', `/ring-groups/${result.value.id}`).send(toRingGroup(result.value));
  });

  app.get('/ring-groups', {
    config: reads,
    schema: {
      tags, summary: 'Ring groups with their members, newest first', querystring: ListRingGroupsQuery, response: { 200: RingGroupPage, 400: Problem },
    },
  }, async (request, reply) => {
    const { domain, limit, cursor } = request.query;
    const after = cursor ? decodeCursor(cursor) : undefined;
    if (after === null) return sendInvalidCursor(reply);
    return pageOf(await listRingGroups(sql, { domain }, { limit, after }), limit, toRingGroup);
  });

  app.get('/ring-groups/:id', {
    config: reads,
    schema: { tags, summary: 'A ring group with its members', params: RingGroupIdParams, response: { 200: RingGroup, 400: Problem, 404: Problem } },
  }, async (request, reply) => {
    const group = await ringGroupById(sql, request.params.id);
    return group ? toRingGroup(group) : sendProblem(reply, notFound('ring_group', request.params.id).problem);
  });

  app.patch('/ring-groups/:id', {
    config: adminOnly,
    schema: {
      tags, summary: "Change a ring group's fields; `members`, when given, replace the list", params: RingGroupIdParams, body: UpdateRingGroupBody,
      response: { 200: RingGroup, 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => updateRingGroup(ctx, request.params.id, request.body));
    return result.ok ? toRingGroup(result.value) : sendProblem(reply, result.problem);
  });

  app.delete('/ring-groups/:id', {
    config: adminOnly,
    schema: {
      tags, summary: 'Delete a ring group that holds no live call and that no other destination leads to', params: RingGroupIdParams,
      response: { 204: z.null().describe('deleted'), 400: Problem, 404: Problem, 409: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => deleteRingGroup(ctx, request.params.id));
    return result.ok ? reply.code(204).send(null) : sendProblem(reply, result.problem);
  });
};

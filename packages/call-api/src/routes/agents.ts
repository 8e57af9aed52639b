// /agents: the agents calls are distributed to. Their state changes through PUT /agents/{id}/status, not here.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Agent, AgentIdParams, AgentPage, CreateAgentBody, ListAgentsQuery, Problem, UpdateAgentBody } from '@switchboard/contracts';
import { agentById, listAgents } from '@switchboard/db';
import { createAgent, deleteAgent, toAgent, updateAgent } from '../configuration/agents.ts';
import { attempt, notFound } from '../configuration/refusal.ts';
import type { ConfigurationContext } from '../configuration/transaction.ts';
import { adminOnly, forbidOtherAgent, reads, sendProblem } from '@switchboard/service';
import { decodeCursor, pageOf, sendInvalidCursor } from './pagination.ts';

const tags = ['agents'];

export const agentRoutes: FastifyPluginAsyncZod<ConfigurationContext> = async (app, ctx) => {
  const sql = ctx.db.$client;

  app.post('/agents', {
    config: adminOnly,
    schema: {
      tags, summary: 'Create an agent (offline)', body: CreateAgentBody,
      response: { 201: Agent, 400: Problem, 409: Problem, 413: Problem, 415: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => createAgent(ctx, request.body));
    if (!result.ok) return sendProblem(reply, result.problem);
    return reply.code(201).header('location', `/agents/${result.value.id}`).send(toAgent(result.value));
  });

  app.get('/agents', {
    config: reads,
    schema: { tags, summary: 'Agents, newest first', querystring: ListAgentsQuery, response: { 200: AgentPage, 400: Problem } },
  }, async (request, reply) => {
    const { domain, state, limit, cursor } = request.query;
    const after = cursor ? decodeCursor(cursor) : undefined;
    if (after === null) return sendInvalidCursor(reply);
    return pageOf(await listAgents(sql, { domain, state }, { limit, after }), limit, toAgent);
  });

  app.get('/agents/:id', {
    config: { access: ['viewer', 'agent'] },
    schema: {
      tags, summary: "An agent, with their state and counters (what an agent's desktop polls; an agent key reads its own agent only)",
      params: AgentIdParams, response: { 200: Agent, 400: Problem, 404: Problem },
    },
  }, async (request, reply) => {
    forbidOtherAgent(request, request.params.id, 'params.id');
    const agent = await agentById(sql, request.params.id);
    return agent ? toAgent(agent) : sendProblem(reply, notFound('agent', request.params.id).problem);
  });

  app.patch('/agents/:id', {
    config: adminOnly,
    schema: {
      tags, summary: "Change an agent's fields", params: AgentIdParams, body: UpdateAgentBody,
      response: { 200: Agent, 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => updateAgent(ctx, request.params.id, request.body));
    return result.ok ? toAgent(result.value) : sendProblem(reply, result.problem);
  });

  app.delete('/agents/:id', {
    config: adminOnly,
    schema: {
      tags, summary: 'Delete an agent and their memberships', params: AgentIdParams,
      response: { 204: z.null().describe('deleted'), 400: Problem, 404: Problem, 409: Problem },
    },
  }, async (request, reply) => {
    const result = await attempt(() => deleteAgent(ctx, request.params.id));
    return result.ok ? reply.code(204).send(null) : sendProblem(reply, result.problem);
  });
};

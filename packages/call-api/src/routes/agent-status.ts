// PUT /agents/{id}/status: an agent sets available, break or offline; the owning worker decides (409 while on a call).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AgentStatus, AgentStatusBody, Problem } from '@switchboard/contracts';
import { readAgentPresence, type Database } from '@switchboard/db';
import { forbidOtherAgent, problemType, sendProblem } from '@switchboard/service';
import type { RoutingRequests } from '../routing/routing-requests.ts';
import { sendRoutingUnavailable } from './routing-unavailable.ts';

export type AgentStatusRoutesOptions = { db: Database; routing: RoutingRequests };

export const agentStatusRoutes: FastifyPluginAsyncZod<AgentStatusRoutesOptions> = async (app, { db, routing }) => {
  app.put('/agents/:id/status', {
    config: { access: ['agent'] },
    schema: {
      tags: ['agents'],
      summary: "Set an agent's presence; going on break or offline while ringing counts as no answer",
      params: z.object({ id: z.uuid() }),
      body: AgentStatusBody,
      response: { 200: AgentStatus, 400: Problem, 404: Problem, 409: Problem, 503: Problem },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    forbidOtherAgent(request, id, 'params.id');
    const agent = await readAgentPresence(db, id);
    if (!agent) return sendProblem(reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `no agent ${id}` });
    const decision = await routing.request(agent.domain, { type: 'agent_presence_changed', agentId: id, state: request.body.status });
    if (decision.kind !== 'decided') return sendRoutingUnavailable(reply, decision);
    const after = (await readAgentPresence(db, id))!;
    if (decision.ignored === 'on_call') {
      return sendProblem(reply, {
        type: problemType('agent-on-call'), title: 'Agent on a call', status: 409,
        detail: `the agent is on call ${after.currentCallId ?? ''}: hang up first`.trim(),
        errors: [{ field: 'body.status', reason: 'cannot change while on a call' }],
      });
    }
    if (decision.ignored !== undefined && decision.ignored !== 'unchanged') {
      return sendProblem(reply, { type: problemType('conflict'), title: 'Conflict', status: 409, detail: `the routing engine refused: ${decision.ignored}` });
    }
    return { id: after.id, state: after.state, currentCallId: after.currentCallId };
  });
};

// /calls/{id}/answer, /decline, /hangup: an agent or the edge acts on a live call; the owning worker decides, then we answer.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AgentActionBody, CallDetail, CallIdParams, HangupBody, Problem, terminalCallStatuses, type RoutingAction,
} from '@switchboard/contracts';
import { readActionTarget, readCallWithEvents, type Database, waitingCallFigures } from '@switchboard/db';
import { toCallDetail } from '../calls/call-view.ts';
import { forbidOtherAgent, ForbiddenError, problemType, sendProblem } from '@switchboard/service';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutingRequests } from '../routing/routing-requests.ts';
import { sendRoutingUnavailable } from './routing-unavailable.ts';

export type CallActionRoutesOptions = { db: Database; routing: RoutingRequests };

/** Why the engine refused, in the words an agent's desktop can show. */
function refusal(ignored: string, action: RoutingAction, call: { status: string; agentId: string | null }): string {
  if (ignored === 'unknown_call' || terminalCallStatuses.includes(call.status as never)) return `the call has ended (${call.status})`;
  if (action.type === 'call_ended') return `the call cannot be hung up now (${ignored})`;
  if (call.status === 'answered') return call.agentId === ('agentId' in action ? action.agentId : null) ? 'already answered by this agent' : 'the call was answered by another agent';
  return `agent ${'agentId' in action ? action.agentId : ''} is not ringing for this call (its ring may have timed out)`;
}

export const callActionRoutes: FastifyPluginAsyncZod<CallActionRoutesOptions> = async (app, { db, routing }) => {
  const responses = { 200: CallDetail, 400: Problem, 404: Problem, 409: Problem, 422: Problem, 503: Problem };

  /** Sends the action to the call's routing domain and answers with the call as the decision left it. */
  async function act(request: FastifyRequest, callId: string, action: RoutingAction, reply: FastifyReply) {
    if ('agentId' in action) forbidOtherAgent(request, action.agentId, 'body.agentId');
    const namedAgent = 'agentId' in action && action.type !== 'agent_presence_changed' ? action.agentId : null;
    const target = await readActionTarget(db, callId, namedAgent);
    if (!target) return sendProblem(reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `no call ${callId}` });
    if (action.type === 'call_ended' && request.principal?.role === 'agent') {
      // An agent's desktop hangs up the call its agent is on, as the agent.
      if (target.agentId !== request.principal.agentId || action.by !== 'agent') {
        throw new ForbiddenError(`an agent key hangs up only its own agent's answered call, with by "agent"`);
      }
    }
    if (namedAgent !== null && !target.agentKnown) {
      return sendProblem(reply, {
        type: problemType('unknown-agent'), title: 'Unknown agent', status: 422, detail: `no agent ${namedAgent}`,
        errors: [{ field: 'body.agentId', reason: 'no such agent' }],
      });
    }
    if (terminalCallStatuses.includes(target.status)) {
      return sendProblem(reply, { type: problemType('call-ended'), title: 'Call ended', status: 409, detail: refusal('unknown_call', action, target) });
    }
    const decision = await routing.request(target.domain, action);
    if (decision.kind !== 'decided') return sendRoutingUnavailable(reply, decision);
    const after = (await readCallWithEvents(db, callId))!;
    if (decision.ignored === 'unknown_call' && after.call.status === 'received') {
      // The action reached the worker before the call did (its request's send failed, or the call was taken by another
      // call-api instance that has not sent it yet; the sweep sends it again): nothing was done, and a retry once the
      // call is routed will be.
      return sendRoutingUnavailable(reply, 'the call has not reached its routing worker yet (still received): nothing was done; retry after Retry-After seconds');
    }
    // An answer retried after a lost reply: the call is this agent's, so it is the same success.
    const sameAnswer = action.type === 'agent_answered' && after.call.status === 'answered' && after.call.agentId === action.agentId;
    if (decision.ignored !== undefined && !sameAnswer) {
      return sendProblem(reply, { type: problemType('not-ringing'), title: 'Conflict', status: 409, detail: refusal(decision.ignored, action, after.call) });
    }
    const waiting = after.call.status === 'queued' || after.call.status === 'ringing' ? await waitingCallFigures(db.$client, callId) : undefined;
    return reply.code(200).send(toCallDetail(after.call, after.events, waiting));
  }

  const edgeOrAgent = { access: ['edge', 'agent'] as const };

  app.post('/calls/:id/answer', {
    config: edgeOrAgent,
    schema: {
      tags: ['calls'], summary: 'An agent ringing for the call answers it (exactly one answer wins; the others get 409)',
      params: CallIdParams, body: AgentActionBody, response: responses,
    },
  }, (request, reply) => act(request, request.params.id, { type: 'agent_answered', callId: request.params.id, agentId: request.body.agentId }, reply));

  app.post('/calls/:id/decline', {
    config: edgeOrAgent,
    schema: {
      tags: ['calls'], summary: 'An agent ringing for the call declines it; the call moves on by its strategy',
      params: CallIdParams, body: AgentActionBody, response: responses,
    },
  }, (request, reply) => act(request, request.params.id, { type: 'agent_declined', callId: request.params.id, agentId: request.body.agentId }, reply));

  app.post('/calls/:id/hangup', {
    config: edgeOrAgent,
    schema: {
      tags: ['calls'], summary: 'The caller or the agent hung up: before an answer the call is abandoned, after it completed',
      params: CallIdParams, body: HangupBody, response: responses,
    },
  }, (request, reply) => act(request, request.params.id, { type: 'call_ended', callId: request.params.id, by: request.body.by }, reply));
};

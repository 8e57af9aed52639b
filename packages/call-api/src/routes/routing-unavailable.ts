// The one answer for "no routing decision came": 503 with Retry-After, never a guess.
import type { FastifyReply } from 'fastify';
import { problemType, sendProblem } from '@switchboard/service';
import type { RoutingDecision } from '../routing/routing-requests.ts';

const timedOut =
  'the worker that owns this routing domain did not decide in time (it may be taking the domain over); the request is on routing-inputs and may still apply: check the call, then retry';

/** A request that got no decision (it timed out, or Kafka did not take it), or `detail` for another reason to retry. */
export function sendRoutingUnavailable(reply: FastifyReply, why: Exclude<RoutingDecision, { kind: 'decided' }> | string): FastifyReply {
  const detail = typeof why === 'string' ? why : why.kind === 'unsent' ? why.detail : timedOut;
  reply.header('retry-after', '1');
  return sendProblem(reply, { type: problemType('routing-unavailable'), title: 'Routing unavailable', status: 503, detail });
}

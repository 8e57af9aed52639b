// The one answer for "the routing worker did not decide in time": 503 with Retry-After, never a guess.
import type { FastifyReply } from 'fastify';
import { problemType, sendProblem } from '@switchboard/service';

const timedOut =
  'the worker that owns this routing domain did not decide in time (it may be taking the domain over); the request is queued and may still apply: check the call, then retry';

export function sendRoutingUnavailable(reply: FastifyReply, detail = timedOut): FastifyReply {
  reply.header('retry-after', '1');
  return sendProblem(reply, { type: problemType('routing-unavailable'), title: 'Routing unavailable', status: 503, detail });
}

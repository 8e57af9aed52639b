// HTTP shapes of GET /events: the call events of `call-events` as Server-Sent Events, filtered, resumable.
import { z } from 'zod';

export const EventStreamQuery = z.strictObject({
  queueId: z.uuid().optional().describe("only events of calls while they are at this queue (an overflow's event shows at both ends)"),
  ringGroupId: z.uuid().optional().describe('only events of calls while they are at this ring group'),
  agentId: z
    .uuid()
    .optional()
    .describe("only events of calls that named this agent, from the first that did (rung, answered) to the call's end; an agent key must name its own agent"),
  callId: z.uuid().optional().describe('only the events of this call'),
});
// No `.meta({ id })`: a query string schema stays inline in the document.
export type EventStreamQuery = z.infer<typeof EventStreamQuery>;

/**
 * A place in the stream, as an SSE `id:` and `Last-Event-ID`: `<transaction id>:<call id>:<sequence>` of the event
 * (PostgreSQL's `call_events.tx_id`, `call_id`, `sequence`), ordered as that tuple.
 */
export const streamPositionPattern = /^(\d{1,20}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(\d{1,10})$/;

export const EventStreamHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(streamPositionPattern, 'must be the id: of an event this stream sent (<transaction>:<call id>:<sequence>)')
    .optional()
    .describe('resume after this event: the stream sends every matching event after it, then goes on live'),
});
export type EventStreamHeaders = z.infer<typeof EventStreamHeaders>;

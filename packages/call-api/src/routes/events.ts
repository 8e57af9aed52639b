// GET /events: the call events of `call-events` as Server-Sent Events, filtered by queue, ring group, agent or call,
// resumable with Last-Event-ID. The reading, fan-out and slow-client bound are in ../events/event-stream-hub.ts.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { EventStreamHeaders, EventStreamQuery, Problem, streamPositionPattern } from '@switchboard/contracts';
import { agentById, callExists, queueById, ringGroupById, type Database } from '@switchboard/db';
import { forbidOtherAgent, sendProblem } from '@switchboard/service';
import { Refusal } from '../configuration/refusal.ts';
import { parsePosition, type EventStreamHub } from '../events/event-stream-hub.ts';

export type EventRoutesOptions = { db: Database; hub: EventStreamHub };

const description = [
  'Every event of `call-events` (the same JSON, `CallEvent`), as `text/event-stream`: each message is `id: <position>`',
  'and `data: <event>`. Parameters narrow it (all given must match). Per call the events come in `sequence` order,',
  'each once. A stream without `Last-Event-ID` starts with what happens next; with the `id:` of an event it sent, it',
  'sends every matching event after that one (from PostgreSQL: as far back as the calls are stored), then goes on live.',
  'A comment (`: heartbeat`) comes every `EVENTS_HEARTBEAT_MS` (15 s). A client that does not read fast enough',
  '(`EVENTS_CLIENT_BUFFER_BYTES` unsent) has its stream ended, and should reconnect with `Last-Event-ID`.',
  "An agent key reads only its own agent's events (`agentId` is its own when left out).",
].join('\n');

export const eventRoutes: FastifyPluginAsyncZod<EventRoutesOptions> = async (app, { db, hub }) => {
  // The streams never end on their own: end them before the server waits for its connections to close.
  app.addHook('preClose', async () => hub.close());

  app.get(
    '/events',
    {
      config: { access: ['viewer', 'agent'] },
      schema: {
        tags: ['events'],
        summary: 'Live call events as Server-Sent Events, filtered by queue, ring group, agent or call; resumable with Last-Event-ID',
        description,
        querystring: EventStreamQuery,
        headers: EventStreamHeaders,
        response: {
          200: {
            description: 'the stream: `id:` and `data:` (a CallEvent as JSON) per event, heartbeat comments between',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          403: Problem,
          404: Problem,
        },
      },
    },
    async (request, reply) => {
      const filter = { ...request.query };
      if (request.principal?.role === 'agent') {
        filter.agentId ??= request.principal.agentId!;
        forbidOtherAgent(request, filter.agentId, 'querystring.agentId');
      }
      const missing = await firstMissing(db, filter);
      if (missing) return sendProblem(reply, missing.problem);
      const lastEventId = request.headers['last-event-id'];
      const resumeAfter = lastEventId === undefined ? undefined : parsePosition(lastEventId, streamPositionPattern);

      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // nginx and others buffer responses unless told not to
        'x-accel-buffering': 'no',
      });
      // A reconnecting EventSource waits this long; then the first bytes, so the client sees the stream is open.
      out.write('retry: 1000\n: stream open\n\n');
      try {
        await hub.open(out, filter, resumeAfter);
      } catch (error) {
        request.log.warn({ err: error }, 'event stream could not be read; ending it');
        out.destroy();
      }
    },
  );
};

/** The first filter naming something that does not exist, as a 404 naming the parameter. */
async function firstMissing(db: Database, filter: EventStreamQuery): Promise<Refusal | undefined> {
  const lookups = [
    ['queueId', 'queue', filter.queueId, (id: string) => queueById(db.$client, id)],
    ['ringGroupId', 'ring group', filter.ringGroupId, (id: string) => ringGroupById(db.$client, id)],
    ['agentId', 'agent', filter.agentId, (id: string) => agentById(db.$client, id)],
    ['callId', 'call', filter.callId, (id: string) => callExists(db.$client, id)],
  ] as const;
  for (const [field, label, id, find] of lookups) {
    if (id !== undefined && !(await find(id))) {
      return new Refusal(404, 'not-found', 'Not found', [{ field: `querystring.${field}`, reason: `no ${label} has this id` }], `no ${label} ${id}`);
    }
  }
  return undefined;
}

// /queues/{id}/stats and /ring-groups/{id}/stats: what a supervisor's wallboard shows, read from PostgreSQL.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  agentStates,
  defaultWaitThresholdsSec,
  DestinationStatistics,
  Problem,
  QueueIdParams,
  RingGroupIdParams,
  StatisticsQuery,
} from '@switchboard/contracts';
import { destinationFigures, queueById, ringGroupById, type Database } from '@switchboard/db';
import { reads, sendProblem } from '@switchboard/service';
import type { FastifyReply } from 'fastify';
import { notFound } from '../configuration/refusal.ts';

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** The figures of a destination found, in the shape of the document. */
async function statisticsOf(
  db: Database,
  destination: { kind: 'queue' | 'ring_group'; id: string; name: string },
  query: StatisticsQuery,
): Promise<DestinationStatistics> {
  const thresholds = query.waitThresholdsSec ? [...new Set(query.waitThresholdsSec.split(',').map(Number))] : [...defaultWaitThresholdsSec];
  const figures = await destinationFigures(db.$client, destination, {
    windowSec: query.windowSec,
    serviceLevelSec: query.serviceLevelSec,
    waitThresholdsSec: thresholds,
  });
  const agents = Object.fromEntries(agentStates.map((state) => [state, figures.now.agents[state] ?? 0])) as Record<(typeof agentStates)[number], number>;
  const members = Object.values(agents).reduce((sum, n) => sum + n, 0);
  const w = figures.window;
  return {
    destination,
    at: figures.at,
    now: { ...figures.now, agents, members, loggedIn: members - agents.offline, available: agents.available },
    window: {
      windowSec: query.windowSec,
      since: figures.since,
      offered: w.offered,
      answered: w.answered,
      abandoned: w.abandoned,
      unanswered: w.unanswered,
      overflowed: w.overflowed,
      failed: w.failed,
      stillWaiting: w.stillWaiting,
      averageWaitSec: w.averageWaitSec,
      longestWaitSec: w.longestWaitSec,
      averageSpeedOfAnswerSec: w.averageSpeedOfAnswerSec,
      averageTalkSec: w.averageTalkSec,
      serviceLevelSec: query.serviceLevelSec,
      serviceLevel: ratio(w.answeredWithinServiceLevel, w.answered),
      serviceLevel2: ratio(w.answeredWithinServiceLevel + w.abandonedWithinServiceLevel, w.answered + w.abandoned),
      waits: w.waits,
    },
  };
}

export const statisticsRoutes: FastifyPluginAsyncZod<{ db: Database }> = async (app, { db }) => {
  const responses = { 200: DestinationStatistics, 400: Problem, 404: Problem };
  const missing = (reply: FastifyReply, what: 'queue' | 'ring_group', id: string) => sendProblem(reply, notFound(what, id).problem);

  app.get(
    '/queues/:id/stats',
    {
      config: reads,
      schema: {
        tags: ['statistics'],
        summary: "A queue's figures: calls waiting and agents by state now; offered, answered, abandoned, waits and service level over a window",
        params: QueueIdParams,
        querystring: StatisticsQuery,
        response: responses,
      },
    },
    async (request, reply) => {
      const queue = await queueById(db.$client, request.params.id);
      if (!queue) return missing(reply, 'queue', request.params.id);
      return statisticsOf(db, { kind: 'queue', id: queue.id, name: queue.name }, request.query);
    },
  );

  app.get(
    '/ring-groups/:id/stats',
    {
      config: reads,
      schema: {
        tags: ['statistics'],
        summary: "A ring group's figures: calls ringing and members by state now; offered, answered, abandoned, waits and service level over a window",
        params: RingGroupIdParams,
        querystring: StatisticsQuery,
        response: responses,
      },
    },
    async (request, reply) => {
      const group = await ringGroupById(db.$client, request.params.id);
      if (!group) return missing(reply, 'ring_group', request.params.id);
      return statisticsOf(db, { kind: 'ring_group', id: group.id, name: group.name }, request.query);
    },
  );
};

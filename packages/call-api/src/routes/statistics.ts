// /queues/{id}/stats and /ring-groups/{id}/stats: what a supervisor's wallboard shows, read from PostgreSQL.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AgentIdParams,
  AgentStatistics,
  AgentStatisticsQuery,
  agentStates,
  defaultWaitThresholdsSec,
  DestinationStatistics,
  Problem,
  QueueIdParams,
  RingGroupIdParams,
  StatisticsQuery,
} from '@switchboard/contracts';
import { agentById, agentFigures, destinationFigures, queueById, ringGroupById, type Database } from '@switchboard/db';
import { forbidOtherAgent, reads, sendProblem } from '@switchboard/service';
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

/** An agent's figures over the window, in the shape of the document. */
async function agentStatisticsOf(db: Database, agent: { id: string; name: string }, query: AgentStatisticsQuery): Promise<AgentStatistics> {
  const figures = await agentFigures(db.$client, agent.id, query.windowSec);
  const time = Object.fromEntries(agentStates.map((state) => [state, figures.timeInStateSec[state] ?? 0])) as Record<(typeof agentStates)[number], number>;
  const busy = time.on_call + time.wrap_up;
  const ready = time.available + time.ringing + busy;
  return {
    agent,
    at: figures.at,
    window: {
      windowSec: query.windowSec,
      since: figures.since,
      answered: figures.answered,
      noAnswers: figures.noAnswers,
      declines: figures.declines,
      talkSec: figures.talkSec,
      averageTalkSec: figures.completed > 0 ? figures.talkSec / figures.completed : null,
      timeInStateSec: time,
      loggedInSec: ready + time.break,
      occupancy: ratio(busy, ready),
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
    '/agents/:id/stats',
    {
      config: { access: ['viewer', 'agent'] },
      schema: {
        tags: ['statistics'],
        summary:
          "An agent's figures over a window: calls answered, no-answers, declines, talk time, time in each state and occupancy (an agent key reads its own)",
        params: AgentIdParams,
        querystring: AgentStatisticsQuery,
        response: { 200: AgentStatistics, 400: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      forbidOtherAgent(request, request.params.id, 'params.id');
      const agent = await agentById(db.$client, request.params.id);
      if (!agent) return sendProblem(reply, notFound('agent', request.params.id).problem);
      return agentStatisticsOf(db, { id: agent.id, name: agent.name }, request.query);
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

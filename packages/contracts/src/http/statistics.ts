// HTTP shapes of a destination's statistics (GET /queues/{id}/stats, GET /ring-groups/{id}/stats): right now, and over a
// window of the calls that entered it, computed from what PostgreSQL holds.
import { z } from 'zod';
import { AgentState, DestinationKind } from '../enums.ts';
import { Timestamp } from '../fields.ts';

export const defaultWaitThresholdsSec = [10, 20, 30, 60, 120] as const;

export const StatisticsQuery = z.strictObject({
  windowSec: z.coerce
    .number()
    .int()
    .min(60)
    .max(31 * 86_400)
    .default(900)
    .describe('the window: calls that entered the destination within the last this many seconds (900, 15 minutes, when left out)'),
  serviceLevelSec: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(20)
    .describe('the service level threshold: answered within it counts toward SL (20 when left out)'),
  waitThresholdsSec: z
    .string()
    .regex(/^\d{1,5}(,\d{1,5}){0,9}$/, 'must be up to 10 whole numbers of seconds, comma-separated, like 10,30,60')
    .optional()
    .describe(`waits are split at these (seconds, comma-separated; ${defaultWaitThresholdsSec.join(',')} when left out)`),
});
// No `.meta({ id })` here: a query string schema must stay inline in the document (a $ref breaks its parameters).
export type StatisticsQuery = z.infer<typeof StatisticsQuery>;

const SecondsOrNull = z.number().min(0).nullable();
const RatioOrNull = z.number().min(0).max(1).nullable();

export const DestinationStatistics = z
  .object({
    destination: z.object({ kind: DestinationKind, id: z.uuid(), name: z.string() }),
    at: Timestamp.describe('when these figures were read'),
    now: z.object({
      waiting: z.int().min(0).describe('calls at the destination not answered yet (waiting in line or ringing)'),
      longestWaitSec: SecondsOrNull.describe('how long the longest waiting call has waited; null when none waits'),
      waitingByPriority: z.array(z.object({ priority: z.int(), waiting: z.int().min(0) })).describe('waiting calls per priority, highest first'),
      agents: z.record(AgentState, z.int().min(0)).describe("the destination's members by state"),
      members: z.int().min(0),
      loggedIn: z.int().min(0).describe('members not offline'),
      available: z.int().min(0).describe('members free to ring now'),
    }),
    window: z.object({
      windowSec: z.int(),
      since: Timestamp,
      offered: z.int().min(0).describe('calls that entered the destination in the window'),
      answered: z.int().min(0),
      abandoned: z.int().min(0).describe('the caller hung up before an answer'),
      unanswered: z.int().min(0).describe('ended unanswered (max wait, no failover)'),
      overflowed: z.int().min(0).describe('left unanswered for another destination (overflow, failover)'),
      failed: z.int().min(0),
      stillWaiting: z.int().min(0).describe('offered in the window and still not answered or gone'),
      averageWaitSec: SecondsOrNull.describe('mean time to answer or to leave, over the calls that did either'),
      longestWaitSec: SecondsOrNull.describe('longest time to answer or to leave, waiting calls included'),
      averageSpeedOfAnswerSec: SecondsOrNull.describe('mean time to answer over answered calls (ASA)'),
      averageTalkSec: SecondsOrNull.describe('mean time from answer to hang-up over completed calls'),
      serviceLevelSec: z.int(),
      serviceLevel: RatioOrNull.describe('SL: answered within serviceLevelSec ÷ answered; null without answers'),
      serviceLevel2: RatioOrNull.describe('SL2: (answered + abandoned within serviceLevelSec) ÷ (answered + abandoned); null without either'),
      waits: z
        .array(z.object({ withinSec: z.int(), answered: z.int().min(0), abandoned: z.int().min(0) }))
        .describe('calls answered, and abandoned, within each threshold'),
    }),
  })
  .meta({ id: 'DestinationStatistics' });
export type DestinationStatistics = z.infer<typeof DestinationStatistics>;

export const AgentStatisticsQuery = StatisticsQuery.pick({ windowSec: true });
export type AgentStatisticsQuery = z.infer<typeof AgentStatisticsQuery>;

export const AgentStatistics = z
  .object({
    agent: z.object({ id: z.uuid(), name: z.string() }),
    at: Timestamp.describe('when these figures were read'),
    window: z.object({
      windowSec: z.int(),
      since: Timestamp,
      answered: z.int().min(0).describe('calls the agent answered in the window'),
      noAnswers: z.int().min(0).describe('rings of the agent in the window that ended unanswered (ring timeout, or break/offline while ringing)'),
      declines: z.int().min(0).describe('calls the agent declined in the window'),
      talkSec: z.number().min(0).describe('talk time (answer to hang-up) of the calls answered in the window that have ended'),
      averageTalkSec: SecondsOrNull.describe('talkSec ÷ those calls; null without one'),
      timeInStateSec: z.record(AgentState, z.number().min(0)).describe('seconds of the window the agent spent in each state (since the agent was created)'),
      loggedInSec: z.number().min(0).describe('seconds not offline (break included)'),
      occupancy: RatioOrNull.describe(
        '(on_call + wrap_up) ÷ (available + ringing + on_call + wrap_up) seconds: busy share of the time ready for calls; null when never ready',
      ),
    }),
  })
  .meta({ id: 'AgentStatistics' });
export type AgentStatistics = z.infer<typeof AgentStatistics>;

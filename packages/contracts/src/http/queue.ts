// HTTP shapes of queues: the bodies of POST and PATCH /queues, the queue as returned, and its list.
import { z } from 'zod';
import { QueueStrategy } from '../enums.ts';
import { DialedNumber, RoutingDomainName, Seconds, Timestamp } from '../fields.ts';
import { DestinationRoute, DisplayName, notEmpty, notEmptyMessage, pageQueryFields, Skills, uniqueElements } from './configuration.ts';

export const QueueMemberBody = z
  .strictObject({
    agentId: z.uuid(),
    tier: z.int().min(1).max(1000).optional().describe('1 when left out; tier n+1 joins after a call waited `tierWaitSec × n`'),
    position: z.int().min(0).max(1_000_000).optional().describe("order within the tier (`top_down`); the member's index in the list when left out"),
    penalty: z.int().min(0).max(1_000_000).optional().describe("0 when left out; `weighted_random` (Asterisk's wrandom): each member draws below (1 + penalty) × 1000, the lowest rings"),
  })
  .meta({ id: 'QueueMemberBody' });
export type QueueMemberBody = z.infer<typeof QueueMemberBody>;

const QueueMembersInput = z
  .array(QueueMemberBody)
  .max(1000)
  .superRefine(uniqueElements((m: QueueMemberBody) => m.agentId, 'agentId'))
  .describe('agents of the same routing domain, each once; when given in a PATCH, replaces the list');

export const CreateQueueBody = z
  .strictObject({
    name: DisplayName,
    number: DialedNumber.describe('the dialed number; unique across queues and ring groups'),
    strategy: QueueStrategy,
    requireLanguage: z.boolean().optional().describe("only members speaking the caller's language ring (false when left out)"),
    skills: Skills.optional().describe('skills every member who rings must have'),
    ringTimeoutSec: Seconds.optional().describe('how long a member rings before the next is tried (15 when left out)'),
    maxWaitSec: Seconds.nullable().optional().describe('longest wait before overflow; null: no limit'),
    wrapUpSec: Seconds.optional().describe('pause after each call before the member rings again (0 when left out)'),
    tierWaitSec: Seconds.nullable().optional().describe('wait before each next tier joins; null: all tiers at once'),
    noAgentNoWait: z.boolean().optional().describe("with `tierWaitSec`: a tier nobody is logged in to (all its members offline, or none who speaks the caller's language when `requireLanguage`) is not waited for, the next tier joins at once, as FreeSWITCH's tier-rule-no-agent-no-wait (true when left out)"),
    maxWaiting: z.int().min(1).max(1_000_000).nullable().optional().describe('most calls waiting; null: no limit'),
    overflow: DestinationRoute.nullable().optional().describe('where a call goes after `maxWaitSec`; null: it ends unanswered'),
    members: QueueMembersInput,
    domain: RoutingDomainName.optional().describe('routing domain; `default` when left out, and a new name creates the domain'),
  })
  .meta({ id: 'CreateQueueBody' });
export type CreateQueueBody = z.infer<typeof CreateQueueBody>;

export const UpdateQueueBody = CreateQueueBody.partial().refine(notEmpty, notEmptyMessage).meta({ id: 'UpdateQueueBody' });
export type UpdateQueueBody = z.infer<typeof UpdateQueueBody>;

export const QueueMember = z
  .object({ agentId: z.uuid(), tier: z.int(), position: z.int(), penalty: z.int() })
  .meta({ id: 'QueueMember' });
export type QueueMember = z.infer<typeof QueueMember>;

export const Queue = z
  .object({
    id: z.uuid(),
    name: z.string(),
    number: z.string(),
    strategy: QueueStrategy,
    requireLanguage: z.boolean(),
    skills: z.array(z.string()),
    ringTimeoutSec: z.number(),
    maxWaitSec: z.number().nullable(),
    wrapUpSec: z.number(),
    tierWaitSec: z.number().nullable(),
    noAgentNoWait: z.boolean(),
    maxWaiting: z.int().nullable(),
    overflow: DestinationRoute.nullable(),
    members: z.array(QueueMember).describe('by tier, then position'),
    domain: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Queue' });
export type Queue = z.infer<typeof Queue>;

export const QueueIdParams = z.object({ id: z.uuid() });

export const ListQueuesQuery = z.object({ domain: RoutingDomainName.optional(), ...pageQueryFields });
export type ListQueuesQuery = z.infer<typeof ListQueuesQuery>;

export const QueuePage = z.object({ items: z.array(Queue), nextCursor: z.string().nullable() }).meta({ id: 'QueuePage' });
export type QueuePage = z.infer<typeof QueuePage>;

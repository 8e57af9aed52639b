// HTTP shapes of ring groups: the bodies of POST and PATCH /ring-groups, the ring group as returned, and its list.
import { z } from 'zod';
import { RingGroupStrategy } from '../enums.ts';
import { DialedNumber, RoutingDomainName, Seconds, Timestamp } from '../fields.ts';
import { DestinationRoute, DisplayName, notEmpty, notEmptyMessage, pageQueryFields, uniqueElements } from './configuration.ts';

export const CreateRingGroupBody = z
  .strictObject({
    name: DisplayName,
    number: DialedNumber.describe('the dialed number; unique across queues and ring groups'),
    strategy: RingGroupStrategy,
    ringTimeoutSec: Seconds.optional().describe('how long each step rings (20 when left out)'),
    totalTimeoutSec: Seconds.optional().describe('how long the group rings in all before failover (60 when left out)'),
    failover: DestinationRoute.nullable().optional().describe('where a call goes after `totalTimeoutSec`; null: it ends unanswered'),
    members: z
      .array(z.uuid())
      .max(1000)
      .superRefine(uniqueElements())
      .describe('agent ids in ring order, each once, of the same routing domain; when given in a PATCH, replaces the list'),
    domain: RoutingDomainName.optional().describe('routing domain; `default` when left out, and a new name creates the domain'),
  })
  .meta({ id: 'CreateRingGroupBody' });
export type CreateRingGroupBody = z.infer<typeof CreateRingGroupBody>;

export const UpdateRingGroupBody = CreateRingGroupBody.partial().refine(notEmpty, notEmptyMessage).meta({ id: 'UpdateRingGroupBody' });
export type UpdateRingGroupBody = z.infer<typeof UpdateRingGroupBody>;

export const RingGroup = z
  .object({
    id: z.uuid(),
    name: z.string(),
    number: z.string(),
    strategy: RingGroupStrategy,
    ringTimeoutSec: z.number(),
    totalTimeoutSec: z.number(),
    failover: DestinationRoute.nullable(),
    members: z.array(z.uuid()).describe('agent ids in ring order'),
    domain: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'RingGroup' });
export type RingGroup = z.infer<typeof RingGroup>;

export const RingGroupIdParams = z.object({ id: z.uuid() });

export const ListRingGroupsQuery = z.object({ domain: RoutingDomainName.optional(), ...pageQueryFields });
export type ListRingGroupsQuery = z.infer<typeof ListRingGroupsQuery>;

export const RingGroupPage = z.object({ items: z.array(RingGroup), nextCursor: z.string().nullable() }).meta({ id: 'RingGroupPage' });
export type RingGroupPage = z.infer<typeof RingGroupPage>;

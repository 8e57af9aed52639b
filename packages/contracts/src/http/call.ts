// HTTP shapes of calls: the body of POST /call, the call as returned, and its timeline.
import { z } from 'zod';
import { CallEventType, CallStatus, DestinationKind } from '../enums.ts';
import { CallerId, DialedNumber, LanguageTag, languageTagRule, Metadata, MetadataInput, Priority, Timestamp } from '../fields.ts';
import { PageCursor } from './configuration.ts';

export const CreateCallBody = z
  .strictObject({
    from: CallerId.describe("the caller's number: no whitespace, NUL (U+0000) or unpaired surrogate"),
    to: DialedNumber.describe('the dialed number: the `number` of a queue or ring group'),
    language: LanguageTag.describe(`the caller's language: a ${languageTagRule}`),
    type: DestinationKind.optional().describe('when given, must match the kind of the destination `to` leads to'),
    priority: Priority.optional(),
    metadata: MetadataInput.optional(),
  })
  .meta({ id: 'CreateCallBody' });
export type CreateCallBody = z.infer<typeof CreateCallBody>;

export const Destination = z
  .object({ kind: DestinationKind, id: z.uuid(), name: z.string(), number: z.string() })
  .meta({ id: 'Destination' });
export type Destination = z.infer<typeof Destination>;

export const Call = z
  .object({
    id: z.uuid(),
    status: CallStatus,
    from: z.string(),
    to: z.string(),
    language: z.string(),
    type: DestinationKind,
    priority: z.int(),
    metadata: Metadata,
    destination: Destination,
    agentId: z.uuid().nullable(),
    reason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Call' });
export type Call = z.infer<typeof Call>;

export const CallTimelineEvent = z
  .object({
    id: z.uuid(),
    sequence: z.int().positive(),
    type: CallEventType,
    data: z.record(z.string(), z.unknown()),
    occurredAt: Timestamp,
  })
  .meta({ id: 'CallTimelineEvent' });
export type CallTimelineEvent = z.infer<typeof CallTimelineEvent>;

export const CallDetail = Call.extend({
  ringing: z.array(z.uuid()).describe('agents ringing for the call right now'),
  position: z
    .int()
    .min(1)
    .nullable()
    .describe('while the call waits at a queue (in line or ringing): 1 = next to be served among the waiting calls that compete for its agents; null otherwise'),
  estimatedWaitSec: z
    .number()
    .min(0)
    .nullable()
    .describe('while the call waits at a queue: the estimated wait from now until answered, seconds; null otherwise'),
  events: z.array(CallTimelineEvent).describe('the timeline, oldest first'),
}).meta({ id: 'CallDetail' });
export type CallDetail = z.infer<typeof CallDetail>;

export const CallIdParams = z.object({ id: z.uuid() });

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('the same key and body return the first call; the same key with another body answers 409'),
});

export const ListCallsQuery = z.object({
  status: CallStatus.optional(),
  destinationId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: PageCursor.optional(),
});
export type ListCallsQuery = z.infer<typeof ListCallsQuery>;

export const CallPage = z
  .object({ items: z.array(Call), nextCursor: z.string().nullable() })
  .meta({ id: 'CallPage' });

// `call-events`: every transition of a call, keyed by call id, numbered by `sequence` per call.
import { z } from 'zod';
import { CallStatus } from '../enums.ts';
import { envelopeFields } from './envelope.ts';

const base = { ...envelopeFields, callId: z.uuid(), sequence: z.int().positive(), status: CallStatus };
const route = z.object({ kind: z.enum(['queue', 'ring_group', 'hangup']), id: z.uuid().optional() });

export const CallEvent = z
  .discriminatedUnion('type', [
    z.object({ ...base, type: z.literal('call.received'), data: z.object({ destinationId: z.uuid() }) }),
    z.object({
      ...base,
      type: z.literal('call.queued'),
      data: z.object({
        queueId: z.uuid(),
        // Optional only for events stored before they were added; every call.queued the worker writes now has both.
        position: z.int().min(1).optional().describe('1 = next to be served among the waiting calls that compete for the agents who can take it'),
        estimatedWaitSec: z.number().min(0).optional().describe('the estimated wait until answered, seconds from entry'),
      }),
    }),
    z.object({ ...base, type: z.literal('call.ringing'), data: z.object({ agentIds: z.array(z.uuid()) }) }),
    z.object({ ...base, type: z.literal('call.answered'), data: z.object({ agentId: z.uuid() }) }),
    z.object({ ...base, type: z.literal('call.declined'), data: z.object({ agentId: z.uuid() }) }),
    z.object({ ...base, type: z.literal('call.no_answer'), data: z.object({ agentIds: z.array(z.uuid()) }) }),
    z.object({ ...base, type: z.literal('call.overflowed'), data: z.object({ from: route, to: route }) }),
    z.object({ ...base, type: z.literal('call.abandoned'), data: z.object({}) }),
    z.object({ ...base, type: z.literal('call.completed'), data: z.object({ by: z.enum(['caller', 'agent']).optional() }) }),
    z.object({ ...base, type: z.literal('call.unanswered'), data: z.object({}) }),
    z.object({ ...base, type: z.literal('call.failed'), data: z.object({ reason: z.string() }) }),
  ])
  .meta({ id: 'CallEvent' });
export type CallEvent = z.infer<typeof CallEvent>;
export type CallEventOf<T extends CallEvent['type']> = Extract<CallEvent, { type: T }>;

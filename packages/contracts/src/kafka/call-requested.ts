// `call-requests`: a new call for the worker, keyed by destination id.
import { z } from 'zod';
import { Call } from '../http/call.ts';
import { envelopeFields } from './envelope.ts';

export const CallRequested = z
  .object({
    ...envelopeFields,
    type: z.literal('call.requested'),
    call: Call.pick({
      id: true, from: true, to: true, language: true, type: true, priority: true, metadata: true, destination: true, createdAt: true,
    }),
  })
  .meta({ id: 'CallRequested' });
export type CallRequested = z.infer<typeof CallRequested>;

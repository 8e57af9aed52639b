// `routing-inputs` message for a new call: the call as accepted, for the worker that owns its routing domain.
import { z } from 'zod';
import { Call } from '../http/call.ts';
import { RoutingDomainName } from '../fields.ts';
import { CallEvent } from './call-event.ts';
import { envelopeFields } from './envelope.ts';

export const CallRequested = z
  .object({
    ...envelopeFields,
    type: z.literal('call.requested'),
    /** The routing domain of the dialed destination; also the message key. */
    domain: RoutingDomainName,
    call: Call.pick({
      id: true, from: true, to: true, language: true, type: true, priority: true, metadata: true, destination: true, createdAt: true,
    }),
    /**
     * The call's `call.received` event as the API stored it. The worker publishes it on `call-events` with its first
     * decision for the call, ahead of that decision's events, so the API writes no outbox row for a call. Absent in
     * messages of earlier versions, whose API published the event itself.
     */
    received: CallEvent.optional(),
  })
  .meta({ id: 'CallRequested' });
export type CallRequested = z.infer<typeof CallRequested>;

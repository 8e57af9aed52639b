// `routing-inputs`: everything the owner of a routing domain decides on, keyed by domain so one worker sees it in order.
import { z } from 'zod';
import { RoutingDomainName } from '../fields.ts';
import { CallRequested } from './call-requested.ts';
import { envelopeFields } from './envelope.ts';

export const agentPresences = ['available', 'break', 'offline'] as const;
export const AgentPresence = z.enum(agentPresences).meta({ id: 'AgentPresence' });
export type AgentPresence = z.infer<typeof AgentPresence>;

export const HangupBy = z.enum(['caller', 'agent']);

/** What an HTTP request asks the routing engine to do (the engine's input of the same `type`). */
export const RoutingAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agent_answered'), callId: z.uuid(), agentId: z.uuid() }),
  z.object({ type: z.literal('agent_declined'), callId: z.uuid(), agentId: z.uuid() }),
  z.object({ type: z.literal('call_ended'), callId: z.uuid(), by: HangupBy }),
  z.object({ type: z.literal('agent_presence_changed'), agentId: z.uuid(), state: AgentPresence }),
]);
export type RoutingAction = z.infer<typeof RoutingAction>;

/** An action from the API; the worker answers `requestId` once its decision is committed (see routing outcome). */
export const RoutingActionRequested = z
  .object({ ...envelopeFields, type: z.literal('routing.action'), domain: RoutingDomainName, requestId: z.uuid(), action: RoutingAction })
  .meta({ id: 'RoutingActionRequested' });
export type RoutingActionRequested = z.infer<typeof RoutingActionRequested>;

/** Agents, queues or ring groups of the domain changed: the owner reloads its configuration before its next decision. */
export const RoutingConfigChanged = z
  .object({ ...envelopeFields, type: z.literal('routing.config_changed'), domain: RoutingDomainName, reason: z.string().max(200) })
  .meta({ id: 'RoutingConfigChanged' });
export type RoutingConfigChanged = z.infer<typeof RoutingConfigChanged>;

export const RoutingInputMessage = z.discriminatedUnion('type', [CallRequested, RoutingActionRequested, RoutingConfigChanged]);
export type RoutingInputMessage = z.infer<typeof RoutingInputMessage>;

/**
 * The worker's answer to a `routing.action`, sent with PostgreSQL NOTIFY on `routingOutcomeChannel` in the decision's
 * own transaction, so the API hears it only once the decision is durable. `ignored` is the engine's reason when the
 * action changed nothing (`not_ringing`, `on_call`, `unknown_call`, …).
 */
export const RoutingOutcome = z.object({ requestId: z.uuid(), ignored: z.string().optional() });
export type RoutingOutcome = z.infer<typeof RoutingOutcome>;
export const routingOutcomeChannel = 'routing_outcomes';

// The closed vocabularies of DOMAIN.md: statuses, states, kinds and strategies.
import { z } from 'zod';

export const callStatuses = ['received', 'queued', 'ringing', 'answered', 'completed', 'abandoned', 'unanswered', 'failed'] as const;
export const CallStatus = z.enum(callStatuses).meta({ id: 'CallStatus' });
export type CallStatus = z.infer<typeof CallStatus>;
export const terminalCallStatuses: readonly CallStatus[] = ['completed', 'abandoned', 'unanswered', 'failed'];

export const agentStates = ['offline', 'available', 'ringing', 'on_call', 'wrap_up', 'break'] as const;
export const AgentState = z.enum(agentStates).meta({ id: 'AgentState' });
export type AgentState = z.infer<typeof AgentState>;

export const destinationKinds = ['queue', 'ring_group'] as const;
export const DestinationKind = z.enum(destinationKinds).meta({ id: 'DestinationKind' });
export type DestinationKind = z.infer<typeof DestinationKind>;

export const queueStrategies = [
  'ring_all', 'longest_idle', 'round_robin', 'top_down', 'fewest_calls', 'least_talk_time', 'random', 'weighted_random',
] as const;
export const QueueStrategy = z.enum(queueStrategies).meta({ id: 'QueueStrategy' });
export type QueueStrategy = z.infer<typeof QueueStrategy>;

export const ringGroupStrategies = ['ring_all', 'hunt', 'memory_hunt', 'round_robin', 'random', 'first_available'] as const;
export const RingGroupStrategy = z.enum(ringGroupStrategies).meta({ id: 'RingGroupStrategy' });
export type RingGroupStrategy = z.infer<typeof RingGroupStrategy>;

export const callEventTypes = [
  'call.received', 'call.queued', 'call.ringing', 'call.answered', 'call.declined', 'call.no_answer',
  'call.overflowed', 'call.abandoned', 'call.completed', 'call.unanswered', 'call.failed',
] as const;
export const CallEventType = z.enum(callEventTypes).meta({ id: 'CallEventType' });
export type CallEventType = z.infer<typeof CallEventType>;

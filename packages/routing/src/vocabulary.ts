// The closed vocabularies of DOMAIN.md, declared here so routing stays free of zod; a unit test keeps them equal to contracts.

export const callStatuses = ['received', 'queued', 'ringing', 'answered', 'completed', 'abandoned', 'unanswered', 'failed'] as const;
export type CallStatus = (typeof callStatuses)[number];
export type TerminalCallStatus = 'completed' | 'abandoned' | 'unanswered' | 'failed';

export const agentStates = ['offline', 'available', 'ringing', 'on_call', 'wrap_up', 'break'] as const;
export type AgentState = (typeof agentStates)[number];
/** Agents in these states serve their queues' calls now or soon: logged in and not on break. */
export const servingAgentStates: readonly AgentState[] = ['available', 'ringing', 'on_call', 'wrap_up'];
const serving = new Set(servingAgentStates);
export const isServing = (state: AgentState): boolean => serving.has(state);
/** The states an agent sets for themselves; the system moves them through the others. */
export type AgentPresence = 'available' | 'break' | 'offline';

export const queueStrategies = [
  'ring_all', 'longest_idle', 'round_robin', 'top_down', 'fewest_calls', 'least_talk_time', 'random', 'weighted_random',
] as const;
export type QueueStrategy = (typeof queueStrategies)[number];

export const ringGroupStrategies = ['ring_all', 'hunt', 'memory_hunt', 'round_robin', 'random', 'first_available'] as const;
export type RingGroupStrategy = (typeof ringGroupStrategies)[number];

export type DestinationKind = 'queue' | 'ring_group';

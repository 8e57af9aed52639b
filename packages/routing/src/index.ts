// @switchboard/routing: the pure routing engine. `decide(state, input, { now, random })` → next state and commands.
export { decide, type DecisionClock, type DecisionResult } from './decide.ts';
export type { TouchedRecords } from './decision.ts';
export { createRoutingState } from './state.ts';
export type { AgentRecord, CallRecord, MemberRecord, QueueRecord, RingGroupRecord, RoutingState } from './state.ts';
export {
  restoreRoutingState, snapshotAgent, snapshotCall, snapshotRoutingState,
  type AgentSnapshot, type CallSnapshot, type DestinationSnapshot, type RoutingSnapshot,
} from './snapshot.ts';
export type {
  AgentConfig, QueueConfig, QueueMemberConfig, RingGroupConfig, RingGroupMemberConfig, Route, RoutingConfig,
} from './configuration.ts';
export type { ArrivingCall, RoutingInput, RoutingInputOf, RoutingInputType } from './inputs.ts';
export type { RoutingCommand, RoutingCommandType, RoutingEvent } from './commands.ts';
export { createRandom, type RandomSource } from './random.ts';
export { languageMatches, speaks } from './language.ts';
export { timerKeys } from './decision.ts';
export {
  agentStates, callStatuses, queueStrategies, ringGroupStrategies,
  type AgentPresence, type AgentState, type CallStatus, type DestinationKind, type QueueStrategy, type RingGroupStrategy,
  type TerminalCallStatus,
} from './vocabulary.ts';
export { erlangC, erlangCServiceLevel, type ErlangCResult } from './simulator/erlang-c.ts';
export { batchMeansInterval, splitIntoBatches, studentT975, type BatchMeansInterval } from './simulator/batch-means.ts';
export {
  asteriskEstimatedWaitSec, asteriskHoldtime, defaultHandleTimeSec, estimateWaitSec, gammaMedian, handleTimesOf, meanWaitSec, HandleTimeWindow, servingAgentStates,
  waitingPosition, type AnsweredCallTimes, type HandleTimes, type WaitingPosition,
} from './wait-estimate.ts';

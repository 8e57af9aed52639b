// The one entry of the engine: state and one input in, the next state and the commands to carry out out.
import type { RoutingCommand } from './commands.ts';
import { createDecision, type Decision, type Ignored, type TouchedRecords } from './decision.ts';
import type { RoutingInput } from './inputs.ts';
import type { RandomSource } from './random.ts';
import type { RoutingState } from './state.ts';
import { agentPresenceChanged, wrapUpOver } from './transitions/agents.ts';
import { callArrived, callEnded, callerHungUp, maxWaitReached, tierWaitReached } from './transitions/calls.ts';
import { configurationChanged } from './transitions/configuration.ts';
import { agentAnswered, agentDeclined, ringTimedOut } from './transitions/ringing.ts';

export interface DecisionClock {
  /** Seconds on the shell's clock; timers come back at times on the same clock. */
  readonly now: number;
  readonly random: RandomSource;
}

export interface DecisionResult {
  readonly state: RoutingState;
  /** In the order they must be applied. */
  readonly commands: readonly RoutingCommand[];
  /**
   * Set when the input changed nothing, with why: `not_ringing` (an answer or decline from an agent not ringing for the
   * call: the API's 409), `on_call`, `unknown_call`, `unknown_agent`, `duplicate_call`, `unchanged`, `stale_timer`.
   */
  readonly ignored?: string;
  /**
   * Every call, agent, queue and ring group whose runtime record (its snapshot, or `lastRungAgentId`) this decision
   * may have changed: the records the shell writes back. Calls that ended here are listed and no longer in the state.
   */
  readonly touched: TouchedRecords;
}

/**
 * Applies one input. The state is updated in place and returned: the engine owns it, so keep no other reference to
 * its parts. The same state, input, `now` and random sequence always give the same result.
 */
export function decide(state: RoutingState, input: RoutingInput, clock: DecisionClock): DecisionResult {
  const decision = createDecision(state, clock.now, clock.random);
  const ignored = apply(decision, input);
  const { touched } = decision;
  return ignored === undefined ? { state, commands: decision.commands, touched } : { state, commands: decision.commands, ignored, touched };
}

function apply(decision: Decision, input: RoutingInput): Ignored {
  switch (input.type) {
    case 'call_arrived':
      return callArrived(decision, input);
    case 'agent_presence_changed':
      return agentPresenceChanged(decision, input);
    case 'agent_answered':
      return agentAnswered(decision, input);
    case 'agent_declined':
      return agentDeclined(decision, input);
    case 'ring_timed_out':
      return ringTimedOut(decision, input);
    case 'caller_hung_up':
      return callerHungUp(decision, input);
    case 'call_ended':
      return callEnded(decision, input);
    case 'wrap_up_over':
      return wrapUpOver(decision, input);
    case 'max_wait_reached':
      return maxWaitReached(decision, input);
    case 'tier_wait_reached':
      return tierWaitReached(decision, input);
    case 'configuration_changed':
      return configurationChanged(decision);
  }
}

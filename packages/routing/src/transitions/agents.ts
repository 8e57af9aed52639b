// Inputs about agents: presence set by the agent, and the end of wrap-up.
import { dispatchAgent } from '../agent-dispatch.ts';
import { setAgentState } from '../agent-states.ts';
import { timerKeys, touchAgent, type Decision, type Ignored } from '../decision.ts';
import type { RoutingInputOf } from '../inputs.ts';
import { openTiersLeftEmpty } from '../queue-routing.ts';
import { endRings } from './ringing.ts';

export function agentPresenceChanged(decision: Decision, input: RoutingInputOf<'agent_presence_changed'>): Ignored {
  const agent = decision.state.agents.get(input.agentId);
  if (!agent) return 'unknown_agent';
  if (agent.state === input.state) return 'unchanged';
  // The shell answers 409: an agent on a call cannot walk away from it by changing status.
  if (agent.state === 'on_call') return 'on_call';
  if (agent.state === 'ringing') {
    if (input.state === 'available') return 'unchanged';
    // Leaving while the phone rings counts as not answering; the call moves on at once.
    endRings(decision, decision.state.calls.get(agent.callId!)!, [agent.id], 'no_answer', input.state);
  } else {
    if (agent.state === 'wrap_up') decision.commands.push({ type: 'cancel_timer', key: timerKeys.wrapUp(agent.id) });
    else if (input.state === 'available') {
      touchAgent(decision, agent);
      agent.availableSince = decision.now;
    }
    setAgentState(decision, agent, input.state);
    dispatchAgent(decision, agent);
  }
  // The agent may have been the last one logged in to a tier that callers wait for: with noAgentNoWait it opens the next.
  if (input.state === 'offline') openTiersLeftEmpty(decision, agent);
  return undefined;
}

export function wrapUpOver(decision: Decision, input: RoutingInputOf<'wrap_up_over'>): Ignored {
  const agent = decision.state.agents.get(input.agentId);
  if (!agent || agent.state !== 'wrap_up') return 'stale_timer';
  setAgentState(decision, agent, 'available');
  dispatchAgent(decision, agent);
  return undefined;
}

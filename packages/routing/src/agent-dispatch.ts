// A free agent taking the best waiting call it may, on its own or with every free agent after a configuration change.
import type { Decision } from './decision.ts';
import { bestCallFor } from './queue-lines.ts';
import { offerCall } from './queue-routing.ts';
import type { AgentRecord } from './state.ts';

/**
 * Rule 4 from the agent's side: a free agent takes the best waiting call across its queues.
 * Each call is offered through its queue's strategy, which may ring someone else (a member idle longer, say),
 * so the agent keeps looking until it rings or no call it may take is left.
 */
export function dispatchAgent(decision: Decision, agent: AgentRecord): void {
  while (agent.state === 'available') {
    const call = bestCallFor(decision, agent);
    if (!call || !offerCall(decision, call)) return;
  }
}

/** Frees the agents (already out of their calls) and lets each take a call, in the order given. */
export function releaseAgents(decision: Decision, agents: readonly AgentRecord[]): void {
  for (const agent of agents) if (agent.state === 'available') dispatchAgent(decision, agent);
}

/**
 * Every available agent takes the best call it may, longest available first, then by id: an order that depends only on
 * the state, so a restored state dispatches as the original would.
 */
export function dispatchAvailableAgents(decision: Decision): void {
  const free = [...decision.state.agents.values()].filter((agent) => agent.state === 'available');
  free.sort((a, b) => idleSince(a) - idleSince(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  releaseAgents(decision, free);
}

/** When the agent was last freed: the end of its last call, or when it came back from offline or a break if later. */
function idleSince(agent: AgentRecord): number {
  return Math.max(agent.availableSince, agent.lastCallEndedAt ?? -Infinity);
}

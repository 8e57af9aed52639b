// Agent state changes, the free-member indexes they keep current, and a free agent taking its best call.
import { announceAgentState, type Decision } from './decision.ts';
import { bestCallFor, offerCall } from './queue-routing.ts';
import type { AgentRecord } from './state.ts';
import type { AgentState } from './vocabulary.ts';

/** Moves the agent to `state`, keeping every queue's set of free members in step. */
export function setAgentState(decision: Decision, agent: AgentRecord, state: AgentState, callId: string | null = null): void {
  const wasFree = agent.state === 'available';
  const isFree = state === 'available';
  agent.callId = callId;
  if (agent.state === state) return;
  agent.state = state;
  if (wasFree !== isFree) {
    for (const queueId of agent.queueIds) {
      const members = decision.state.queues.get(queueId)!.freeMemberIds;
      if (isFree) members.add(agent.id);
      else members.delete(agent.id);
    }
  }
  announceAgentState(decision, agent, state);
}

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

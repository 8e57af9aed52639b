// An agent's state, announced to the shell, with every queue's set of free members kept in step.
import { touchAgent, type Decision } from './decision.ts';
import type { AgentRecord } from './state.ts';
import type { AgentState } from './vocabulary.ts';

export function setAgentState(decision: Decision, agent: AgentRecord, state: AgentState, callId: string | null = null): void {
  const wasFree = agent.state === 'available';
  const isFree = state === 'available';
  if (agent.callId !== callId) touchAgent(decision, agent);
  agent.callId = callId;
  if (agent.state === state) return;
  touchAgent(decision, agent);
  agent.state = state;
  if (wasFree !== isFree) {
    for (const queueId of agent.queueIds) {
      const members = decision.state.queues.get(queueId)!.freeMemberIds;
      if (isFree) members.add(agent.id);
      else members.delete(agent.id);
    }
  }
  decision.commands.push({ type: 'agent_state', agentId: agent.id, state });
}

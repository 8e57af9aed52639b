// An agent's state, announced to the shell, with every queue's sets of free and serving members kept in step.
import { touchAgent, type Decision } from './decision.ts';
import type { AgentRecord } from './state.ts';
import { isServing, type AgentState } from './vocabulary.ts';

export function setAgentState(decision: Decision, agent: AgentRecord, state: AgentState, callId: string | null = null): void {
  const wasFree = agent.state === 'available';
  const isFree = state === 'available';
  const wasServing = isServing(agent.state);
  const nowServing = isServing(state);
  if (agent.callId !== callId) touchAgent(decision, agent);
  agent.callId = callId;
  if (agent.state === state) return;
  touchAgent(decision, agent);
  agent.state = state;
  if (wasFree !== isFree || wasServing !== nowServing) {
    for (const queueId of agent.queueIds) {
      const { freeMemberIds, servingMemberIds } = decision.state.queues.get(queueId)!;
      if (isFree) freeMemberIds.add(agent.id);
      else freeMemberIds.delete(agent.id);
      if (nowServing) servingMemberIds.add(agent.id);
      else servingMemberIds.delete(agent.id);
    }
  }
  decision.commands.push({ type: 'agent_state', agentId: agent.id, state });
}

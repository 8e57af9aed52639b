// HTTP shapes of what agents and the telephony edge do to live calls, and of an agent's presence.
import { z } from 'zod';
import { AgentState } from '../enums.ts';
import { AgentPresence, HangupBy } from '../kafka/routing-input.ts';

export const AgentActionBody = z
  .strictObject({ agentId: z.uuid().describe('the agent who answers or declines: one ringing for this call') })
  .meta({ id: 'AgentActionBody' });
export type AgentActionBody = z.infer<typeof AgentActionBody>;

export const HangupBody = z
  .strictObject({ by: HangupBy.describe('who hung up: before an answer the call is `abandoned`, after it `completed`') })
  .meta({ id: 'HangupBody' });
export type HangupBody = z.infer<typeof HangupBody>;

export const AgentStatusBody = z
  .strictObject({ status: AgentPresence.describe('what the agent sets; ringing, on_call and wrap_up are set by the system') })
  .meta({ id: 'AgentStatusBody' });
export type AgentStatusBody = z.infer<typeof AgentStatusBody>;

export const AgentStatus = z
  .object({ id: z.uuid(), state: AgentState, currentCallId: z.uuid().nullable().describe('the call the agent rings for or is on') })
  .meta({ id: 'AgentStatus' });
export type AgentStatus = z.infer<typeof AgentStatus>;

// HTTP shapes of agents: the bodies of POST and PATCH /agents, the agent as returned, and its list.
import { z } from 'zod';
import { AgentState } from '../enums.ts';
import { DialedNumber, LanguageTag, RoutingDomainName, Timestamp } from '../fields.ts';
import { DisplayName, notEmpty, notEmptyMessage, pageQueryFields, Skills, uniqueElements } from './configuration.ts';

export const CreateAgentBody = z
  .strictObject({
    name: DisplayName,
    extension: DialedNumber.describe("the agent's phone extension, unique among agents"),
    languages: z.array(LanguageTag).min(1).max(20).superRefine(uniqueElements()).describe('languages the agent speaks (BCP 47)'),
    skills: Skills.optional().describe('skills a queue may require; none when left out'),
    domain: RoutingDomainName.optional().describe('routing domain; `default` when left out, and a new name creates the domain'),
  })
  .meta({ id: 'CreateAgentBody' });
export type CreateAgentBody = z.infer<typeof CreateAgentBody>;

/**
 * Any fields of the create body. The agent's `state` is not here: it changes through `PUT /agents/{id}/status`.
 * A new `domain` is refused while the agent is a member of a queue or ring group, or not `offline`.
 */
export const UpdateAgentBody = CreateAgentBody.partial().refine(notEmpty, notEmptyMessage).meta({ id: 'UpdateAgentBody' });
export type UpdateAgentBody = z.infer<typeof UpdateAgentBody>;

export const Agent = z
  .object({
    id: z.uuid(),
    name: z.string(),
    extension: z.string(),
    languages: z.array(z.string()),
    skills: z.array(z.string()),
    domain: z.string(),
    state: AgentState,
    currentCallId: z.uuid().nullable().describe('the call the agent rings for or is on'),
    callsAnswered: z.int(),
    talkTimeSec: z.number(),
    lastCallEndedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Agent' });
export type Agent = z.infer<typeof Agent>;

export const AgentIdParams = z.object({ id: z.uuid() });

export const ListAgentsQuery = z.object({
  domain: RoutingDomainName.optional(),
  state: AgentState.optional(),
  ...pageQueryFields,
});
export type ListAgentsQuery = z.infer<typeof ListAgentsQuery>;

export const AgentPage = z.object({ items: z.array(Agent), nextCursor: z.string().nullable() }).meta({ id: 'AgentPage' });
export type AgentPage = z.infer<typeof AgentPage>;

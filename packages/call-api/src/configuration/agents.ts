// Creating, changing and deleting agents, with the checks an admin expects; each change tells the domain's routing worker.
import { defaultRoutingDomain, type Agent, type CreateAgentBody, type UpdateAgentBody } from '@switchboard/contracts';
import {
  agentByExtension, agentById, deleteAgent as deleteAgentRow, ensureRoutingDomain, insertAgent, membershipsOfAgent, updateAgent as updateAgentRow,
  type AgentRecord,
} from '@switchboard/db';
import { describeDestination } from './checks.ts';
import { conflict, notFound } from './refusal.ts';
import { changeConfiguration, type ConfigurationContext } from './transaction.ts';
import { isoOrNull, isoText } from './views.ts';

export function toAgent(row: AgentRecord): Agent {
  return {
    id: row.id, name: row.name, extension: row.extension, languages: row.languages, skills: row.skills, domain: row.domain,
    state: row.state, currentCallId: row.currentCallId, callsAnswered: row.callsAnswered, talkTimeSec: row.talkTimeSec,
    lastCallEndedAt: isoOrNull(row.lastCallEndedAt), createdAt: isoText(row.createdAt), updatedAt: isoText(row.updatedAt),
  };
}

const extensionTaken = (other: AgentRecord) =>
  conflict('extension-taken', 'Extension in use', [{ field: 'body.extension', reason: `is the extension of agent "${other.name}" (${other.id})` }]);

/** A new agent, `offline`; a new domain name creates the domain. */
export function createAgent(ctx: ConfigurationContext, body: CreateAgentBody): Promise<AgentRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const domain = body.domain ?? defaultRoutingDomain;
    const other = await agentByExtension(sql, body.extension);
    if (other) throw extensionTaken(other);
    await ensureRoutingDomain(sql, domain);
    const agent = await insertAgent(sql, { domain, name: body.name, extension: body.extension, languages: body.languages, skills: body.skills ?? [] });
    return { value: agent, domains: [domain], reason: `agent ${agent.id} created` };
  });
}

/**
 * Changes the fields given. A new domain is refused while the agent is not `offline` or is a member of any queue or
 * ring group (all of which are in the old domain): the old domain's worker would keep routing to them.
 */
export function updateAgent(ctx: ConfigurationContext, id: string, body: UpdateAgentBody): Promise<AgentRecord> {
  return changeConfiguration(ctx, async (sql) => {
    // FOR UPDATE: a queue or ring group taking the agent as a member locks it FOR SHARE, so the membership check below
    // and a concurrent new membership cannot both pass.
    const current = await agentById(sql, id, 'update');
    if (!current) throw notFound('agent', id);
    const next = {
      domain: body.domain ?? current.domain,
      name: body.name ?? current.name,
      extension: body.extension ?? current.extension,
      languages: body.languages ?? current.languages,
      skills: body.skills ?? current.skills,
    };
    if (next.extension !== current.extension) {
      const other = await agentByExtension(sql, next.extension, id);
      if (other) throw extensionTaken(other);
    }
    if (next.domain !== current.domain) {
      const reasons: string[] = [];
      if (current.state !== 'offline') reasons.push(`the agent is ${current.state.replace('_', ' ')}; set them offline first`);
      const memberships = await membershipsOfAgent(sql, id);
      if (memberships.length > 0) {
        reasons.push(`the agent is a member of ${memberships.map(describeDestination).join(', ')} in routing domain "${current.domain}"; remove them first`);
      }
      if (reasons.length > 0) {
        throw conflict('domain-change-refused', 'Domain change refused', reasons.map((reason) => ({ field: 'body.domain', reason: `cannot move to "${next.domain}": ${reason}` })));
      }
      await ensureRoutingDomain(sql, next.domain);
    }
    const agent = (await updateAgentRow(sql, id, next))!;
    return { value: agent, domains: [current.domain, next.domain], reason: `agent ${id} updated` };
  });
}

/** Deletes the agent and their memberships; refused while they ring for or are on a call. */
export function deleteAgent(ctx: ConfigurationContext, id: string): Promise<AgentRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const agent = await agentById(sql, id, 'update');
    if (!agent) throw notFound('agent', id);
    if (agent.state === 'ringing' || agent.state === 'on_call') {
      const doing = agent.state === 'ringing' ? `ringing for call ${agent.currentCallId ?? '(unknown)'}` : `on call ${agent.currentCallId ?? '(unknown)'}`;
      throw conflict('agent-busy', 'Agent busy', [{ field: 'params.id', reason: `cannot delete: the agent is ${doing}; wait until the call ends` }]);
    }
    await deleteAgentRow(sql, id);
    return { value: agent, domains: [agent.domain], reason: `agent ${id} deleted` };
  });
}

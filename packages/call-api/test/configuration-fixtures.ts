// Shared by the configuration tests: a JSON client over app.inject, unique numbers, extensions and domains (other test
// files share the database), a snapshot that proves a refusal wrote nothing, and live calls to put in a destination.
import { randomInt, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { CallApiHarness } from './call-api-harness.ts';

/** 12 digits starting with 9: never one of the harness's 8-digit numbers nor the demo's. */
export const uniqueNumber = () => `9${randomInt(10_000_000_000, 99_999_999_999)}`;
/** 11 digits starting with 7: never the demo's 4-digit extensions. */
export const uniqueExtension = () => `7${randomInt(1_000_000_000, 9_999_999_999)}`;
export const uniqueDomain = () => `test-${randomUUID().slice(0, 13)}`;

export type Json = any;

export function configClient(api: CallApiHarness) {
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const response = await api.inject({
      method, url,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
    });
    return { status: response.statusCode, headers: response.headers, body: response.body ? (response.json() as Json) : undefined, raw: response.body };
  };
  const client = {
    get: (url: string) => send('GET', url),
    post: (url: string, body: unknown) => send('POST', url, body),
    patch: (url: string, body: unknown) => send('PATCH', url, body),
    delete: (url: string) => send('DELETE', url),

    /** Creates an agent (expecting 201) and returns it. */
    async agent(fields: Record<string, unknown> = {}): Promise<Json> {
      const response = await send('POST', '/agents', { name: 'Agent', extension: uniqueExtension(), languages: ['en'], ...fields });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    },
    async queue(fields: Record<string, unknown> = {}): Promise<Json> {
      const response = await send('POST', '/queues', { name: 'Queue', number: uniqueNumber(), strategy: 'longest_idle', members: [], ...fields });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    },
    async ringGroup(fields: Record<string, unknown> = {}): Promise<Json> {
      const response = await send('POST', '/ring-groups', { name: 'Group', number: uniqueNumber(), strategy: 'ring_all', members: [], ...fields });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    },

    /**
     * Every configuration row count, the latest change, and the outbox rows the app published after a commit: equal
     * before and after a refusal. (The outbox table itself is emptied by the relay within milliseconds, so it is not counted.)
     */
    async snapshot() {
      const [row] = await api.db.$client`
        select (select count(*) from agents)::int as agents, (select count(*) from queues)::int as queues,
               (select count(*) from ring_groups)::int as ring_groups, (select count(*) from queue_members)::int as queue_members,
               (select count(*) from ring_group_members)::int as ring_group_members, (select count(*) from routing_domains)::int as domains,
               (select max(updated_at)::text from agents) as agents_changed, (select max(updated_at)::text from queues) as queues_changed,
               (select max(updated_at)::text from ring_groups) as ring_groups_changed`;
      return { ...row, published: api.published.length };
    },

    /** The `routing.config_changed` rows published since `from` (an index into api.published). */
    configChangedSince(from: number) {
      return api.published.slice(from).filter((r) => r.payload.type === 'routing.config_changed');
    },
  };
  return client;
}

/** Expects a problem+json answer with the status and an error on `field` (its reason matching `reason` if given). */
export function expectProblem(response: { status: number; headers: Record<string, unknown>; body: Json }, status: number, field: string, reason?: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  const error = (response.body.errors ?? []).find((e: { field: string }) => e.field === field);
  expect(error, `no error on ${field}: ${JSON.stringify(response.body.errors)}`).toBeDefined();
  if (reason) expect(error.reason).toMatch(reason);
  return error as { field: string; reason: string };
}

/** Puts `count` live calls (status `status`) at the destination, straight into the table; returns a function removing them. */
export async function liveCallsAt(api: CallApiHarness, destination: { id: string; name: string; number: string; domain: string }, kind: 'queue' | 'ring_group', count: number, status = 'queued') {
  const ids = Array.from({ length: count }, () => randomUUID());
  await api.db.$client`
    insert into calls (id, "from", "to", language, type, destination_id, destination_name, destination_number, domain, current_destination_id, status)
    select id, '+15550100', ${destination.number}, 'en', ${kind}::destination_kind, ${destination.id}, ${destination.name}, ${destination.number},
           ${destination.domain}, ${destination.id}, ${status}::call_status
      from unnest(${ids}::uuid[]) as u(id)`;
  return async () => {
    await api.db.$client`delete from calls where id = any(${ids}::uuid[])`;
  };
}

/** Sets an agent's state straight in the table (the status endpoint goes through the worker); returns a function undoing it. */
export async function setAgentState(api: CallApiHarness, agentId: string, state: string) {
  await api.db.$client`update agents set state = ${state}::agent_state where id = ${agentId}`;
  return async () => {
    await api.db.$client`update agents set state = 'offline' where id = ${agentId}`;
  };
}

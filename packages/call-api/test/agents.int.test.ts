// /agents against real PostgreSQL: create, read, list in pages, change, delete; every refusal names its field and writes nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTopics } from '@switchboard/contracts';
import { startCallApi, type CallApiHarness } from './call-api-harness.ts';
import { configClient, expectProblem, setAgentState, uniqueDomain, uniqueExtension, uniqueNumber, type Json } from './configuration-fixtures.ts';

let api: CallApiHarness;
let client: ReturnType<typeof configClient>;
beforeAll(async () => {
  api = await startCallApi();
  client = configClient(api);
});
afterAll(() => api?.close());

describe('agents: create, read, list, change, delete', () => {
  it('POST creates an offline agent in the default domain, answers 201 with Location, and tells the routing worker', async () => {
    const from = api.published.length;
    const extension = uniqueExtension();
    const response = await client.post('/agents', { name: 'Ana García', extension, languages: ['es-MX', 'en'], skills: ['billing'] });
    expect(response.status).toBe(201);
    const agent = response.body;
    expect(response.headers.location).toBe(`/agents/${agent.id}`);
    expect(agent).toEqual({
      id: expect.any(String), name: 'Ana García', extension, languages: ['es-MX', 'en'], skills: ['billing'], domain: 'default',
      state: 'offline', currentCallId: null, callsAnswered: 0, talkTimeSec: 0, lastCallEndedAt: null,
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect((await client.get(`/agents/${agent.id}`)).body).toEqual(agent);

    const [row, ...more] = client.configChangedSince(from);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      topic: defaultTopics.routingInputs, key: 'default', headers: { type: 'routing.config_changed' },
      payload: { type: 'routing.config_changed', version: 1, domain: 'default', reason: `agent ${agent.id} created` },
    });
    expect(row!.id).toBeGreaterThan(0);
  });

  it('a new domain name creates its routing domain', async () => {
    const domain = uniqueDomain();
    const agent = await client.agent({ domain });
    expect(agent.domain).toBe(domain);
    const [row] = await api.db.$client`select name from routing_domains where name = ${domain}`;
    expect(row).toEqual({ name: domain });
    // A second agent in it reuses the row.
    await client.agent({ domain });
  });

  it('GET /agents pages newest first with nextCursor, filtered by domain and state', async () => {
    const domain = uniqueDomain();
    const created: Json[] = [];
    for (let i = 0; i < 5; i++) created.push(await client.agent({ name: `Pager ${i}`, domain }));
    const seen: Json[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: Json = await client.get(`/agents?domain=${domain}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.items);
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((a) => a.id)).toEqual(created.map((a) => a.id).reverse());

    await setAgentState(api, created[2].id, 'break');
    const onBreak = await client.get(`/agents?domain=${domain}&state=break`);
    expect(onBreak.body).toEqual({ items: [expect.objectContaining({ id: created[2].id, state: 'break' })], nextCursor: null });
    await api.db.$client`update agents set state = 'offline' where id = ${created[2].id}`;
  });

  it('a cursor the API did not give is 400 on querystring.cursor', async () => {
    expectProblem(await client.get('/agents?cursor=bm90LWEtY3Vyc29y'), 400, 'querystring.cursor');
    expectProblem(await client.get('/agents?limit=0'), 400, 'querystring.limit');
    expectProblem(await client.get('/agents?state=asleep'), 400, 'querystring.state');
  });

  it('PATCH changes only the fields given, and tells the routing worker', async () => {
    const agent = await client.agent({ name: 'Before', skills: ['a'] });
    const from = api.published.length;
    const response = await client.patch(`/agents/${agent.id}`, { name: 'After', languages: ['fr-CA'] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...agent, name: 'After', languages: ['fr-CA'], updatedAt: expect.any(String) });
    expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(agent.updatedAt));
    expect(client.configChangedSince(from).map((r) => r.payload)).toEqual([expect.objectContaining({ domain: 'default', reason: `agent ${agent.id} updated` })]);
  });

  it('PATCH moves an offline agent without memberships to another domain, and tells both domains', async () => {
    const [a, b] = [uniqueDomain(), uniqueDomain()];
    const agent = await client.agent({ domain: a });
    const from = api.published.length;
    const response = await client.patch(`/agents/${agent.id}`, { domain: b });
    expect(response.status).toBe(200);
    expect(response.body.domain).toBe(b);
    expect(client.configChangedSince(from).map((r) => r.key).sort()).toEqual([a, b].sort());
  });

  it('DELETE answers 204, removes the agent and their memberships, and tells the routing worker', async () => {
    const domain = uniqueDomain();
    const agent = await client.agent({ domain });
    const other = await client.agent({ domain });
    const queue = await client.queue({ domain, members: [{ agentId: agent.id }, { agentId: other.id }] });
    const group = await client.ringGroup({ domain, members: [agent.id, other.id] });
    const from = api.published.length;
    const response = await client.delete(`/agents/${agent.id}`);
    expect(response.status).toBe(204);
    expect(response.raw).toBe('');
    expectProblem(await client.get(`/agents/${agent.id}`), 404, 'params.id');
    expect((await client.get(`/queues/${queue.id}`)).body.members.map((m: Json) => m.agentId)).toEqual([other.id]);
    expect((await client.get(`/ring-groups/${group.id}`)).body.members).toEqual([other.id]);
    expect(client.configChangedSince(from).map((r) => r.payload)).toEqual([expect.objectContaining({ domain, reason: `agent ${agent.id} deleted` })]);
  });

  it('unknown ids are 404 problems; a malformed id is 400', async () => {
    const id = randomUUID();
    for (const response of [await client.get(`/agents/${id}`), await client.patch(`/agents/${id}`, { name: 'x' }), await client.delete(`/agents/${id}`)]) {
      expectProblem(response, 404, 'params.id', /no agent/);
    }
    expectProblem(await client.get('/agents/not-a-uuid'), 400, 'params.id');
  });
});

describe('agents: refusals name the field and write nothing', () => {
  let taken: Json;
  let member: Json;
  let available: Json;
  beforeAll(async () => {
    taken = await client.agent({ name: 'Taken' });
    const domain = uniqueDomain();
    member = await client.agent({ name: 'Member', domain });
    await client.queue({ name: 'Holding queue', domain, members: [{ agentId: member.id }] });
    available = await client.agent({ name: 'Available', domain: uniqueDomain() });
    await setAgentState(api, available.id, 'available');
  });

  const body = (fields: Record<string, unknown> = {}) => ({ name: 'New', extension: uniqueExtension(), languages: ['en'], ...fields });
  type Case = { name: string; request: () => Promise<Json>; status: number; field: string; reason?: RegExp };
  const cases: Case[] = [
    { name: 'a missing name', request: () => client.post('/agents', { extension: uniqueExtension(), languages: ['en'] }), status: 400, field: 'body.name', reason: /required/ },
    { name: 'an unknown field', request: () => client.post('/agents', body({ state: 'available' })), status: 400, field: 'body.state', reason: /not a known field/ },
    { name: 'a bad language tag', request: () => client.post('/agents', body({ languages: ['en', 'not a tag'] })), status: 400, field: 'body.languages.1' },
    { name: 'no language', request: () => client.post('/agents', body({ languages: [] })), status: 400, field: 'body.languages' },
    { name: 'a language twice', request: () => client.post('/agents', body({ languages: ['en', 'es', 'en'] })), status: 400, field: 'body.languages.2', reason: /twice/ },
    { name: 'a skill twice', request: () => client.post('/agents', body({ skills: ['a', 'a'] })), status: 400, field: 'body.skills.1', reason: /twice/ },
    { name: 'NUL in the name', request: () => client.post('/agents', body({ name: 'Ana\u0000' })), status: 400, field: 'body.name', reason: /NUL/ },
    { name: 'NUL in a skill', request: () => client.post('/agents', body({ skills: ['billing', 'x\u0000'] })), status: 400, field: 'body.skills.1', reason: /NUL/ },
    { name: 'a bad extension', request: () => client.post('/agents', body({ extension: '12a' })), status: 400, field: 'body.extension' },
    { name: 'a bad domain name', request: () => client.post('/agents', body({ domain: 'Not Valid' })), status: 400, field: 'body.domain' },
    { name: 'an extension in use', request: () => client.post('/agents', body({ extension: taken.extension })), status: 409, field: 'body.extension', reason: /Taken/ },
    { name: 'an empty PATCH', request: () => client.patch(`/agents/${taken.id}`, {}), status: 400, field: 'body', reason: /at least one field/ },
    { name: 'a PATCH of the state', request: () => client.patch(`/agents/${taken.id}`, { state: 'available' }), status: 400, field: 'body.state' },
    { name: 'a PATCH to an extension in use', request: () => client.patch(`/agents/${member.id}`, { extension: taken.extension }), status: 409, field: 'body.extension' },
    {
      name: 'a new domain for a member of a queue', request: () => client.patch(`/agents/${member.id}`, { domain: uniqueDomain() }),
      status: 409, field: 'body.domain', reason: /member of queue "Holding queue"/,
    },
    {
      name: 'a new domain for an agent who is not offline', request: () => client.patch(`/agents/${available.id}`, { domain: uniqueDomain() }),
      status: 409, field: 'body.domain', reason: /is available; set them offline first/,
    },
  ];

  it.each(cases)('$name → $status on $field', async ({ request, status, field, reason }) => {
    const before = await client.snapshot();
    const response = await request();
    expectProblem(response, status, field, reason);
    expect(await client.snapshot()).toEqual(before);
  });

  it.each(['ringing', 'on_call'])('DELETE of an agent who is %s → 409 saying so, and the agent stays', async (state) => {
    const agent = await client.agent({ domain: uniqueDomain() });
    const undo = await setAgentState(api, agent.id, state);
    try {
      const before = await client.snapshot();
      expectProblem(await client.delete(`/agents/${agent.id}`), 409, 'params.id', state === 'ringing' ? /is ringing/ : /is on call/);
      expect(await client.snapshot()).toEqual(before);
      expect((await client.get(`/agents/${agent.id}`)).status).toBe(200);
    } finally {
      await undo();
    }
  });

  it('ten concurrent POSTs of one extension: one 201, nine 409', async () => {
    const extension = uniqueExtension();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => client.post('/agents', body({ name: `Racer ${i}`, extension }))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    for (const a of answers.filter((x) => x.status === 409)) expectProblem(a, 409, 'body.extension');
    const [row] = await api.db.$client`select count(*)::int as n from agents where extension = ${extension}`;
    expect(row!.n).toBe(1);
  });

  it('queues are not agents: a queue number is no agent extension clash', async () => {
    const number = uniqueNumber();
    await client.queue({ number });
    expect((await client.post('/agents', body({ extension: number }))).status).toBe(201);
  });
});

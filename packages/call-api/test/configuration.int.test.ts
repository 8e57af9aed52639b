// What the three configuration resources share: one number space across queues and ring groups (race-free), the
// routing worker hearing of every change through Kafka, and the OpenAPI document listing every route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTopics } from '@switchboard/contracts';
import { readTopicUntil } from '../../messaging/test/read-topic.ts';
import { callApiTestConfig, injectWithKey, startCallApi, type CallApiHarness } from './call-api-harness.ts';
import { configClient, expectProblem, uniqueDomain, uniqueNumber, type Json } from './configuration-fixtures.ts';

let api: CallApiHarness;
let client: ReturnType<typeof configClient>;
beforeAll(async () => {
  api = await startCallApi();
  client = configClient(api);
});
afterAll(() => api?.close());

describe('a number belongs to one queue or ring group', () => {
  it('is refused for a ring group when a queue has it, and the other way round, on POST and PATCH', async () => {
    const queue = await client.queue({ name: 'Q' });
    const group = await client.ringGroup({ name: 'G' });
    expectProblem(await client.post('/ring-groups', { name: 'x', number: queue.number, strategy: 'ring_all', members: [] }), 409, 'body.number', /queue "Q"/);
    expectProblem(await client.post('/queues', { name: 'x', number: group.number, strategy: 'ring_all', members: [] }), 409, 'body.number', /ring group "G"/);
    expectProblem(await client.patch(`/queues/${queue.id}`, { number: group.number }), 409, 'body.number');
    expectProblem(await client.patch(`/ring-groups/${group.id}`, { number: queue.number }), 409, 'body.number');
    // Its own number again is no clash.
    expect((await client.patch(`/queues/${queue.id}`, { number: queue.number, name: 'Q2' })).status).toBe(200);
  });

  it('ten concurrent POSTs of one number, to queues and ring groups alike: exactly one 201, nine 409', async () => {
    const number = uniqueNumber();
    const before = api.published.length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0
          ? client.post('/queues', { name: `Racer ${i}`, number, strategy: 'ring_all', members: [] })
          : client.post('/ring-groups', { name: `Racer ${i}`, number, strategy: 'ring_all', members: [] })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    for (const answer of answers.filter((a) => a.status === 409)) expectProblem(answer, 409, 'body.number');
    const [row] = await api.db.$client`
      select (select count(*) from queues where number = ${number})::int + (select count(*) from ring_groups where number = ${number})::int as n`;
    expect(row!.n).toBe(1);
    expect(client.configChangedSince(before)).toHaveLength(1);
  });

  it('the number a PATCH gives up is free for another at once', async () => {
    const queue = await client.queue();
    const old = queue.number;
    expect((await client.patch(`/queues/${queue.id}`, { number: uniqueNumber() })).status).toBe(200);
    await client.ringGroup({ number: old });
  });
});

describe('the routing worker hears of every change', () => {
  it('a routing.config_changed message, keyed by domain, reaches the routing-inputs topic', async () => {
    const domain = uniqueDomain();
    const agent = await client.agent({ domain });
    const { match } = await readTopicUntil(api.kafka, defaultTopics.routingInputs, (m) => m.key === domain && m.value.type === 'routing.config_changed');
    expect(match.value).toMatchObject({ type: 'routing.config_changed', version: 1, domain, reason: `agent ${agent.id} created` });
    expect(match.headers.type?.toString()).toBe('routing.config_changed');
  });

  it('the outbox row is committed with the change: it is in the table until the relay sends it', async () => {
    // A second API whose relay was never started, so its producer is not connected and cannot send: its rows stay in
    // the table (the harness relay's sweep leaves rows younger than 2 s alone, then sends them).
    const held: Json[] = [];
    const { createCallApi } = await import('../src/app.ts');
    const holdingApi = await createCallApi(callApiTestConfig(), { onPublish: (rows) => held.push(...rows) });
    const holding = { inject: injectWithKey(holdingApi.app, api.adminKey) };
    try {
      const domain = uniqueDomain();
      const response = await holding.inject({ method: 'POST', url: '/agents', payload: { name: 'Held', extension: `8${Date.now()}`, languages: ['en'], domain } });
      expect(response.statusCode).toBe(201);
      const rows = await api.db.$client`select topic, key, payload from outbox where key = ${domain}`;
      expect(rows).toEqual([{ topic: defaultTopics.routingInputs, key: domain, payload: expect.objectContaining({ type: 'routing.config_changed', domain }) }]);
      expect(held.map((r) => r.id)).toHaveLength(1);
    } finally {
      await holdingApi.stop();
    }
  });
});

describe('OpenAPI', () => {
  it('/docs/json lists every configuration route with tags, summary, parameters and each answer', async () => {
    const doc = (await api.inject({ method: 'GET', url: '/docs/json' })).json();
    // Besides what each route declares, what the shared host answers for any: 413 and 415 for a body (a DELETE's too),
    // 500, and 503 while the service drains.
    const expected: Record<string, Record<string, string[]>> = {
      '/agents': { post: ['201', '400', '409', '413', '415', '500', '503'], get: ['200', '400', '500', '503'] },
      '/agents/{id}': {
        get: ['200', '400', '404', '500', '503'], patch: ['200', '400', '404', '409', '413', '415', '500', '503'],
        delete: ['204', '400', '404', '409', '413', '415', '500', '503'],
      },
      '/queues': { post: ['201', '400', '409', '413', '415', '422', '500', '503'], get: ['200', '400', '500', '503'] },
      '/queues/{id}': {
        get: ['200', '400', '404', '500', '503'], patch: ['200', '400', '404', '409', '413', '415', '422', '500', '503'],
        delete: ['204', '400', '404', '409', '413', '415', '500', '503'],
      },
      '/ring-groups': { post: ['201', '400', '409', '413', '415', '422', '500', '503'], get: ['200', '400', '500', '503'] },
      '/ring-groups/{id}': {
        get: ['200', '400', '404', '500', '503'], patch: ['200', '400', '404', '409', '413', '415', '422', '500', '503'],
        delete: ['204', '400', '404', '409', '413', '415', '500', '503'],
      },
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const [method, codes] of Object.entries(methods)) {
        const operation = doc.paths[path]?.[method];
        expect(operation, `${method} ${path}`).toBeDefined();
        expect(operation.tags).toHaveLength(1);
        expect(operation.summary).toEqual(expect.any(String));
        // …and 401, 403 and 429 on every route that takes a key (these all do).
        expect(Object.keys(operation.responses).sort()).toEqual([...codes, '401', '403', '429'].sort());
        for (const code of [...codes, '401', '403', '429'].filter((c) => Number(c) >= 400)) {
          // 500 is one shared response, referred to.
          const response = code === '500' ? doc.components.responses.InternalError : operation.responses[code];
          expect(JSON.stringify(response), `${method} ${path} ${code}`).toContain('#/components/schemas/Problem');
        }
        if (path.endsWith('{id}')) expect(operation.parameters.map((p: Json) => p.name)).toContain('id');
        if (method === 'post' || method === 'patch') expect(operation.requestBody).toBeDefined();
      }
    }
    expect(doc.paths['/agents'].get.parameters.map((p: Json) => p.name).sort()).toEqual(['cursor', 'domain', 'limit', 'state']);
    for (const schema of ['Agent', 'CreateAgentBody', 'UpdateAgentBody', 'Queue', 'CreateQueueBody', 'RingGroup', 'CreateRingGroupBody', 'DestinationRoute']) {
      expect(doc.components.schemas[schema], schema).toBeDefined();
    }
  });
});

// A new user's first calls, over HTTP and Kafka with both services as processes: agents and a queue made through the
// API, a call that rings the right agent, one answer that wins, a hang-up, wrap-up; a ring group that fails over.
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCallEvents, insertCalls, type NewCall } from '@switchboard/db';
import { eventually, startSystem, type System } from './system.ts';

let system: System;
let agentIds: string[];

beforeAll(async () => {
  system = await startSystem();
  agentIds = [];
  for (const [i, languages] of [['en'], ['en', 'es'], ['fr']].entries()) {
    const created = await system.json('POST', '/agents', { name: `Agent ${i + 1}`, extension: String(randomInt(1e7, 1e8)), languages, domain: system.domain });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    agentIds.push(created.body.id);
    // Each agent logs in a moment after the previous one: agent 1 has been idle longest.
    const status = await system.json('PUT', `/agents/${created.body.id}/status`, { status: 'available' });
    expect(status.status, JSON.stringify(status.body)).toBe(200);
    expect(status.body).toMatchObject({ state: 'available', currentCallId: null });
  }
});
afterAll(() => system?.stop());

const ringingOf = (id: string) => eventually(() => system.getCall(id), (c) => c.status === 'ringing' && c.ringing.length > 0, `call ${id} to ring`, 10_000);

describe('a call through a queue, answered and hung up', () => {
  it('rings the longest idle agent, takes one answer, refuses a second, and completes with wrap-up', async () => {
    const number = String(randomInt(1e7, 1e8));
    const queue = await system.json('POST', '/queues', {
      name: 'Support', number, strategy: 'longest_idle', ringTimeoutSec: 5, wrapUpSec: 0.5, requireLanguage: true, domain: system.domain,
      members: agentIds.map((agentId) => ({ agentId })),
    });
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);

    const posted = await system.post({ from: '+15550100', to: number, language: 'en' });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    const ringing = await ringingOf(id);
    expect(ringing.ringing).toEqual([agentIds[0]]);
    expect((await system.json('GET', `/agents/${agentIds[0]}`)).body).toMatchObject({ state: 'ringing', currentCallId: id });

    // Agent 3 speaks only French: not rung, and an answer from an agent who was not rung is refused.
    const notRung = await system.json('POST', `/calls/${id}/answer`, { agentId: agentIds[2] });
    expect(notRung.status).toBe(409);
    const answered = await system.json('POST', `/calls/${id}/answer`, { agentId: agentIds[0] });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body).toMatchObject({ status: 'answered', agentId: agentIds[0], ringing: [] });
    const second = await system.json('POST', `/calls/${id}/answer`, { agentId: agentIds[1] });
    expect(second.status).toBe(409);

    const busy = await system.json('PUT', `/agents/${agentIds[0]}/status`, { status: 'break' });
    expect(busy.status).toBe(409);
    const hungUp = await system.json('POST', `/calls/${id}/hangup`, { by: 'agent' });
    expect(hungUp.status, JSON.stringify(hungUp.body)).toBe(200);
    expect(hungUp.body.status).toBe('completed');
    expect(hungUp.body.events.map((e: { type: string }) => e.type)).toEqual(['call.received', 'call.queued', 'call.ringing', 'call.answered', 'call.completed']);
    expect((await system.json('GET', `/agents/${agentIds[0]}`)).body.state).toBe('wrap_up');
    await eventually(async () => (await system.json('GET', `/agents/${agentIds[0]}`)).body.state, (s) => s === 'available', 'wrap-up to end', 5_000);
    expect((await system.json('GET', `/agents/${agentIds[0]}`)).body).toMatchObject({ callsAnswered: 1, currentCallId: null });
  });
});

describe('agents answering at the same moment', () => {
  it('gives the call to exactly one: one 200, the others 409, and the losers are free again', async () => {
    const number = String(randomInt(1e7, 1e8));
    const queue = await system.json('POST', '/queues', {
      name: 'Race', number, strategy: 'ring_all', ringTimeoutSec: 10, domain: system.domain, members: agentIds.map((agentId) => ({ agentId })),
    });
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);
    for (let round = 0; round < 3; round++) {
      await eventually(async () => Promise.all(agentIds.map(async (a) => (await system.json('GET', `/agents/${a}`)).body.state)), (s) => s.every((x) => x === 'available'), 'every agent free', 10_000);
      const posted = await system.post({ from: '+15550150', to: number, language: 'en' });
      const { id } = (await posted.json()) as { id: string };
      const call = await eventually(() => system.getCall(id), (c) => c.ringing.length === agentIds.length, 'every agent to ring', 10_000);
      const answers = await Promise.all(call.ringing.map((agentId: string) => system.json('POST', `/calls/${id}/answer`, { agentId })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
      const winner = call.ringing[answers.findIndex((a) => a.status === 200)];
      const after = await system.getCall(id);
      expect(after).toMatchObject({ status: 'answered', agentId: winner, ringing: [] });
      expect(after.events.filter((e: { type: string }) => e.type === 'call.answered')).toHaveLength(1);
      for (const agentId of agentIds.filter((a) => a !== winner)) expect((await system.json('GET', `/agents/${agentId}`)).body.state).not.toBe('ringing');
      expect((await system.json('POST', `/calls/${id}/hangup`, { by: 'caller' })).body.status).toBe('completed');
    }
  });
});

describe('a ring group that nobody answers', () => {
  it('rings every member at once, then fails over to its queue, where the call rings again', async () => {
    const queueNumber = String(randomInt(1e7, 1e8));
    const queue = await system.json('POST', '/queues', {
      name: 'Overflow', number: queueNumber, strategy: 'top_down', ringTimeoutSec: 5, domain: system.domain, members: [{ agentId: agentIds[2] }],
    });
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);
    const number = String(randomInt(1e7, 1e8));
    const group = await system.json('POST', '/ring-groups', {
      name: 'Sales', number, strategy: 'ring_all', ringTimeoutSec: 0.5, totalTimeoutSec: 3, domain: system.domain,
      failover: { kind: 'queue', id: queue.body.id }, members: agentIds.slice(0, 2),
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);

    const posted = await system.post({ from: '+15550200', to: number, language: 'en' });
    const { id } = (await posted.json()) as { id: string };
    const first = await ringingOf(id);
    expect([...first.ringing].sort()).toEqual(agentIds.slice(0, 2).sort());
    const failedOver = await eventually(() => system.getCall(id), (c) => c.events.some((e: { type: string }) => e.type === 'call.overflowed') && c.ringing.length > 0, 'the failover to ring', 10_000);
    expect(failedOver.ringing).toEqual([agentIds[2]]);
    const types = failedOver.events.map((e: { type: string }) => e.type);
    expect(types.slice(0, 4)).toEqual(['call.received', 'call.ringing', 'call.no_answer', 'call.overflowed']);
    expect(types.slice(4)).toEqual(['call.queued', 'call.ringing']);
    expect((await system.json('POST', `/calls/${id}/hangup`, { by: 'caller' })).body.status).toBe('abandoned');
  });
});

describe('a hang-up right after the call was taken', () => {
  // The API sends an action only after the call requests it committed before have been tried, so the worker has the
  // call when the hang-up comes; 100 callers at once, each hanging up as soon as the 202 comes.
  it('finds the call: each of 100 callers hanging up at once is abandoned, none told the call has not reached its worker', async () => {
    const number = String(randomInt(1e7, 1e8));
    const queue = await system.json('POST', '/queues', { name: 'Hasty callers', number, strategy: 'ring_all', domain: system.domain, members: [] });
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const posted = await system.post({ from: `+155503${String(i).padStart(3, '0')}`, to: number, language: 'en' });
        const { id } = (await posted.json()) as { id: string };
        const hangup = await system.json('POST', `/calls/${id}/hangup`, { by: 'caller' });
        return `${hangup.status} ${hangup.body.status ?? hangup.body.detail}`;
      }),
    );
    expect(outcomes).toEqual(Array(100).fill('200 abandoned'));
  });
});

describe('an action that reaches the worker before its call', () => {
  it('is 503 with Retry-After and does nothing; once the call is routed, the retry applies', async () => {
    // A queue nobody serves: the call waits there. Its `call.requested` is held back, as when call-api died between its
    // commit and the send: the call is written as intake writes it, and nothing is sent.
    const number = String(randomInt(1e7, 1e8));
    const queue = await system.json('POST', '/queues', { name: 'Overtaken', number, strategy: 'ring_all', ringTimeoutSec: 10, domain: system.domain, members: [] });
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);
    const id = randomUUID();
    const row: NewCall = {
      id, from: '+15550199', to: number, language: 'en', type: 'queue', priority: 0, metadata: {}, destinationId: queue.body.id,
      destinationName: 'Overtaken', destinationNumber: number, domain: system.domain, idempotencyKey: null, requestHash: null,
    };
    await system.db.$client.begin(async (sql) => {
      const rows = await insertCalls(sql, [row]);
      await insertCallEvents(sql, [
        { id: randomUUID(), type: 'call.received', version: 1, occurredAt: rows[0]!.createdAt.toISOString(), callId: id, sequence: 1, status: 'received', data: { destinationId: queue.body.id } },
      ]);
      return rows;
    });

    const early = await system.json('POST', `/calls/${id}/hangup`, { by: 'caller' });
    expect(early.status, JSON.stringify(early.body)).toBe(503);
    expect(early.body.detail).toMatch(/not reached its routing worker yet/);
    expect((await system.getCall(id)).status).toBe('received');

    // call-api's sweep sends the request of a call still received after CALL_REQUEST_RESEND_AFTER_MS (5 s); the worker
    // queues the call, and the hang-up now applies.
    await eventually(() => system.getCall(id), (c) => c.status === 'queued', 'the sweep to send the call and the worker to queue it', 15_000);
    expect((await system.getCall(id)).events.map((e: { type: string }) => e.type)).toEqual(['call.received', 'call.queued']);
    const retried = await system.json('POST', `/calls/${id}/hangup`, { by: 'caller' });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.status).toBe('abandoned');
  });
});

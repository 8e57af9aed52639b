// A waiting call's position and estimated wait, in its `call.queued` event (at entry, from the worker's live state) and
// in GET /calls/{id} (now, from PostgreSQL): positions follow priority then arrival, the estimate follows the formula
// with the handle time measured on the queue's answered calls, and the worker rebuilds that measure after a restart.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startSystem, type System } from './system.ts';

let system: System;
let agentId: string;
let queueNumber: string;

beforeAll(async () => {
  system = await startSystem();
  const created = await system.json('POST', '/agents', { name: 'Estimate', extension: String(randomInt(1e7, 1e8)), languages: ['en'], domain: system.domain });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  agentId = created.body.id;
  expect((await system.json('PUT', `/agents/${agentId}/status`, { status: 'available' })).status).toBe(200);
  queueNumber = String(randomInt(1e7, 1e8));
  const queue = await system.json('POST', '/queues', {
    name: 'Estimate',
    number: queueNumber,
    strategy: 'longest_idle',
    ringTimeoutSec: 60,
    domain: system.domain,
    members: [{ agentId }],
  });
  expect(queue.status, JSON.stringify(queue.body)).toBe(201);
});
afterAll(() => system?.stop());

const post = async (priority = 0) =>
  ((await (await system.post({ from: '+15550400', to: queueNumber, language: 'en', priority })).json()) as { id: string }).id;
const reach = (id: string, status: string) =>
  eventually(
    () => system.getCall(id),
    (c) => c.status === status,
    `call ${id} to be ${status}`,
    15_000,
  );
const queuedData = (call: { events: { type: string; data: Record<string, unknown> }[] }) => call.events.find((e) => e.type === 'call.queued')!.data;
const at = (call: { events: { type: string; occurredAt: string }[] }, type: string) => Date.parse(call.events.find((e) => e.type === type)!.occurredAt) / 1000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The estimate's median of Gamma(m, 1): ln 2 for m = 1, m − 1/3 + 8/(405 m) above. */
const median = (m: number) => (m === 1 ? Math.LN2 : m - 1 / 3 + 8 / (405 * m));

describe('position and estimated wait', () => {
  it('are given at entry and now, by priority then arrival, from the measured handle time, and after a worker restart', async () => {
    // A rings the one agent at once: position 1, the ring only (nothing measured yet: no ring time).
    const a = await post();
    const ringingA = await reach(a, 'ringing');
    expect(queuedData(ringingA)).toMatchObject({ position: 1, estimatedWaitSec: 0 });
    expect(ringingA).toMatchObject({ position: 1, estimatedWaitSec: 0 });
    await pause(300);
    expect((await system.json('POST', `/calls/${a}/answer`, { agentId })).status).toBe(200);

    // B, C, D wait behind the agent on A. Nothing measured yet: the default handle time, 120 s, over 1 agent.
    const b = await post();
    await reach(b, 'queued');
    const c = await post();
    await reach(c, 'queued');
    const d = await post();
    const queuedD = await reach(d, 'queued');
    for (const [id, position] of [
      [b, 1],
      [c, 2],
      [d, 3],
    ] as const) {
      const call = id === d ? queuedD : await system.getCall(id);
      expect(queuedData(call), `call.queued of the call at ${position}`).toEqual({
        queueId: call.destination.id,
        position,
        estimatedWaitSec: expect.closeTo(median(position) * 120, 2),
      });
      expect(call.position).toBe(position);
      expect(call.estimatedWaitSec).toBeCloseTo(median(position) * 120, 2);
    }

    // E, priority 5, goes first: 1 at entry, and D is 4th now.
    const e = await post(5);
    const queuedE = await reach(e, 'queued');
    expect(queuedData(queuedE)).toMatchObject({ position: 1 });
    expect(queuedE.position).toBe(1);
    expect((await system.getCall(d)).position).toBe(4);
    expect((await system.getCall(b)).position).toBe(2);

    // A ends: E rings (offered), and the queue has one measured call: ring + talk of A, and A's ring to answer.
    expect((await system.json('POST', `/calls/${a}/hangup`, { by: 'agent' })).status).toBe(200);
    const doneA = await reach(a, 'completed');
    const ring = at(doneA, 'call.answered') - at(doneA, 'call.ringing');
    const handle = at(doneA, 'call.completed') - at(doneA, 'call.ringing');
    expect(ring).toBeGreaterThanOrEqual(0.3);
    const ringingE = await reach(e, 'ringing');
    expect(ringingE).toMatchObject({ position: 1, estimatedWaitSec: expect.closeTo(ring, 2) });
    // B is first in line: one finish of the agent (ringing for E), median ln 2 · handle, plus the ring.
    const nowB = await system.getCall(b);
    expect(nowB.position).toBe(1);
    expect(nowB.estimatedWaitSec).toBeCloseTo(Math.LN2 * handle + ring, 2);
    expect((await system.getCall(d)).estimatedWaitSec).toBeCloseTo(median(3) * handle + ring, 2);

    // The worker restarts: it rebuilds the measure from PostgreSQL, and F's call.queued uses it (4th: B, C, D ahead).
    await system.worker.stop();
    await system.startWorker();
    const f = await post();
    const queuedF = await reach(f, 'queued');
    expect(queuedData(queuedF)).toMatchObject({ position: 4, estimatedWaitSec: expect.closeTo(median(4) * handle + ring, 2) });

    // A call answered has no position; neither has one that ended.
    expect((await system.json('POST', `/calls/${e}/answer`, { agentId })).status).toBe(200);
    expect(await system.getCall(e)).toMatchObject({ status: 'answered', position: null, estimatedWaitSec: null });
    for (const id of [b, c, d, f]) expect((await system.json('POST', `/calls/${id}/hangup`, { by: 'caller' })).status).toBe(200);
    expect(await system.getCall(b)).toMatchObject({ status: 'abandoned', position: null, estimatedWaitSec: null });
  }, 120_000);
});

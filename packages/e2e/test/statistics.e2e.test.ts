// A queue's and a ring group's statistics over real calls: answered and hung up, abandoned, still waiting; the window's
// figures come out as the calls went, and read the same after both services are restarted (they live in PostgreSQL);
// the Prometheus metrics of both services say the same.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startSystem, type System } from './system.ts';

let system: System;
let agentIds: string[];
let queueId: string;
let queueNumber: string;

beforeAll(async () => {
  system = await startSystem();
  agentIds = [];
  for (const i of [1, 2]) {
    const created = await system.json('POST', '/agents', {
      name: `Stats ${i}`,
      extension: String(randomInt(1e7, 1e8)),
      languages: ['en'],
      domain: system.domain,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    agentIds.push(created.body.id);
    expect((await system.json('PUT', `/agents/${created.body.id}/status`, { status: 'available' })).status).toBe(200);
  }
  queueNumber = String(randomInt(1e7, 1e8));
  const queue = await system.json('POST', '/queues', {
    name: 'Stats',
    number: queueNumber,
    strategy: 'longest_idle',
    ringTimeoutSec: 30,
    domain: system.domain,
    members: agentIds.map((agentId) => ({ agentId })),
  });
  expect(queue.status, JSON.stringify(queue.body)).toBe(201);
  queueId = queue.body.id;
});
afterAll(() => system?.stop());

const post = async () => ((await (await system.post({ from: '+15550300', to: queueNumber, language: 'en' })).json()) as { id: string }).id;
const ringing = (id: string) =>
  eventually(
    () => system.getCall(id),
    (c) => c.status === 'ringing',
    `call ${id} to ring`,
    10_000,
  );
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stats = async (path: string) => {
  const answer = await system.json('GET', path);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

describe('a queue', () => {
  it('counts what its calls did, now and over the window, and reads the same after a restart', async () => {
    // Answered after ~0.3 s of ringing, talked ~0.5 s, hung up: completed.
    const answered = await post();
    const rang = await ringing(answered);
    await pause(300);
    expect((await system.json('POST', `/calls/${answered}/answer`, { agentId: rang.ringing[0] })).status).toBe(200);
    await pause(500);
    expect((await system.json('POST', `/calls/${answered}/hangup`, { by: 'caller' })).status).toBe(200);

    // The caller hangs up while it rings: abandoned.
    const abandoned = await post();
    await ringing(abandoned);
    expect((await system.json('POST', `/calls/${abandoned}/hangup`, { by: 'caller' })).body.status).toBe('abandoned');

    // Both agents go on break; a call then waits in line.
    for (const agentId of agentIds) {
      await eventually(
        async () => (await system.json('PUT', `/agents/${agentId}/status`, { status: 'break' })).status,
        (s) => s === 200,
        'break',
        10_000,
      );
    }
    const waiting = await post();
    await eventually(
      () => system.getCall(waiting),
      (c) => c.status === 'queued',
      'the third call to wait',
      10_000,
    );

    const before = await stats(`/queues/${queueId}/stats`);
    expect(before.destination).toEqual({ kind: 'queue', id: queueId, name: 'Stats' });
    expect(before.now).toMatchObject({ waiting: 1, waitingByPriority: [{ priority: 0, waiting: 1 }], members: 2, loggedIn: 2, available: 0 });
    expect(before.now.agents).toMatchObject({ break: 2, available: 0, offline: 0 });
    expect(before.now.longestWaitSec).toBeGreaterThan(0);
    expect(before.window).toMatchObject({
      windowSec: 900,
      offered: 3,
      answered: 1,
      abandoned: 1,
      unanswered: 0,
      overflowed: 0,
      failed: 0,
      stillWaiting: 1,
      serviceLevelSec: 20,
      serviceLevel: 1,
      serviceLevel2: 1,
    });
    expect(before.window.averageSpeedOfAnswerSec).toBeGreaterThanOrEqual(0.3);
    expect(before.window.averageSpeedOfAnswerSec).toBeLessThan(5);
    expect(before.window.averageTalkSec).toBeGreaterThanOrEqual(0.5);
    expect(before.window.averageTalkSec).toBeLessThan(5);
    expect(before.window.waits.map((w: { withinSec: number }) => w.withinSec)).toEqual([10, 20, 30, 60, 120]);
    expect(before.window.waits[0]).toEqual({ withinSec: 10, answered: 1, abandoned: 1 });

    // A threshold below the answer's wait: not within it.
    const strict = await stats(`/queues/${queueId}/stats?serviceLevelSec=1&waitThresholdsSec=0,30`);
    expect(strict.window.waits).toEqual([
      { withinSec: 0, answered: 0, abandoned: 0 },
      { withinSec: 30, answered: 1, abandoned: 1 },
    ]);

    // The same, as Prometheus metrics: the worker counts and times what its decisions did; call-api reads what waits.
    const scrape = async (url: string) => (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${system.adminKey}` } })).text();
    const worker = await scrape(system.worker.url);
    const at = `kind="queue",destination="${queueId}"`;
    for (const [event, n] of [
      ['offered', 3],
      ['answered', 1],
      ['completed', 1],
      ['abandoned', 1],
    ] as const) {
      expect(worker, event).toContain(`switchboard_destination_calls_total{${at},event="${event}"} ${n}`);
    }
    expect(worker).toContain(`switchboard_call_wait_seconds_count{${at},outcome="answered"} 1`);
    expect(worker).toContain(`switchboard_call_wait_seconds_count{${at},outcome="abandoned"} 1`);
    // Ring to answer: the one answered call rang ~0.3 s before its answer.
    expect(worker).toContain(`switchboard_ring_to_answer_seconds_count{${at}} 1`);
    const ringSum = Number(new RegExp(`switchboard_ring_to_answer_seconds_sum\\{${at}\\} ([0-9.e+-]+)`).exec(worker)?.[1]);
    expect(ringSum).toBeGreaterThanOrEqual(0.3);
    expect(ringSum).toBeLessThan(5);
    const api = await scrape(system.api.url);
    expect(api).toContain(`switchboard_destination_calls_waiting{${at}} 1`);
    expect(api).toMatch(new RegExp(`switchboard_destination_longest_wait_seconds\\{${at}\\} \\d`));
    expect(api).toContain(`switchboard_agents{domain="${system.domain}",state="break"} 2`);

    await system.api.stop();
    await system.worker.stop();
    await Promise.all([system.startApi(), system.startWorker()]);
    const after = await stats(`/queues/${queueId}/stats`);
    const stable = (s: typeof before) => ({ ...s.window, since: undefined, longestWaitSec: undefined });
    expect(stable(after)).toEqual(stable(before));
    expect(after.now.waiting).toBe(1);
  });

  it('refuses a bad window or threshold list with 400 naming the field, and an unknown queue with 404', async () => {
    const bad = await system.json('GET', `/queues/${queueId}/stats?windowSec=10`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/windowSec/);
    const thresholds = await system.json('GET', `/queues/${queueId}/stats?waitThresholdsSec=ten`);
    expect(thresholds.status).toBe(400);
    expect(JSON.stringify(thresholds.body)).toMatch(/waitThresholdsSec/);
    expect((await system.json('GET', `/queues/${agentIds[0]}/stats`)).status).toBe(404);
  });
});

describe('an agent', () => {
  it('counts answers, no-answers, declines, talk, time in each state and occupancy, the same after a restart', async () => {
    const created = await system.json('POST', '/agents', {
      name: 'Stats agent',
      extension: String(randomInt(1e7, 1e8)),
      languages: ['en'],
      domain: system.domain,
    });
    expect(created.status).toBe(201);
    const agentId: string = created.body.id;
    const number = String(randomInt(1e7, 1e8));
    const queue = await system.json('POST', '/queues', {
      name: 'Agent stats',
      number,
      strategy: 'longest_idle',
      ringTimeoutSec: 1,
      wrapUpSec: 1,
      domain: system.domain,
      members: [{ agentId }],
    });
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);
    const start = Date.now();
    expect((await system.json('PUT', `/agents/${agentId}/status`, { status: 'available' })).status).toBe(200);
    const call = async () => ((await (await system.post({ from: '+15550302', to: number, language: 'en' })).json()) as { id: string }).id;

    // Answered after ~0.3 s of ringing, ~0.6 s of talk, then 1 s of wrap-up.
    const answered = await call();
    await ringing(answered);
    await pause(300);
    expect((await system.json('POST', `/calls/${answered}/answer`, { agentId })).status).toBe(200);
    await pause(600);
    expect((await system.json('POST', `/calls/${answered}/hangup`, { by: 'agent' })).status).toBe(200);
    await eventually(
      async () => (await system.json('GET', `/agents/${agentId}`)).body.state,
      (state) => state === 'available',
      'the wrap-up to end',
      10_000,
    );
    // Declined; then, once it rings again or waits, the caller hangs up.
    const declined = await call();
    await ringing(declined);
    expect((await system.json('POST', `/calls/${declined}/decline`, { agentId })).status).toBe(200);
    expect((await system.json('POST', `/calls/${declined}/hangup`, { by: 'caller' })).status).toBe(200);
    // Let ring out (1 s) at least once, then hung up.
    const missed = await call();
    const rangOut = await eventually(
      () => system.getCall(missed),
      (c) => c.events.some((e: { type: string }) => e.type === 'call.no_answer'),
      'a ring timeout',
      10_000,
    );
    expect(rangOut.events.some((e: { type: string }) => e.type === 'call.no_answer')).toBe(true);
    expect((await system.json('POST', `/calls/${missed}/hangup`, { by: 'caller' })).status).toBe(200);
    // What the agent's figures must say, counted from the three calls' own timelines.
    const events = (await Promise.all([answered, declined, missed].map((id) => system.getCall(id)))).flatMap((c) => c.events);
    const noAnswers = events.filter(
      (e: { type: string; data: { agentIds?: string[] } }) => e.type === 'call.no_answer' && e.data.agentIds?.includes(agentId),
    ).length;
    const declines = events.filter((e: { type: string; data: { agentId?: string } }) => e.type === 'call.declined' && e.data.agentId === agentId).length;
    expect(declines).toBe(1);
    await eventually(
      async () => (await system.json('PUT', `/agents/${agentId}/status`, { status: 'break' })).status,
      (s) => s === 200,
      'break',
      10_000,
    );
    const elapsed = (Date.now() - start) / 1000;

    const before = await stats(`/agents/${agentId}/stats`);
    expect(before.agent).toEqual({ id: agentId, name: 'Stats agent' });
    const w = before.window;
    expect(w).toMatchObject({ windowSec: 900, answered: 1, declines, noAnswers });
    expect(noAnswers).toBeGreaterThanOrEqual(1);
    expect(w.talkSec).toBeGreaterThanOrEqual(0.6);
    expect(w.talkSec).toBeLessThan(5);
    expect(w.averageTalkSec).toBe(w.talkSec);
    const time = w.timeInStateSec;
    // The state history is timed by the decisions' commits, the talk by the decisions: a few milliseconds apart.
    expect(Math.abs(time.on_call - w.talkSec)).toBeLessThan(0.25);
    expect(time.wrap_up).toBeGreaterThanOrEqual(0.9);
    expect(time.wrap_up).toBeLessThan(3);
    // Rang ~0.3 s for the answer, once for the decline, and a full second for the ring timeout.
    expect(time.ringing).toBeGreaterThanOrEqual(1.3);
    const ready = time.available + time.ringing + time.on_call + time.wrap_up;
    expect(ready).toBeLessThanOrEqual(elapsed + 0.5);
    expect(w.occupancy).toBeCloseTo((time.on_call + time.wrap_up) / ready, 9);
    expect(w.occupancy).toBeGreaterThan(0.05);
    expect(w.occupancy).toBeLessThan(0.9);
    expect(w.loggedInSec).toBeCloseTo(ready + time.break, 6);

    await system.api.stop();
    await system.worker.stop();
    await Promise.all([system.startApi(), system.startWorker()]);
    const after = await stats(`/agents/${agentId}/stats`);
    // On break meanwhile: everything but the break (and the logged-in time it is part of) reads the same.
    const stable = (s: typeof before) => ({
      ...s.window,
      since: undefined,
      loggedInSec: undefined,
      timeInStateSec: { ...s.window.timeInStateSec, break: undefined },
    });
    expect(stable(after)).toEqual(stable(before));
    expect(after.window.timeInStateSec.break).toBeGreaterThan(before.window.timeInStateSec.break);
  }, 120_000);
});

describe('a ring group', () => {
  it('counts a call that failed over as offered and overflowed', async () => {
    const number = String(randomInt(1e7, 1e8));
    const group = await system.json('POST', '/ring-groups', {
      name: 'Stats group',
      number,
      strategy: 'ring_all',
      ringTimeoutSec: 1,
      totalTimeoutSec: 1,
      domain: system.domain,
      members: [agentIds[0]],
      failover: { kind: 'queue', id: queueId },
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const id = ((await (await system.post({ from: '+15550301', to: number, language: 'en' })).json()) as { id: string }).id;
    await eventually(
      () => system.getCall(id),
      (c) => c.status === 'queued',
      'the call to fail over to the queue',
      10_000,
    );
    const figures = await stats(`/ring-groups/${group.body.id}/stats`);
    expect(figures.destination.kind).toBe('ring_group');
    expect(figures.window).toMatchObject({ offered: 1, overflowed: 1, answered: 0, stillWaiting: 0 });
    expect(figures.now).toMatchObject({ waiting: 0, members: 1 });
    // The queue counts it as one more call offered, still waiting.
    expect((await stats(`/queues/${queueId}/stats`)).window).toMatchObject({ offered: 4, stillWaiting: 2 });
  });
});

// Many workers, one writer per routing domain: the owner of a domain is killed (SIGKILL) or paused (SIGSTOP) while a
// call rings; another worker takes the domain over from PostgreSQL, the ring timer still fires, the call still reaches
// an agent, and the paused one writes nothing once it lost the domain.
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callEvents, routingDomains } from '@switchboard/db';
import type { RunningService } from '../../local-stack/src/services.ts';
import { eventually, startSystem, type System } from './system.ts';

let system: System;
let agentIds: string[];
let queueNumber: string;

beforeAll(async () => {
  // The shortest session timeout Kafka allows by default (6 s): how long a dead owner's domains wait for another worker.
  system = await startSystem({ workers: 2, env: { CONSUMER_SESSION_TIMEOUT_MS: '6000' } });
  agentIds = [];
  for (let i = 0; i < 3; i++) {
    const created = await system.json('POST', '/agents', { name: `Takeover ${i}`, extension: String(randomInt(1e7, 1e8)), languages: ['en'], domain: system.domain });
    agentIds.push(created.body.id);
    expect((await system.json('PUT', `/agents/${created.body.id}/status`, { status: 'available' })).status).toBe(200);
  }
  queueNumber = String(randomInt(1e7, 1e8));
  const queue = await system.json('POST', '/queues', {
    name: 'Takeover', number: queueNumber, strategy: 'top_down', ringTimeoutSec: 3, domain: system.domain, members: agentIds.map((agentId) => ({ agentId })),
  });
  expect(queue.status, JSON.stringify(queue.body)).toBe(201);
});
afterAll(() => system?.stop());

/**
 * The worker that owns the system's domain, once ownership has settled: one alive worker says it owns it, the database
 * names that worker's process, and the epoch stays the same for a second (a rebalance, as after a worker joins, would
 * otherwise move the domain right after this returns).
 */
async function owner(): Promise<RunningService> {
  const read = async () => {
    const alive = system.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    const owners: RunningService[] = [];
    for (const w of alive) if ((await system.ownedBy(w).catch((): string[] => [])).includes(system.domain)) owners.push(w);
    const [row] = await system.db.select().from(routingDomains).where(eq(routingDomains.name, system.domain));
    return { owners, owner: row!.owner, epoch: row!.epoch };
  };
  let last = '';
  const settled = await eventually(
    async () => {
      const now = await read();
      const seen = JSON.stringify([now.owners.map((w) => w.child.pid), now.owner, now.epoch]);
      const stable = seen === last;
      last = seen;
      if (!stable) await new Promise((r) => setTimeout(r, 1_000));
      return { ...now, stable };
    },
    ({ owners, owner, stable }) => stable && owners.length === 1 && owner === `${hostname()}:${owners[0]!.child.pid}`,
    'exactly one worker to own the domain, the database naming it, for a second',
    30_000,
  );
  return settled.owners[0]!;
}

async function ringingCall(): Promise<{ id: string; rung: string }> {
  const posted = await system.post({ from: '+15550300', to: queueNumber, language: 'en' });
  const { id } = (await posted.json()) as { id: string };
  const call = await eventually(() => system.getCall(id), (c) => c.ringing.length === 1, 'the call to ring', 10_000);
  return { id, rung: call.ringing[0] };
}

async function expectGapless(callId: string) {
  const events = await system.db.select().from(callEvents).where(eq(callEvents.callId, callId)).orderBy(asc(callEvents.sequence));
  expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
  return events;
}

describe('the owner of a routing domain dies while a call rings', () => {
  it('another worker takes over, the ring timer fires there, and the call is answered; no event twice', async () => {
    const killed = await owner();
    const { id, rung } = await ringingCall();
    killed.child.kill('SIGKILL');
    const survivor = await owner();
    expect(survivor).not.toBe(killed);
    // The ring timer (3 s) fired on the new owner: the next agent by top_down rings.
    const moved = await eventually(() => system.getCall(id), (c) => c.ringing.length === 1 && c.ringing[0] !== rung, 'the next agent to ring after the takeover', 30_000);
    const answer = await system.json('POST', `/calls/${id}/answer`, { agentId: moved.ringing[0] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect((await system.json('POST', `/calls/${id}/hangup`, { by: 'caller' })).body.status).toBe('completed');
    const events = await expectGapless(id);
    expect(events.map((e) => e.type)).toEqual(['call.received', 'call.queued', 'call.ringing', 'call.no_answer', 'call.ringing', 'call.answered', 'call.completed']);
    expect(system.exits).toContain('queue-worker exited SIGKILL');
    await system.addWorker();
  });
});

describe('the owner of a routing domain is paused past its session timeout', () => {
  it('loses the domain and, resumed, writes nothing for it: its overdue ring timer is fenced', async () => {
    const paused = await owner();
    const { id, rung } = await ringingCall();
    const [before] = await system.db.select().from(routingDomains).where(eq(routingDomains.name, system.domain));
    paused.child.kill('SIGSTOP');
    try {
      // Another worker owns the domain once the group has moved the partition (session timeout) and it claimed it.
      await eventually(async () => (await system.db.select().from(routingDomains).where(eq(routingDomains.name, system.domain)))[0]!, (d) => d.epoch > before!.epoch, 'another worker to claim the domain', 30_000);
      const moved = await eventually(() => system.getCall(id), (c) => c.ringing.length === 1 && c.ringing[0] !== rung, 'the new owner to ring the next agent', 30_000);
      expect((await system.json('POST', `/calls/${id}/answer`, { agentId: moved.ringing[0] })).status).toBe(200);
    } finally {
      paused.child.kill('SIGCONT');
    }
    const resumedAt = Date.now();
    const linesBefore = paused.output.length;
    // Resumed, the paused worker's ring timer is long overdue and fires at once: the fence refuses its decision (or, if
    // the group's new assignment reaches it first, it forgets the domain). Either way it writes nothing.
    await eventually(
      async () => paused.output.slice(linesBefore),
      (out) => out.some((line) => /another worker owns the routing domain now|fenced out of a routing domain|no longer routes the domain/.test(line)),
      'the resumed worker to give the domain up', 15_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message.split('; last:')[0]}; its output since SIGCONT, last lines first:\n${paused.output.slice(linesBefore).reverse().slice(0, 20).join('\n')}`);
    });
    console.log(`the resumed worker gave the domain up ${Date.now() - resumedAt} ms after SIGCONT`);
    const call = await system.getCall(id);
    expect(call).toMatchObject({ status: 'answered', agentId: expect.any(String) });
    const events = await expectGapless(id);
    expect(events.map((e) => e.type)).toEqual(['call.received', 'call.queued', 'call.ringing', 'call.no_answer', 'call.ringing', 'call.answered']);
    expect((await system.json('POST', `/calls/${id}/hangup`, { by: 'agent' })).status).toBe(200);
  });
});

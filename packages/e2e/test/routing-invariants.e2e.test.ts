// The rules that never break, tried hard: 3 workers, 3 routing domains of overlapping queues and ring groups, 50 agents
// who answer, decline, ignore and hang up at random, callers who give up, a worker killed mid-run; then SQL over
// call_events: no agent rings for two calls or is on two at once, no call answered twice, every call terminal or live,
// every call's sequence gapless; and on call-events, every stored event, each call's in order.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingDomains } from '@switchboard/db';
import { createRandom } from '@switchboard/routing';
import { expectStoredEventsOnTopicInOrder } from './call-events-topic.ts';
import { followCallEvents } from './edge-simulator.ts';
import { eventually, startSystem, type System } from './system.ts';

const calls = Number(process.env.INVARIANT_CALLS ?? 2_000);
const callsPerSecond = 100;
const random = createRandom(Number(process.env.INVARIANT_SEED ?? 7));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;

let system: System;
let edge: Awaited<ReturnType<typeof followCallEvents>> | undefined;
const numbers: string[] = [];

beforeAll(async () => {
  system = await startSystem({ workers: 3, env: { CONSUMER_SESSION_TIMEOUT_MS: '6000' } });
  // Three domains (the system's own and two more), each with its agents in two queues and a ring group that overlap.
  const domains = [system.domain, `${system.domain}-b`, `${system.domain}-c`];
  for (const name of domains.slice(1)) await system.db.insert(routingDomains).values({ name });
  for (const [d, domain] of domains.entries()) {
    const agentIds: string[] = [];
    const count = d === 0 ? 18 : 16;
    for (let i = 0; i < count; i++) {
      const created = await system.json('POST', '/agents', { name: `Chaos ${d}-${i}`, extension: String(randomInt(1e7, 1e8)), languages: i % 3 ? ['en'] : ['en', 'es'], domain });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      agentIds.push(created.body.id);
    }
    const member = (agentId: string, i: number) => ({ agentId, tier: 1 + (i % 2), penalty: i % 3 });
    const strategies = ['ring_all', 'longest_idle', 'round_robin', 'fewest_calls', 'random', 'weighted_random', 'least_talk_time', 'top_down'];
    for (const [q, slice] of [agentIds.slice(0, 12), agentIds.slice(6)].entries()) {
      const number = String(randomInt(1e7, 1e8));
      const queue = await system.json('POST', '/queues', {
        name: `Chaos queue ${d}-${q}`, number, domain, strategy: strategies[(d * 2 + q) % strategies.length], ringTimeoutSec: 0.6,
        maxWaitSec: 6, wrapUpSec: 0.2, tierWaitSec: q ? 0.5 : null, requireLanguage: q === 1, overflow: { kind: 'hangup' },
        members: slice.map(member),
      });
      expect(queue.status, JSON.stringify(queue.body)).toBe(201);
      numbers.push(number);
    }
    const number = String(randomInt(1e7, 1e8));
    const group = await system.json('POST', '/ring-groups', {
      name: `Chaos group ${d}`, number, domain, strategy: ['ring_all', 'hunt', 'memory_hunt'][d], ringTimeoutSec: 0.5, totalTimeoutSec: 2,
      members: agentIds.filter((_, i) => i % 2 === 0),
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    numbers.push(number);
    for (const agentId of agentIds) expect((await system.json('PUT', `/agents/${agentId}/status`, { status: 'available' })).status).toBe(200);
  }
}, 180_000);
afterAll(async () => {
  await edge?.stop();
  await system?.stop();
});

describe('routing invariants under random load, with a worker killed mid-run', () => {
  it(`${calls} calls: no double booking, no double answer, nothing lost, gapless sequences`, async () => {
    edge = await followCallEvents(system, {
      // Each ringing agent: answers (55%), declines (15%), or lets it ring out; an answered call lasts up to 1.5 s.
      onRing: async (callId, agentId) => {
        const roll = random.next();
        await sleep(random.next() * 400);
        if (roll < 0.55) await system.json('POST', `/calls/${callId}/answer`, { agentId });
        else if (roll < 0.7) await system.json('POST', `/calls/${callId}/decline`, { agentId });
      },
      onAnswered: async (callId) => {
        await sleep(random.next() * 1_500);
        await system.json('POST', `/calls/${callId}/hangup`, { by: random.next() < 0.5 ? 'agent' : 'caller' });
      },
    });
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < calls; i++) {
      // Paced: call i goes at i / callsPerSecond seconds.
      const due = started + (i * 1000) / callsPerSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      if (i === Math.floor(calls / 2)) {
        const victim = system.workers.find((w) => w.child.exitCode === null && w.child.signalCode === null)!;
        victim.child.kill('SIGKILL');
        void system.addWorker();
      }
      const response = await system.post({ from: `+1777${String(i).padStart(7, '0')}`, to: pick(numbers), language: random.next() < 0.3 ? 'es-MX' : 'en' });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { id: string }).id);
      // Some callers give up while waiting or ringing.
      if (random.next() < 0.05) void sleep(random.next() * 3_000).then(() => system.json('POST', `/calls/${ids[i]}/hangup`, { by: 'caller' })).catch(() => {});
    }
    const live = async () => (await system.db.$client<{ n: number }[]>`
      select count(*)::int as n from calls where id = any(${ids}::uuid[]) and status not in ('completed', 'abandoned', 'unanswered', 'failed')`)[0]!.n;
    await eventually(live, (n) => n === 0, 'every call to reach a terminal status', 120_000);
    await edge.stop();
    edge = undefined;
    await checkInvariants(system, ids);
  }, 600_000);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function checkInvariants(system: System, ids: string[]) {
  const rows = await system.db.$client<{ call_id: string; sequence: number; type: string; data: Record<string, unknown>; occurred_at: string }[]>`
    select call_id, sequence, type, data, occurred_at::text from call_events where call_id = any(${ids}::uuid[]) order by call_id, sequence`;
  const byCall = Map.groupBy(rows, (r) => r.call_id);
  expect(byCall.size, 'every accepted call has events').toBe(ids.length);

  const gaps = [...byCall].filter(([, events]) => events.some((e, i) => e.sequence !== i + 1)).map(([id]) => id);
  expect(gaps, 'calls whose sequence has a gap or a repeat').toEqual([]);
  // From Kafka itself, what an edge reading call-events saw: every stored event, each call's in order. The worker killed
  // mid-run had committed decisions whose events Kafka may never have acknowledged; the domain's next owner sent them first.
  await expectStoredEventsOnTopicInOrder(system.kafka, system.topics.callEvents, new Map([...byCall].map(([id, events]) => [id, events.map((e) => e.sequence)])));
  const answeredTwice = [...byCall].filter(([, events]) => events.filter((e) => e.type === 'call.answered').length > 1).map(([id]) => id);
  expect(answeredTwice, 'calls answered twice').toEqual([]);
  const terminal = new Set(['call.completed', 'call.abandoned', 'call.unanswered', 'call.failed']);
  const badEnds = [...byCall].filter(([, events]) => !terminal.has(events.at(-1)!.type) || events.filter((e) => terminal.has(e.type)).length !== 1).map(([id]) => id);
  expect(badEnds, 'calls that did not end exactly once, last').toEqual([]);

  // Each agent's engagements (ringing for, or on, a call) as time intervals; two for different calls must not overlap.
  const engaged = new Map<string, { callId: string; from: number; to: number }[]>();
  for (const [callId, events] of byCall) {
    const since = new Map<string, number>();
    const close = (agentId: string, at: number) => {
      const from = since.get(agentId);
      if (from === undefined) return;
      since.delete(agentId);
      const list = engaged.get(agentId) ?? [];
      list.push({ callId, from, to: at });
      engaged.set(agentId, list);
    };
    for (const e of events) {
      const at = Date.parse(e.occurred_at);
      const data = e.data as { agentIds?: string[]; agentId?: string };
      if (e.type === 'call.ringing') for (const a of data.agentIds!) if (!since.has(a)) since.set(a, at);
      if (e.type === 'call.no_answer') for (const a of data.agentIds!) close(a, at);
      if (e.type === 'call.declined') close(data.agentId!, at);
      if (e.type === 'call.answered') for (const a of [...since.keys()]) if (a !== data.agentId) close(a, at);
      if (e.type === 'call.overflowed' || terminal.has(e.type)) for (const a of [...since.keys()]) close(a, at);
    }
    expect(since.size, `call ${callId} left agents engaged`).toBe(0);
  }
  const overlaps: string[] = [];
  for (const [agentId, list] of engaged) {
    list.sort((a, b) => a.from - b.from || a.to - b.to);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.from < list[i - 1]!.to && list[i]!.callId !== list[i - 1]!.callId) overlaps.push(`${agentId}: ${list[i - 1]!.callId} and ${list[i]!.callId}`);
    }
  }
  expect(overlaps, 'agents engaged with two calls at once').toEqual([]);
  const stuck = await system.db.$client<{ n: number }[]>`
    select count(*)::int as n from agents where domain like ${system.domain + '%'} and (state in ('ringing', 'on_call') or current_call_id is not null)`;
  expect(stuck[0]!.n, 'agents left ringing or on a call after every call ended').toBe(0);
  const answered = [...byCall.values()].filter((events) => events.some((e) => e.type === 'call.answered')).length;

  // The statistics' rows agree with the events, through the worker killed mid-run: every call has its first visit and
  // one more per overflow, none is left open, and the visits answered are the calls answered.
  const [visits] = await system.db.$client<{ calls: number; visits: number; open: number; answered: number }[]>`
    select count(distinct call_id)::int as calls, count(*)::int as visits, count(*) filter (where ended_at is null)::int as open,
           count(answered_at)::int as answered
      from destination_visits where call_id = any(${ids}::uuid[])`;
  const overflows = rows.filter((r) => r.type === 'call.overflowed' && (r.data as { to: { kind: string } }).to.kind !== 'hangup').length;
  expect(visits, 'destination_visits against call_events').toEqual({ calls: ids.length, visits: ids.length + overflows, open: 0, answered });
  console.log(`[invariants] ${ids.length} calls, ${answered} answered, ${rows.length} events, ${[...engaged.values()].reduce((n, l) => n + l.length, 0)} agent engagements checked`);
  expect(answered, 'some calls were answered (the simulated agents worked)').toBeGreaterThan(ids.length / 4);
}

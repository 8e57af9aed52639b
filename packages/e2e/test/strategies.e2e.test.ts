// Every queue and ring-group strategy through the running system (HTTP in, Kafka between, both services as processes):
// who rings first, who rings after a decline, who rings after a ring timeout; then overflow, failover, tiers, wrap-up,
// callers who hang up, and a member added while calls wait. Each scenario has agents and destinations of its own, so
// what one does cannot change what another sees. Expectations follow packages/routing/README.md.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startSystem, type System } from './system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

/** Ring timeout of every scenario that lets a ring time out: long enough for an answer or a decline to arrive first. */
const RING = 1.2;
/** Server timestamps are kept to the millisecond. */
const CLOCK_SLACK = 0.005;

type TimelineEvent = { sequence: number; type: string; data: Record<string, any>; occurredAt: string };
type CallView = { id: string; status: string; agentId: string | null; ringing: string[]; events: TimelineEvent[] };
type AgentView = { id: string; state: string; currentCallId: string | null; callsAnswered: number; talkTimeSec: number };
type QueueMember = { agent: string; tier?: number; position?: number; penalty?: number };

async function request(method: string, path: string, body: unknown, expected: number): Promise<any> {
  const response = await system.json(method, path, body);
  expect(response.status, `${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(response.body)}`).toBe(expected);
  return response.body;
}

/**
 * One scenario's agents and destinations, created through the API in this system's routing domain, with short names
 * (A, B, …; Q, G) so that a call's timeline reads as `['received Q', 'queued Q', 'ringing A', 'declined A', …]`.
 */
class Scenario {
  private readonly names = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  /** Creates the agents in this order; each logs in (`available`) before the next, unless given another status. */
  async agents(...specs: (string | { name: string; languages?: string[]; status?: 'available' | 'break' | 'offline' })[]) {
    for (const spec of specs) {
      const { name, languages = ['en'], status = 'available' } = typeof spec === 'string' ? { name: spec } : spec;
      const created = await request('POST', '/agents', {
        name: `Agent ${name}`, extension: String(randomInt(1e7, 1e8)), languages, domain: system.domain,
      }, 201);
      this.remember(name, created.id);
      if (status !== 'offline') {
        const set = await request('PUT', `/agents/${created.id}/status`, { status }, 200);
        expect(set).toMatchObject({ state: status, currentCallId: null });
      }
    }
  }

  id(name: string): string {
    const id = this.ids.get(name);
    if (!id) throw new Error(`no ${name} in this scenario`);
    return id;
  }

  name(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** Sorted names of these ids (ringing sets have no order). */
  namesOf(ids: readonly string[]): string {
    return ids.map((id) => this.name(id)).sort().join('+');
  }

  async queue(name: string, body: Record<string, unknown> & { members: QueueMember[] }): Promise<{ id: string; number: string }> {
    const number = String(randomInt(1e7, 1e8));
    const members = body.members.map(({ agent, ...rest }) => ({ agentId: this.id(agent), ...rest }));
    const queue = await request('POST', '/queues', { name: `${name} ${number}`, number, domain: system.domain, ...body, members }, 201);
    this.remember(name, queue.id);
    return { id: queue.id, number };
  }

  async group(name: string, body: Record<string, unknown> & { members: string[] }): Promise<{ id: string; number: string }> {
    const number = String(randomInt(1e7, 1e8));
    const members = body.members.map((agent) => this.id(agent));
    const group = await request('POST', '/ring-groups', { name: `${name} ${number}`, number, domain: system.domain, ...body, members }, 201);
    this.remember(name, group.id);
    return { id: group.id, number };
  }

  /** A new call to that destination; returns its id. */
  async call(to: { number: string }, language = 'en'): Promise<string> {
    const response = await system.post({ from: `+1555${randomInt(1e6, 1e7)}`, to: to.number, language });
    const body = (await response.json()) as { id: string };
    expect(response.status, JSON.stringify(body)).toBe(202);
    return body.id;
  }

  /** The call's timeline in short names; its sequence must be gapless from 1. */
  timeline(call: CallView): string[] {
    expect(call.events.map((e) => e.sequence), `sequences of ${call.id}`).toEqual(call.events.map((_, i) => i + 1));
    return call.events.map((e) => this.describe(e));
  }

  /**
   * Waits until the call has at least as many events as `expected` (and, if given, has `status`), then asserts they
   * begin with `expected`. (GET /calls/{id} reads the call row and its events in two statements, so the status can lag
   * behind the events for a moment: a caller who reads `status` or `ringing` waits for the status too.)
   */
  async until(callId: string, expected: string[], status?: string, timeoutMs = 10_000): Promise<CallView> {
    const ready = (c: CallView) => c.events.length >= expected.length && (status === undefined || c.status === status);
    const call = await eventually(() => system.getCall(callId) as Promise<CallView>, ready, `${expected.at(-1)} on ${callId}`, timeoutMs)
      .catch(() => system.getCall(callId) as Promise<CallView>);
    expect(this.timeline(call).slice(0, expected.length), `timeline of ${callId}`).toEqual(expected);
    return call;
  }

  /** Waits until the call ends with `status`, then asserts its whole timeline. */
  async ends(callId: string, status: string, expected: string[], timeoutMs = 10_000): Promise<CallView> {
    const call = await eventually(() => system.getCall(callId) as Promise<CallView>, (c) => c.status === status, `${callId} to end ${status}`, timeoutMs)
      .catch(() => system.getCall(callId) as Promise<CallView>);
    expect(call.status).toBe(status);
    expect(call.ringing).toEqual([]);
    expect(this.timeline(call), `timeline of ${callId}`).toEqual(expected);
    return call;
  }

  /** The agents ringing for the call now, by name. */
  ringing(call: CallView): string {
    return this.namesOf(call.ringing);
  }

  /** Who rings first: waits for the call to ring, asserts the timeline so far, returns the call. */
  async firstRing(callId: string, expected: string[]): Promise<CallView> {
    const call = await this.until(callId, expected, 'ringing');
    expect(call.status).toBe('ringing');
    return call;
  }

  /** An agent ringing for the call declines; the answer is the call as the decision left it. */
  async decline(callId: string, agent: string): Promise<CallView> {
    return request('POST', `/calls/${callId}/decline`, { agentId: this.id(agent) }, 200);
  }

  async answer(callId: string, agent: string): Promise<CallView> {
    const call: CallView = await request('POST', `/calls/${callId}/answer`, { agentId: this.id(agent) }, 200);
    expect(call).toMatchObject({ status: 'answered', agentId: this.id(agent), ringing: [] });
    return call;
  }

  async hangup(callId: string, by: 'caller' | 'agent', status: 'abandoned' | 'completed'): Promise<CallView> {
    const call: CallView = await request('POST', `/calls/${callId}/hangup`, { by }, 200);
    expect(call.status).toBe(status);
    expect(call.ringing).toEqual([]);
    return call;
  }

  /** Answers as `agent`, then the agent hangs up: one more answered call, with the talk time between. */
  async serve(callId: string, agent: string, talkMs = 0): Promise<void> {
    await this.answer(callId, agent);
    if (talkMs) await sleep(talkMs); // the agent talking: the test's own behaviour, not a wait for the system
    const ended = await this.hangup(callId, 'agent', 'completed');
    expect(this.timeline(ended).slice(-2)).toEqual([`answered ${agent}`, 'completed by agent']);
  }

  async agent(name: string): Promise<AgentView> {
    return request('GET', `/agents/${this.id(name)}`, undefined, 200);
  }

  /** `state`, and when the agent has a call, which of `calls` it is (`on call 1`, …) or `on another call`. */
  async presence(name: string, calls: string[] = []): Promise<string> {
    const agent = await this.agent(name);
    if (agent.currentCallId === null) return agent.state;
    const index = calls.indexOf(agent.currentCallId);
    return `${agent.state} on ${index === -1 ? 'another call' : `call ${index + 1}`}`;
  }

  async setStatus(name: string, status: 'available' | 'break' | 'offline'): Promise<{ state: string; currentCallId: string | null }> {
    return request('PUT', `/agents/${this.id(name)}/status`, { status }, 200);
  }

  private remember(name: string, id: string) {
    this.names.set(id, name);
    this.ids.set(name, id);
  }

  private describe(e: TimelineEvent): string {
    const d = e.data;
    const route = (r: { kind: string; id?: string }) => (r.kind === 'hangup' ? 'hangup' : `${r.kind}:${this.name(r.id!)}`);
    const type = e.type.replace(/^call\./, '');
    switch (e.type) {
      case 'call.received': return `received ${this.name(d.destinationId)}`;
      case 'call.queued': return `queued ${this.name(d.queueId)}`;
      case 'call.ringing':
      case 'call.no_answer': return `${type} ${this.namesOf(d.agentIds)}`;
      case 'call.answered':
      case 'call.declined': return `${type} ${this.name(d.agentId)}`;
      case 'call.overflowed': return `overflowed ${route(d.from)} -> ${route(d.to)}`;
      case 'call.completed': return `completed by ${d.by}`;
      case 'call.failed': return `failed ${d.reason}`;
      default: return Object.keys(d).length ? `${type} ${JSON.stringify(d)}` : type;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds between two events of the call (the first event whose text is `from`, the first after it that is `to`). */
function secondsBetween(s: Scenario, call: CallView, from: string, to: string): number {
  const timeline = s.timeline(call);
  const i = timeline.indexOf(from);
  const j = timeline.indexOf(to, i + 1);
  expect(i, `${from} in ${timeline}`).toBeGreaterThanOrEqual(0);
  expect(j, `${to} after ${from} in ${timeline}`).toBeGreaterThan(i);
  return (Date.parse(call.events[j]!.occurredAt) - Date.parse(call.events[i]!.occurredAt)) / 1000;
}

/** The ring that started with `ringing` timed out no sooner than the ring timeout. */
function expectRangOut(s: Scenario, call: CallView, ringing: string, noAnswer: string, timeoutSec = RING) {
  expect(secondsBetween(s, call, ringing, noAnswer)).toBeGreaterThanOrEqual(timeoutSec - CLOCK_SLACK);
}

describe('queue strategies: who rings first, after a decline, after a ring timeout', () => {
  it('ring_all rings every free member; a decline leaves the others ringing; after the timeout every free member rings again', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C', { name: 'D', status: 'break' });
    const q = await s.queue('Q', { strategy: 'ring_all', ringTimeoutSec: RING, members: ['A', 'B', 'C', 'D'].map((agent) => ({ agent })) });
    const id = await s.call(q);
    await s.firstRing(id, ['received Q', 'queued Q', 'ringing A+B+C']);

    const declined = await s.decline(id, 'A');
    expect(s.ringing(declined)).toBe('B+C');
    expect(s.timeline(declined).slice(3)).toEqual(['declined A']);
    expect([await s.presence('A', [id]), await s.presence('B', [id]), await s.presence('D', [id])]).toEqual(['available', 'ringing on call 1', 'break']);

    // B and C let it ring: the next ring rings everyone free again, A who declined included (Asterisk's ringall and
    // FreeSWITCH's ring-all call every free member at each attempt).
    const rangOut = await s.until(id, ['received Q', 'queued Q', 'ringing A+B+C', 'declined A', 'no_answer B+C', 'ringing A+B+C']);
    expectRangOut(s, rangOut, 'ringing A+B+C', 'no_answer B+C');
    await s.hangup(id, 'caller', 'abandoned');
  });

  it('longest_idle rings a member who never took a call first, then the one whose last call ended longest ago', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C'); // logged in A, then B, then C
    const q = await s.queue('Q', { strategy: 'longest_idle', ringTimeoutSec: RING, members: ['A', 'B', 'C'].map((agent) => ({ agent })) });
    // History: B's call ends first, then C's, then A's.
    const c1 = await s.call(q);
    await s.firstRing(c1, ['received Q', 'queued Q', 'ringing A']); // nobody has had a call: who logged in first
    expect(s.ringing(await s.decline(c1, 'A'))).toBe('B');
    await s.serve(c1, 'B');
    const c2 = await s.call(q);
    await s.firstRing(c2, ['received Q', 'queued Q', 'ringing A']); // A and C have had no call, A logged in first
    expect(s.ringing(await s.decline(c2, 'A'))).toBe('C'); // C has had no call yet: before B, whatever B's call ended
    await s.serve(c2, 'C');
    const c3 = await s.call(q);
    await s.firstRing(c3, ['received Q', 'queued Q', 'ringing A']);
    await s.serve(c3, 'A');

    const c4 = await s.call(q);
    await s.firstRing(c4, ['received Q', 'queued Q', 'ringing B']);
    const declined = await s.decline(c4, 'B');
    expect(s.ringing(declined)).toBe('C');
    expect(s.timeline(declined).slice(3)).toEqual(['declined B', 'ringing C']);
    const rangOut = await s.until(c4, ['received Q', 'queued Q', 'ringing B', 'declined B', 'ringing C', 'no_answer C', 'ringing A']);
    expectRangOut(s, rangOut, 'ringing C', 'no_answer C');
    await s.hangup(c4, 'caller', 'abandoned');
  });

  it('round_robin rings the next member after the one rung last for the queue\'s calls', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C');
    const q = await s.queue('Q', { strategy: 'round_robin', ringTimeoutSec: RING, members: ['A', 'B', 'C'].map((agent) => ({ agent })) });
    const c1 = await s.call(q);
    await s.firstRing(c1, ['received Q', 'queued Q', 'ringing A']); // nobody rung yet: the first member
    expect(s.ringing(await s.decline(c1, 'A'))).toBe('B');
    await s.serve(c1, 'B'); // B rang last (and answered)

    const c2 = await s.call(q);
    await s.firstRing(c2, ['received Q', 'queued Q', 'ringing C']);
    const declined = await s.decline(c2, 'C');
    expect(s.ringing(declined)).toBe('A'); // wraps around
    const rangOut = await s.until(c2, ['received Q', 'queued Q', 'ringing C', 'declined C', 'ringing A', 'no_answer A', 'ringing B']);
    expectRangOut(s, rangOut, 'ringing A', 'no_answer A');
    await s.hangup(c2, 'caller', 'abandoned');
  });

  it('top_down rings the first free member by tier, then position', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C');
    const q = await s.queue('Q', {
      strategy: 'top_down', ringTimeoutSec: RING,
      members: [{ agent: 'A', tier: 2, position: 0 }, { agent: 'B', tier: 1, position: 5 }, { agent: 'C', tier: 1, position: 1 }],
    });
    const c1 = await s.call(q);
    await s.firstRing(c1, ['received Q', 'queued Q', 'ringing C']);
    const declined = await s.decline(c1, 'C');
    expect(s.ringing(declined)).toBe('B');
    const rangOut = await s.until(c1, ['received Q', 'queued Q', 'ringing C', 'declined C', 'ringing B', 'no_answer B', 'ringing A']);
    expectRangOut(s, rangOut, 'ringing B', 'no_answer B');
    await s.hangup(c1, 'caller', 'abandoned');
    // The next call starts from the top again, though C declined the last one.
    const c2 = await s.call(q);
    await s.firstRing(c2, ['received Q', 'queued Q', 'ringing C']);
    await s.hangup(c2, 'caller', 'abandoned');
  });

  it('fewest_calls rings the member who has answered the fewest calls', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C');
    const q = await s.queue('Q', { strategy: 'fewest_calls', ringTimeoutSec: RING, members: ['A', 'B', 'C'].map((agent) => ({ agent })) });
    // History: A answers 2 calls, B 1, C none.
    const c1 = await s.call(q);
    await s.firstRing(c1, ['received Q', 'queued Q', 'ringing A']); // all at 0: member order
    await s.serve(c1, 'A');
    const c2 = await s.call(q);
    await s.firstRing(c2, ['received Q', 'queued Q', 'ringing B']);
    expect(s.ringing(await s.decline(c2, 'B'))).toBe('C');
    expect(s.ringing(await s.decline(c2, 'C'))).toBe('A');
    await s.serve(c2, 'A');
    const c3 = await s.call(q);
    await s.firstRing(c3, ['received Q', 'queued Q', 'ringing B']);
    await s.serve(c3, 'B');
    expect([(await s.agent('A')).callsAnswered, (await s.agent('B')).callsAnswered, (await s.agent('C')).callsAnswered]).toEqual([2, 1, 0]);

    const c4 = await s.call(q);
    await s.firstRing(c4, ['received Q', 'queued Q', 'ringing C']);
    expect(s.ringing(await s.decline(c4, 'C'))).toBe('B');
    const rangOut = await s.until(c4, ['received Q', 'queued Q', 'ringing C', 'declined C', 'ringing B', 'no_answer B', 'ringing A']);
    expectRangOut(s, rangOut, 'ringing B', 'no_answer B');
    await s.hangup(c4, 'caller', 'abandoned');
  });

  it('least_talk_time rings the member with the least total talk time, whatever their number of calls', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C');
    const q = await s.queue('Q', { strategy: 'least_talk_time', ringTimeoutSec: RING, members: ['A', 'B', 'C'].map((agent) => ({ agent })) });
    // History: A talks once for 0.8 s; B twice, briefly; C never.
    const c1 = await s.call(q);
    await s.firstRing(c1, ['received Q', 'queued Q', 'ringing A']);
    await s.serve(c1, 'A', 800);
    const c2 = await s.call(q);
    await s.firstRing(c2, ['received Q', 'queued Q', 'ringing B']);
    await s.serve(c2, 'B');
    const c3 = await s.call(q);
    await s.firstRing(c3, ['received Q', 'queued Q', 'ringing C']);
    expect(s.ringing(await s.decline(c3, 'C'))).toBe('B'); // B has talked less than A
    await s.serve(c3, 'B');
    const [a, b, c] = [await s.agent('A'), await s.agent('B'), await s.agent('C')];
    expect([a.callsAnswered, b.callsAnswered, c.callsAnswered]).toEqual([1, 2, 0]);
    expect(a.talkTimeSec).toBeGreaterThanOrEqual(0.8 - CLOCK_SLACK);
    expect(b.talkTimeSec).toBeLessThan(a.talkTimeSec);
    expect(c.talkTimeSec).toBe(0);

    const c4 = await s.call(q);
    await s.firstRing(c4, ['received Q', 'queued Q', 'ringing C']);
    expect(s.ringing(await s.decline(c4, 'C'))).toBe('B'); // fewest_calls would ring A here
    const rangOut = await s.until(c4, ['received Q', 'queued Q', 'ringing C', 'declined C', 'ringing B', 'no_answer B', 'ringing A']);
    expectRangOut(s, rangOut, 'ringing B', 'no_answer B');
    await s.hangup(c4, 'caller', 'abandoned');
  });

  /** Waits for a new call's first ring; asserts its timeline up to it and that one agent rings; returns that agent. */
  async function firstRingOf(s: Scenario, callId: string): Promise<string> {
    const call = await eventually(() => system.getCall(callId) as Promise<CallView>, (c) => c.events.length >= 3 && c.status === 'ringing', `${callId} to ring`);
    const timeline = s.timeline(call);
    expect(timeline.slice(0, 2)).toEqual(['received Q', 'queued Q']);
    expect(timeline[2]).toMatch(/^ringing [A-Z]$/);
    return s.ringing(call);
  }

  /** First ring, a decline, a ring timeout: for a random strategy what is certain is that these are three members. */
  async function randomPass(s: Scenario, q: { number: string }, members: string[]): Promise<string[]> {
    const id = await s.call(q);
    const x = await firstRingOf(s, id);
    expect(members, `first ring ${x}`).toContain(x);
    const declined = await s.decline(id, x);
    const y = s.ringing(declined);
    expect(members.filter((m) => m !== x), `after ${x} declined`).toContain(y);
    const z = members.find((m) => m !== x && m !== y)!;
    const rangOut = await s.until(id, ['received Q', 'queued Q', `ringing ${x}`, `declined ${x}`, `ringing ${y}`, `no_answer ${y}`, `ringing ${z}`]);
    expectRangOut(s, rangOut, `ringing ${y}`, `no_answer ${y}`);
    await s.hangup(id, 'caller', 'abandoned');
    return [x, y, z];
  }

  /** `count` calls, each hung up by its caller once it rings; returns who rang first for each. */
  async function firstPicks(s: Scenario, q: { number: string }, count: number): Promise<string[]> {
    const picks: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = await s.call(q);
      picks.push(await firstRingOf(s, id));
      await s.hangup(id, 'caller', 'abandoned');
    }
    return picks;
  }

  it('random rings a free eligible member, another after a decline, the third after a timeout; over calls, more than one member first', async () => {
    const s = new Scenario();
    // D is on break and F does not speak the caller's language: neither may ever ring.
    await s.agents('A', 'B', 'C', { name: 'D', status: 'break' }, { name: 'F', languages: ['fr'] });
    const q = await s.queue('Q', { strategy: 'random', requireLanguage: true, ringTimeoutSec: RING, members: ['A', 'B', 'C', 'D', 'F'].map((agent) => ({ agent })) });
    const [first] = await randomPass(s, q, ['A', 'B', 'C']);
    const picks = [first!, ...(await firstPicks(s, q, 9))];
    for (const pick of picks) expect(['A', 'B', 'C']).toContain(pick);
    // Ten first picks among three members all the same: probability 3 × 3^-10, about 5 in 100,000.
    expect(new Set(picks).size, `first rings: ${picks}`).toBeGreaterThan(1);
  });

  it('weighted_random rings by Asterisk\'s wrandom draw: a member with a huge penalty rings only when nobody else is left', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C');
    const q = await s.queue('Q', {
      strategy: 'weighted_random', ringTimeoutSec: RING,
      members: [{ agent: 'A', penalty: 0 }, { agent: 'B', penalty: 0 }, { agent: 'C', penalty: 1_000_000 }],
    });
    // Certain: the three rings are three members. C draws below (1 + 1e6) × 1000, A and B below 1000: C comes last
    // unless its draw is under 1000, about 1 in 1,000,000 each time. Picking without the penalties would fail this
    // test with probability 1 − (1/3)·(2/3)^6, about 97%.
    const pass = await randomPass(s, q, ['A', 'B', 'C']);
    expect(pass[2]).toBe('C');
    const picks = [pass[0]!, ...(await firstPicks(s, q, 6))];
    expect(picks.filter((p) => p === 'C'), `first rings: ${picks}`).toEqual([]);
  });
});

describe('ring-group strategies: who rings first, after a decline, after a ring timeout', () => {
  it('ring_all rings every free member; a decline leaves the others ringing; a member free meanwhile rings at the next step; then unanswered (no failover)', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C', { name: 'D', status: 'break' });
    const g = await s.group('G', { strategy: 'ring_all', ringTimeoutSec: RING, totalTimeoutSec: 30, failover: null, members: ['A', 'B', 'C', 'D'] });
    const id = await s.call(g);
    await s.firstRing(id, ['received G', 'ringing A+B+C']);
    const declined = await s.decline(id, 'A');
    expect(s.ringing(declined)).toBe('B+C');
    expect(s.timeline(declined).slice(2)).toEqual(['declined A']);
    // D comes back while B and C ring: D does not join this step.
    expect(await s.setStatus('D', 'available')).toMatchObject({ state: 'available', currentCallId: null });
    expect(s.ringing(await system.getCall(id))).toBe('B+C');

    const rangOut = await s.until(id, ['received G', 'ringing A+B+C', 'declined A', 'no_answer B+C', 'ringing D']);
    expectRangOut(s, rangOut, 'ringing A+B+C', 'no_answer B+C');
    // Everyone was tried: the pass is over and, with no failover, the call ends unanswered.
    const ended = await s.ends(id, 'unanswered', ['received G', 'ringing A+B+C', 'declined A', 'no_answer B+C', 'ringing D', 'no_answer D', 'unanswered']);
    expectRangOut(s, ended, 'ringing D', 'no_answer D');
    for (const agent of ['A', 'B', 'C', 'D']) expect(await s.presence(agent, [id]), agent).toBe('available');
  });

  it('hunt rings one member at a time in list order, then fails over to its queue', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C', 'E');
    const fq = await s.queue('FQ', { strategy: 'top_down', ringTimeoutSec: 5, members: [{ agent: 'E' }] });
    const g = await s.group('G', { strategy: 'hunt', ringTimeoutSec: RING, totalTimeoutSec: 30, failover: { kind: 'queue', id: fq.id }, members: ['A', 'B', 'C'] });
    const id = await s.call(g);
    await s.firstRing(id, ['received G', 'ringing A']);
    const declined = await s.decline(id, 'A');
    expect(s.ringing(declined)).toBe('B');
    expect(s.timeline(declined).slice(2)).toEqual(['declined A', 'ringing B']);
    expect([await s.presence('A', [id]), await s.presence('B', [id]), await s.presence('C', [id])]).toEqual(['available', 'ringing on call 1', 'available']);
    const steps = ['received G', 'ringing A', 'declined A', 'ringing B', 'no_answer B', 'ringing C'];
    expectRangOut(s, await s.until(id, steps), 'ringing B', 'no_answer B');
    // The pass is over after C: failover to the queue, where E rings.
    const failedOver = await s.until(id, [...steps, 'no_answer C', 'overflowed ring_group:G -> queue:FQ', 'queued FQ', 'ringing E']);
    expectRangOut(s, failedOver, 'ringing C', 'no_answer C');
    expect(await s.presence('E', [id])).toBe('ringing on call 1');
    await s.hangup(id, 'caller', 'abandoned');
    expect(await s.presence('E', [id])).toBe('available');
  });

  it('memory_hunt rings member 1, then 1+2, then 1+2+3', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C');
    const g = await s.group('G', { strategy: 'memory_hunt', ringTimeoutSec: RING, totalTimeoutSec: 30, failover: null, members: ['A', 'B', 'C'] });
    const id = await s.call(g);
    await s.firstRing(id, ['received G', 'ringing A']);
    // A declines: the next step is 1+2, and A, free again, rings again with B (earlier members keep ringing).
    const declined = await s.decline(id, 'A');
    expect(s.ringing(declined)).toBe('A+B');
    const rangOut = await s.until(id, ['received G', 'ringing A', 'declined A', 'ringing A+B', 'no_answer A+B', 'ringing A+B+C']);
    expectRangOut(s, rangOut, 'ringing A+B', 'no_answer A+B');
    await s.hangup(id, 'caller', 'abandoned');
  });

  it('round_robin hunts from the member after the one rung last for the group\'s calls', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C');
    const g = await s.group('G', { strategy: 'round_robin', ringTimeoutSec: RING, totalTimeoutSec: 30, failover: null, members: ['A', 'B', 'C'] });
    const c1 = await s.call(g);
    await s.firstRing(c1, ['received G', 'ringing A']);
    expect(s.ringing(await s.decline(c1, 'A'))).toBe('B');
    await s.serve(c1, 'B'); // B rang last (and answered)

    const c2 = await s.call(g);
    await s.firstRing(c2, ['received G', 'ringing C']);
    expect(s.ringing(await s.decline(c2, 'C'))).toBe('A');
    const rangOut = await s.until(c2, ['received G', 'ringing C', 'declined C', 'ringing A', 'no_answer A', 'ringing B']);
    expectRangOut(s, rangOut, 'ringing A', 'no_answer A');
    await s.hangup(c2, 'caller', 'abandoned');
  });

  it('random rings one free member at a time, never one already rung for the call; over calls, more than one member first', async () => {
    const s = new Scenario();
    await s.agents('A', 'B', 'C', { name: 'D', status: 'break' });
    const g = await s.group('G', { strategy: 'random', ringTimeoutSec: RING, totalTimeoutSec: 30, failover: null, members: ['A', 'B', 'C', 'D'] });
    const firstOf = async (id: string) => {
      const call = await eventually(() => system.getCall(id) as Promise<CallView>, (c) => c.events.length >= 2 && c.status === 'ringing', `${id} to ring`);
      expect(s.timeline(call)[0]).toBe('received G');
      expect(s.timeline(call)[1]).toMatch(/^ringing [ABC]$/);
      return s.ringing(call);
    };
    const id = await s.call(g);
    const x = await firstOf(id);
    const y = s.ringing(await s.decline(id, x));
    expect(['A', 'B', 'C'].filter((m) => m !== x), `after ${x} declined`).toContain(y);
    const z = ['A', 'B', 'C'].find((m) => m !== x && m !== y)!;
    const steps = ['received G', `ringing ${x}`, `declined ${x}`, `ringing ${y}`, `no_answer ${y}`, `ringing ${z}`];
    expectRangOut(s, await s.until(id, steps), `ringing ${y}`, `no_answer ${y}`);
    // Everyone free has rung (D is on break): the pass is over.
    await s.ends(id, 'unanswered', [...steps, `no_answer ${z}`, 'unanswered']);

    const picks = [x];
    for (let i = 0; i < 9; i++) {
      const next = await s.call(g);
      picks.push(await firstOf(next));
      await s.hangup(next, 'caller', 'abandoned');
    }
    // Ten first picks among three members all the same: probability 3 × 3^-10, about 5 in 100,000.
    expect(new Set(picks).size, `first rings: ${picks}`).toBeGreaterThan(1);
  });

  it('first_available rings only the first available member; a decline or a ring timeout ends the group\'s pass', async () => {
    const s = new Scenario();
    await s.agents({ name: 'A', status: 'break' }, 'B', 'C');
    const g = await s.group('G', { strategy: 'first_available', ringTimeoutSec: RING, totalTimeoutSec: 30, failover: null, members: ['A', 'B', 'C'] });
    const c1 = await s.call(g);
    await s.firstRing(c1, ['received G', 'ringing B']);
    const declined = await s.decline(c1, 'B');
    expect(declined.status).toBe('unanswered');
    expect(s.timeline(declined)).toEqual(['received G', 'ringing B', 'declined B', 'unanswered']);

    const c2 = await s.call(g);
    await s.firstRing(c2, ['received G', 'ringing B']);
    const ended = await s.ends(c2, 'unanswered', ['received G', 'ringing B', 'no_answer B', 'unanswered']);
    expectRangOut(s, ended, 'ringing B', 'no_answer B');
    expect([await s.presence('A'), await s.presence('B'), await s.presence('C')]).toEqual(['break', 'available', 'available']);
  });
});

describe('overflow, tiers, wrap-up, hang-ups and a member added while calls wait', () => {
  it('maxWaitSec stops the ring and overflows the call to another queue', async () => {
    const s = new Scenario();
    await s.agents('X', 'Y');
    const q2 = await s.queue('Q2', { strategy: 'top_down', ringTimeoutSec: 5, members: [{ agent: 'Y' }] });
    const q1 = await s.queue('Q1', { strategy: 'top_down', ringTimeoutSec: 5, maxWaitSec: 1.5, overflow: { kind: 'queue', id: q2.id }, members: [{ agent: 'X' }] });
    const id = await s.call(q1);
    await s.firstRing(id, ['received Q1', 'queued Q1', 'ringing X']);
    const moved = await s.until(id, ['received Q1', 'queued Q1', 'ringing X', 'no_answer X', 'overflowed queue:Q1 -> queue:Q2', 'queued Q2', 'ringing Y']);
    const waited = secondsBetween(s, moved, 'queued Q1', 'overflowed queue:Q1 -> queue:Q2');
    expect(waited).toBeGreaterThanOrEqual(1.5 - CLOCK_SLACK);
    expect(waited, 'overflow well before the 5 s ring timeout').toBeLessThan(4);
    expect([await s.presence('X', [id]), await s.presence('Y', [id])]).toEqual(['available', 'ringing on call 1']);
    await s.hangup(id, 'caller', 'abandoned');
  });

  it('maxWaitSec with overflow hangup ends the call unanswered', async () => {
    const s = new Scenario();
    await s.agents({ name: 'X', status: 'break' });
    const q = await s.queue('Q', { strategy: 'ring_all', maxWaitSec: 1, overflow: { kind: 'hangup' }, members: [{ agent: 'X' }] });
    const id = await s.call(q);
    await s.until(id, ['received Q', 'queued Q']);
    const ended = await s.ends(id, 'unanswered', ['received Q', 'queued Q', 'unanswered']);
    expect(secondsBetween(s, ended, 'queued Q', 'unanswered')).toBeGreaterThanOrEqual(1 - CLOCK_SLACK);
  });

  it('tier 2 rings only after the call has waited tierWaitSec', async () => {
    const s = new Scenario();
    await s.agents({ name: 'T1', status: 'break' }, 'T2');
    const q = await s.queue('Q', {
      strategy: 'ring_all', ringTimeoutSec: 5, tierWaitSec: 1.5, members: [{ agent: 'T1', tier: 1 }, { agent: 'T2', tier: 2 }],
    });
    const id = await s.call(q);
    const rung = await s.until(id, ['received Q', 'queued Q', 'ringing T2']);
    const waited = secondsBetween(s, rung, 'queued Q', 'ringing T2');
    expect(waited, 'T2 was free all along, but rang only once tier 2 opened').toBeGreaterThanOrEqual(1.5 - CLOCK_SLACK);
    expect(waited).toBeLessThan(4);
    await s.hangup(id, 'caller', 'abandoned');
  });

  it('wrap-up keeps the agent from a waiting call until wrapUpSec has passed, then it rings and is answered', async () => {
    const s = new Scenario();
    await s.agents('W');
    const q = await s.queue('Q', { strategy: 'top_down', ringTimeoutSec: 5, wrapUpSec: 1.5, members: [{ agent: 'W' }] });
    const c1 = await s.call(q);
    await s.firstRing(c1, ['received Q', 'queued Q', 'ringing W']);
    await s.answer(c1, 'W');
    const c2 = await s.call(q);
    await s.until(c2, ['received Q', 'queued Q']);

    await s.hangup(c1, 'agent', 'completed');
    expect(await s.presence('W', [c1, c2])).toBe('wrap_up');
    const waiting = await system.getCall(c2);
    expect([waiting.status, waiting.ringing]).toEqual(['queued', []]);

    const rung = await s.until(c2, ['received Q', 'queued Q', 'ringing W']);
    const ended = await system.getCall(c1);
    const completedAt = Date.parse(ended.events.at(-1).occurredAt);
    const ringAt = Date.parse(rung.events[2]!.occurredAt);
    expect(s.timeline(ended).at(-1)).toBe('completed by agent');
    expect((ringAt - completedAt) / 1000, 'wrap-up before the next ring').toBeGreaterThanOrEqual(1.5 - CLOCK_SLACK);
    expect(await s.presence('W', [c1, c2])).toBe('ringing on call 2');
    await s.answer(c2, 'W');
    await s.hangup(c2, 'caller', 'completed');
    expect(await s.presence('W', [c1, c2])).toBe('wrap_up');
  });

  it('a caller hanging up while waiting abandons the call, which leaves the line: the agent who comes back takes the next', async () => {
    const s = new Scenario();
    await s.agents({ name: 'M', status: 'break' });
    const q = await s.queue('Q', { strategy: 'top_down', ringTimeoutSec: 5, members: [{ agent: 'M' }] });
    const c1 = await s.call(q);
    await s.until(c1, ['received Q', 'queued Q']);
    const c2 = await s.call(q);
    await s.until(c2, ['received Q', 'queued Q']);
    const abandoned = await s.hangup(c1, 'caller', 'abandoned');
    expect(s.timeline(abandoned)).toEqual(['received Q', 'queued Q', 'abandoned']);

    const back = await s.setStatus('M', 'available');
    expect(back).toMatchObject({ state: 'ringing', currentCallId: c2 });
    await s.until(c2, ['received Q', 'queued Q', 'ringing M']);
    expect(s.timeline(await system.getCall(c1))).toEqual(['received Q', 'queued Q', 'abandoned']);
    await s.hangup(c2, 'caller', 'abandoned');
  });

  it('a caller hanging up while agents ring abandons the call and frees the agents', async () => {
    const s = new Scenario();
    await s.agents('P', 'R');
    const q = await s.queue('Q', { strategy: 'ring_all', ringTimeoutSec: 5, members: [{ agent: 'P' }, { agent: 'R' }] });
    const id = await s.call(q);
    await s.firstRing(id, ['received Q', 'queued Q', 'ringing P+R']);
    expect([await s.presence('P', [id]), await s.presence('R', [id])]).toEqual(['ringing on call 1', 'ringing on call 1']);
    const abandoned = await s.hangup(id, 'caller', 'abandoned');
    expect(s.timeline(abandoned)).toEqual(['received Q', 'queued Q', 'ringing P+R', 'abandoned']);
    expect([await s.agent('P'), await s.agent('R')].map((a) => [a.state, a.currentCallId])).toEqual([['available', null], ['available', null]]);
    // Too late to answer.
    const late = await system.json('POST', `/calls/${id}/answer`, { agentId: s.id('P') });
    expect(late.status).toBe(409);
  });

  it('an agent added to a queue while calls wait takes the one waiting longest, then the next', async () => {
    const s = new Scenario();
    await s.agents({ name: 'O', status: 'offline' }, 'N');
    const q = await s.queue('Q', { strategy: 'longest_idle', ringTimeoutSec: 5, members: [{ agent: 'O' }] });
    const c1 = await s.call(q);
    await s.until(c1, ['received Q', 'queued Q']);
    const c2 = await s.call(q);
    await s.until(c2, ['received Q', 'queued Q']);
    expect(await s.presence('N', [c1, c2])).toBe('available');

    await request('PATCH', `/queues/${q.id}`, { members: [{ agentId: s.id('O') }, { agentId: s.id('N') }] }, 200);
    await s.until(c1, ['received Q', 'queued Q', 'ringing N']);
    expect(await s.presence('N', [c1, c2])).toBe('ringing on call 1');
    expect((await system.getCall(c2)).status).toBe('queued');
    await s.serve(c1, 'N');
    await s.until(c2, ['received Q', 'queued Q', 'ringing N']);
    await s.serve(c2, 'N');
  });
});

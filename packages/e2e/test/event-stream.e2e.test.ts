// GET /events over the real services: the events the API and the worker write reach the stream in each call's order,
// the same as GET /calls/{id} shows them; ?queueId= sends a queue's calls only (an overflowed call at both ends),
// ?agentId= a call from the event that first names the agent, and an agent's key reads its own agent's events only.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse, type SseReader } from '../../call-api/test/sse-reader.ts';
import { eventually, startSystem, type System } from './system.ts';

let system: System;
let ana: string;
let ben: string;
let queueA: { id: string; number: string };
let queueB: { id: string; number: string };
const readers: SseReader[] = [];

beforeAll(async () => {
  system = await startSystem({ env: { EVENTS_POLL_INTERVAL_MS: '100' } });
  const agent = async (name: string) => {
    const created = await system.json('POST', '/agents', { name, extension: String(randomInt(1e7, 1e8)), languages: ['en'], domain: system.domain });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await system.json('PUT', `/agents/${created.body.id}/status`, { status: 'available' })).status).toBe(200);
    return created.body.id as string;
  };
  [ana, ben] = [await agent('Ana'), await agent('Ben')];
  const queue = async (name: string, member: string, extra: Record<string, unknown> = {}) => {
    const number = String(randomInt(1e7, 1e8));
    const created = await system.json('POST', '/queues', {
      name,
      number,
      strategy: 'longest_idle',
      ringTimeoutSec: 60,
      domain: system.domain,
      members: [{ agentId: member }],
      ...extra,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id as string, number };
  };
  queueB = await queue('Stream B', ben);
  // A's calls that wait 1 s overflow to B.
  queueA = await queue('Stream A', ana, { maxWaitSec: 1, overflow: { kind: 'queue', id: queueB.id } });
}, 120_000);
afterAll(async () => {
  for (const r of readers) r.close();
  await system?.stop();
});

async function open(query: string, key = system.adminKey): Promise<SseReader> {
  const reader = await openSse(`${system.api.url}/events${query}`, { authorization: `Bearer ${key}` });
  readers.push(reader);
  expect(reader.status).toBe(200);
  await reader.waitFor(0);
  return reader;
}

const post = async (number: string) => ((await (await system.post({ from: '+15550500', to: number, language: 'en' })).json()) as { id: string }).id;
const ringing = (id: string, agentId: string) =>
  eventually(
    () => system.getCall(id),
    (c) => c.status === 'ringing' && c.ringing.includes(agentId),
    `call ${id} to ring ${agentId}`,
    15_000,
  );
const ended = (id: string) =>
  eventually(
    () => system.getCall(id),
    (c) => ['completed', 'abandoned'].includes(c.status),
    `call ${id} to end`,
    15_000,
  );
/** A stream's events of a call, as `type` by `sequence`. */
const of = (reader: SseReader, callId: string) => reader.messages.filter((m) => m.data.callId === callId).map((m) => `${m.data.sequence} ${m.data.type}`);
const timeline = async (callId: string) =>
  ((await system.getCall(callId)).events as { sequence: number; type: string }[]).map((e) => `${e.sequence} ${e.type}`);

describe('GET /events over the real services', () => {
  it('filters by queue, agent and call, keeps each call in order, and an agent key reads only its own', { timeout: 120_000 }, async () => {
    const anaKey = (await system.json('POST', '/keys', { name: 'ana desktop', role: 'agent', agentId: ana })).body.key as string;
    await new Promise((r) => setTimeout(r, 300)); // the streams below start with what comes after they open
    const all = await open('');
    const atA = await open(`?queueId=${queueA.id}`);
    const atB = await open(`?queueId=${queueB.id}`);
    const forAna = await open(`?agentId=${ana}`);
    const anasDesktop = await open('', anaKey);
    expect((await fetch(`${system.api.url}/events?agentId=${ben}`, { headers: { authorization: `Bearer ${anaKey}` } })).status).toBe(403);
    await new Promise((r) => setTimeout(r, 500));

    // 1: to A, rings Ana, answered, hung up.
    const one = await post(queueA.number);
    await ringing(one, ana);
    expect((await system.json('POST', `/calls/${one}/answer`, { agentId: ana })).status).toBe(200);
    // 2: to A while Ana is on the phone: waits 1 s, overflows to B, rings Ben, answered, hung up.
    const two = await post(queueA.number);
    const byCall = await open(`?callId=${two}`);
    await ringing(two, ben);
    expect((await system.json('POST', `/calls/${two}/answer`, { agentId: ben })).status).toBe(200);
    expect((await system.json('POST', `/calls/${one}/hangup`, { by: 'caller' })).status).toBe(200);
    expect((await system.json('POST', `/calls/${two}/hangup`, { by: 'agent' })).status).toBe(200);
    await Promise.all([ended(one), ended(two)]);
    const [oneTimeline, twoTimeline] = [await timeline(one), await timeline(two)];
    await eventually(
      async () => of(all, two).length,
      (n) => n === twoTimeline.length,
      'the stream to have call 2',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 500));

    // Everything, in each call's order, as GET /calls/{id} shows it.
    expect(of(all, one)).toEqual(oneTimeline);
    expect(of(all, two)).toEqual(twoTimeline);
    expect(twoTimeline.map((e) => e.split(' ')[1])).toContain('call.overflowed');

    // Queue A: call 1 whole; call 2 up to and including its overflow. Queue B: call 2 from its overflow on.
    const overflowAt = twoTimeline.findIndex((e) => e.endsWith('call.overflowed'));
    expect(of(atA, one)).toEqual(oneTimeline);
    expect(of(atA, two)).toEqual(twoTimeline.slice(0, overflowAt + 1));
    expect(of(atB, one)).toEqual([]);
    expect(of(atB, two)).toEqual(twoTimeline.slice(overflowAt));
    expect(atB.messages.every((m) => [two].includes(m.data.callId))).toBe(true);
    expect(atA.messages.every((m) => [one, two].includes(m.data.callId))).toBe(true);

    // Ana: call 1 from its ringing on; never call 2 (she was not rung for it). Her own key reads the same.
    const rangAna = oneTimeline.findIndex((e) => e.endsWith('call.ringing'));
    expect(of(forAna, one)).toEqual(oneTimeline.slice(rangAna));
    expect(of(forAna, two)).toEqual([]);
    expect(anasDesktop.messages.map((m) => m.id)).toEqual(forAna.messages.map((m) => m.id));
    // Opened once call 2 existed: only its events, in order, to its end (from wherever the stream started).
    expect(byCall.messages.every((m) => m.data.callId === two)).toBe(true);
    expect(of(byCall, two)).toEqual(twoTimeline.slice(twoTimeline.length - of(byCall, two).length));
    expect(of(byCall, two).at(-1)).toBe(twoTimeline.at(-1));
  });
});

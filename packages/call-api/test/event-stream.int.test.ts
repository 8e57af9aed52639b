// GET /events against a real PostgreSQL, over real HTTP: events in order and once, filtered by call, an event of a
// transaction still open held back until it commits (so nothing ever appears behind the stream's position), resume
// with Last-Event-ID giving exactly what was missed, heartbeats, bad input, and a client that stops reading dropped
// while another one keeps receiving everything. The worker's events and the queue and agent filters have their own
// test over the real services (packages/e2e/test/event-stream.e2e.test.ts).
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls } from '@switchboard/db';
import { createCallApi, type CallApi } from '../src/app.ts';
import { callApiTestConfig, testKey } from './call-api-harness.ts';
import { openSse, type SseReader } from './sse-reader.ts';

let api: CallApi;
let base: string;
let port: number;
let viewer: Record<string, string>;
const readers: SseReader[] = [];

beforeAll(async () => {
  api = await createCallApi({
    ...callApiTestConfig(),
    EVENTS_POLL_INTERVAL_MS: 50,
    EVENTS_HEARTBEAT_MS: 300,
    EVENTS_CLIENT_BUFFER_BYTES: 1024 * 1024,
  });
  await api.start();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  port = (api.app.server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}`;
  viewer = { authorization: `Bearer ${await testKey(api.db, 'viewer')}` };
});
afterAll(async () => {
  for (const r of readers) r.close();
  await api?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(query = '', headers: Record<string, string> = {}): Promise<SseReader> {
  const before = api.events.size;
  const reader = await openSse(`${base}/events${query}`, { ...viewer, ...headers });
  readers.push(reader);
  expect(reader.status).toBe(200);
  // Joined once the hub counts it (a stream without Last-Event-ID starts with what comes after that).
  for (let i = 0; i < 100 && api.events.size <= before; i++) await sleep(20);
  return reader;
}

/** A call row of our own (the events below are written straight into call_events, as the API and the worker do). */
async function newCall(): Promise<string> {
  const id = randomUUID();
  await api.db.insert(calls).values({
    id,
    from: '+1555',
    to: '100',
    language: 'en',
    type: 'queue',
    destinationId: randomUUID(),
    destinationName: 'Q',
    destinationNumber: '100',
  });
  return id;
}

/** One committed transaction writing the call's events `from`..`to` (call.failed, whose reason can be made large). */
async function writeEvents(callId: string, from: number, to: number, reasonBytes = 10) {
  await api.db.$client`
    insert into call_events (id, call_id, sequence, type, status, data)
    select gen_random_uuid(), ${callId}, s, 'call.failed', 'failed', jsonb_build_object('reason', repeat('x', ${reasonBytes}::int))
      from generate_series(${from}::int, ${to}::int) s`;
}

const sequences = (reader: SseReader, callId: string) => reader.messages.filter((m) => m.data.callId === callId).map((m) => m.data.sequence);

describe('GET /events', () => {
  it('sends each event once, in order per call, in the shape of call-events; ?callId= narrows it', async () => {
    const [a, b] = [await newCall(), await newCall()];
    const all = await open();
    const onlyA = await open(`?callId=${a}`);
    for (let i = 1; i <= 6; i += 2) {
      await writeEvents(a, i, i + 1);
      await writeEvents(b, i, i + 1);
    }
    await onlyA.waitFor(6);
    await sleep(300);
    expect(onlyA.messages.map((m) => m.data.callId)).toEqual(Array(6).fill(a));
    expect(sequences(onlyA, a)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sequences(all, a)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sequences(all, b)).toEqual([1, 2, 3, 4, 5, 6]);
    const event = onlyA.messages[0]!.data;
    expect(event).toEqual({
      id: expect.any(String),
      version: 1,
      occurredAt: expect.any(String),
      callId: a,
      sequence: 1,
      status: 'failed',
      type: 'call.failed',
      data: { reason: 'xxxxxxxxxx' },
    });
    // Ids increase along the stream.
    expect(onlyA.messages.every((m) => /^\d+:[0-9a-f-]{36}:\d+$/.test(m.id!))).toBe(true);
  });

  it('holds back an event of a later transaction until every earlier one has ended, then sends them in order', async () => {
    const [early, late] = [await newCall(), await newCall()];
    const all = await open();
    await api.db.$client.begin(async (tx) => {
      await tx`insert into call_events (id, call_id, sequence, type, status) values (${randomUUID()}, ${early}, 1, 'call.abandoned', 'abandoned')`;
      // Another connection commits an event while this transaction is open: it has a later transaction id.
      await writeEvents(late, 1, 1);
      await sleep(500);
      expect(sequences(all, late), 'shown while an earlier transaction was open').toEqual([]);
    });
    await all.waitFor(1);
    for (let i = 0; i < 50 && all.messages.filter((m) => [early, late].includes(m.data.callId)).length < 2; i++) await sleep(50);
    expect(all.messages.filter((m) => [early, late].includes(m.data.callId)).map((m) => m.data.callId)).toEqual([early, late]);
  });

  it('resumes after Last-Event-ID with exactly the events missed, then goes on live', async () => {
    const callId = await newCall();
    const reference = await open(`?callId=${callId}`);
    const first = await open(`?callId=${callId}`);
    await writeEvents(callId, 1, 3);
    await writeEvents(callId, 4, 5);
    await first.waitFor(5);
    first.close();
    const lastSeen = first.messages[2]!.id!; // as if the client had taken only three of them
    await writeEvents(callId, 6, 8);
    await reference.waitFor(8);
    const resumed = await open(`?callId=${callId}`, { 'last-event-id': lastSeen });
    await resumed.waitFor(5);
    await writeEvents(callId, 9, 10); // live again
    await resumed.waitFor(7);
    await reference.waitFor(10);
    await sleep(300);
    expect(sequences(resumed, callId)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(resumed.messages.map((m) => m.id)).toEqual(reference.messages.slice(3).map((m) => m.id));
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const idle = await open(`?callId=${await newCall()}`);
    await sleep(1_000);
    expect(idle.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(idle.messages).toEqual([]);
  });

  it('refuses bad input with 400 naming the field, and an unknown queue, agent or call with 404', async () => {
    const bad = async (url: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${base}${url}`, { headers: { ...viewer, ...headers } });
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as { errors: { field: string }[] } };
    };
    for (const [url, headers, field] of [
      ['/events?queueId=nope', {}, 'querystring.queueId'],
      ['/events?colour=blue', {}, 'querystring'],
      ['/events', { 'last-event-id': 'yesterday' }, 'headers.last-event-id'],
    ] as const) {
      const answer = await bad(url, headers);
      expect(answer.status, url).toBe(400);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(answer.body.errors.map((e) => e.field).join(), url).toContain(field);
    }
    for (const name of ['queueId', 'ringGroupId', 'agentId', 'callId']) {
      const answer = await bad(`/events?${name}=${randomUUID()}`);
      expect(answer.status, name).toBe(404);
      expect(answer.body.errors).toEqual([{ field: `querystring.${name}`, reason: expect.any(String) }]);
    }
  });

  it('drops a client that stops reading, while another receives everything; the dropped one resumes where it was', { timeout: 120_000 }, async () => {
    // 1,600 calls of 10 events of about 1.2 KB: 19 MB, far past the 1 MiB a stream may leave unsent and what the
    // sockets' buffers hold; a page of the reader (500 events, 0.6 MB) stays under it.
    const tag = `+1${Date.now()}`;
    const ids = (
      await api.db.$client<{ id: string }[]>`
        insert into calls (id, "from", "to", language, type, destination_id, destination_name, destination_number)
        select gen_random_uuid(), ${tag}, '100', 'en', 'queue', gen_random_uuid(), 'Q', '100' from generate_series(1, 1600)
        returning id`
    ).map((r) => r.id);
    const ours = new Set(ids);
    const total = ids.length * 10;
    const fast = await open();
    const before = api.events.size;
    const slow = connect(port, '127.0.0.1');
    slow.write(`GET /events HTTP/1.1\r\nhost: test\r\nauthorization: ${viewer.authorization}\r\n\r\n`);
    let received = '';
    let reading = false;
    slow.on('data', (chunk) => {
      received += chunk;
      if (!reading) slow.pause(); // took the headers and first bytes; reads nothing more until told
    });
    const closed = new Promise<void>((resolve) => slow.on('close', () => resolve()));
    for (let i = 0; i < 100 && api.events.size <= before; i++) await sleep(20);
    expect(api.events.size).toBe(before + 1);

    const started = performance.now();
    for (const sequence of [1, 3, 5, 7, 9]) {
      await api.db.$client`
        insert into call_events (id, call_id, sequence, type, status, data)
        select gen_random_uuid(), c.id, s, 'call.failed', 'failed', jsonb_build_object('reason', repeat('x', 1000))
          from unnest(${ids}::uuid[]) as c(id), generate_series(${sequence}::int, ${sequence + 1}::int) s`;
    }
    const fastOurs = () => fast.messages.filter((m) => ours.has(m.data.callId));
    for (let i = 0; i < 600 && fastOurs().length < total; i++) await sleep(100);
    const fastMs = performance.now() - started;
    expect(fastOurs().length).toBe(total);
    expect(inOrderPerCall(fastOurs().map((m) => m.data))).toBe(true);
    expect(api.events.size, 'the slow stream was ended').toBe(before);
    const metrics = await (await fetch(`${base}/metrics`, { headers: viewer })).text();
    expect(metrics).toMatch(/^switchboard_event_streams_dropped_total [1-9]/m);

    // What the slow client had when it was dropped: the server closed the connection; its socket still holds bytes.
    reading = true;
    slow.resume();
    await closed;
    const taken = messagesIn(received);
    const takenOurs = taken.filter((m) => ours.has(m.callId));
    expect(takenOurs.length).toBeLessThan(total);
    expect(inOrderPerCall(takenOurs)).toBe(true);
    console.log(
      `[event-stream] the fast client had all ${total} events (${(total * 1.2).toFixed(0)} KB) ${fastMs.toFixed(0)} ms after the first write; ` +
        `the slow one took ${takenOurs.length} before it was dropped`,
    );

    // It reconnects with the last id it took, reads at its own pace, and gets the rest: nothing missed, nothing twice.
    const resumed = await open('', { 'last-event-id': taken.at(-1)!.id });
    const resumedOurs = () => resumed.messages.filter((m) => ours.has(m.data.callId));
    for (let i = 0; i < 600 && takenOurs.length + resumedOurs().length < total; i++) await sleep(100);
    await sleep(300);
    const all = [...takenOurs, ...resumedOurs().map((m) => m.data)];
    expect(all.length).toBe(total);
    expect(new Set(all.map((e) => `${e.callId}:${e.sequence}`)).size).toBe(total);
    expect(inOrderPerCall(all)).toBe(true);
  });
});

/** Every call's events come 1, 2, 3, … in the list. */
function inOrderPerCall(events: { callId: string; sequence: number }[]): boolean {
  const last = new Map<string, number>();
  for (const e of events) {
    if (e.sequence !== (last.get(e.callId) ?? 0) + 1) return false;
    last.set(e.callId, e.sequence);
  }
  return true;
}

/** The complete messages in a raw HTTP/1.1 chunked SSE answer (chunk framing removed). */
function messagesIn(raw: string): { id: string; callId: string; sequence: number }[] {
  const body = `\r\n${raw.slice(raw.indexOf('\r\n\r\n') + 4)}`.replace(/\r\n[0-9a-f]+\r\n/g, '');
  const found: { id: string; callId: string; sequence: number }[] = [];
  for (const match of body.matchAll(/id: (\S+)\ndata: (\{.*?\})\n\n/g)) {
    const event = JSON.parse(match[2]!) as { callId: string; sequence: number };
    found.push({ id: match[1]!, callId: event.callId, sequence: event.sequence });
  }
  return found;
}

// Kafka cannot be reached: calls are still taken (they wait in the outbox), and an action, which goes straight to Kafka,
// is answered 503 problem+json with Retry-After within the decision timeout: not a hang, not a 500, and nothing applied.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { calls } from '@switchboard/db';
import { createCallApi, type CallApi } from '../src/app.ts';
import { callApiTestConfig, injectWithKey, testKey } from './call-api-harness.ts';
import { uniqueNumber } from './configuration-fixtures.ts';

const decisionTimeoutMs = 3_000;
let api: CallApi;
let blackHole: Server;

beforeAll(async () => {
  // A broker address that takes connections and closes them at once, as a Kafka going down does.
  blackHole = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  const port = (blackHole.address() as { port: number }).port;
  api = await createCallApi({
    ...callApiTestConfig(),
    KAFKA_BROKERS: [`127.0.0.1:${port}`],
    ROUTING_DECISION_TIMEOUT_MS: decisionTimeoutMs,
    OUTBOX_SEND_TIMEOUT_MS: 500,
  });
  await api.start();
});
afterAll(async () => {
  await api?.stop();
  await new Promise<void>((resolve) => blackHole?.close(() => resolve()));
});

describe('Kafka unreachable', () => {
  it('takes the call, and answers its hang-up 503 with Retry-After within the decision timeout, applying nothing', async () => {
    const admin = injectWithKey(api.app, await testKey(api.db));
    const edge = injectWithKey(api.app, await testKey(api.db, 'edge'));
    const number = uniqueNumber();
    const queue = await admin({
      method: 'POST',
      url: '/queues',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'No Kafka', number, strategy: 'longest_idle', members: [] }),
    });
    expect(queue.statusCode, queue.body).toBe(201);
    const posted = await edge({
      method: 'POST',
      url: '/call',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ from: '+1', to: number, language: 'en' }),
    });
    expect(posted.statusCode, posted.body).toBe(202);
    const { id } = posted.json() as { id: string };

    const started = performance.now();
    const hangup = await edge({
      method: 'POST',
      url: `/calls/${id}/hangup`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ by: 'caller' }),
    });
    const tookMs = performance.now() - started;
    expect(hangup.statusCode, hangup.body).toBe(503);
    expect(hangup.headers['retry-after']).toBe('1');
    expect(hangup.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(hangup.json()).toMatchObject({ type: 'urn:switchboard:problem:routing-unavailable', status: 503 });
    expect(tookMs).toBeLessThan(decisionTimeoutMs + 1_000);
    const [call] = await api.db.select({ status: calls.status }).from(calls).where(eq(calls.id, id));
    expect(call!.status).toBe('received');
  });
});

// PostgreSQL goes away and comes back: POST /call answers 503 problem+json with Retry-After within a couple of seconds
// (not a hang, not a 500), readiness turns 503, nothing half-written is left, and calls are taken again within about a
// second of PostgreSQL's return. The API reaches PostgreSQL through a TCP proxy the test can cut, as a network or a
// restart would: every open connection dropped and new ones refused.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallApi, type CallApi } from '../src/app.ts';
import { callApiTestConfig, injectWithKey, testKey } from './call-api-harness.ts';
import { uniqueNumber } from './configuration-fixtures.ts';

/** A loopback proxy to PostgreSQL: `cut()` drops every connection and refuses new ones until `restore()`. */
async function databaseProxy(target: URL) {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: Object.assign(new URL(target), { port: String(port), hostname: '127.0.0.1' }).toString(),
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let api: CallApi;
let proxy: Awaited<ReturnType<typeof databaseProxy>>;
let post: (to: string) => ReturnType<ReturnType<typeof injectWithKey>>;
let queueNumber: string;

beforeAll(async () => {
  const config = callApiTestConfig();
  proxy = await databaseProxy(new URL(config.DATABASE_URL));
  api = await createCallApi({ ...config, DATABASE_URL: proxy.url });
  await api.start();
  const admin = injectWithKey(api.app, await testKey(api.db));
  queueNumber = uniqueNumber();
  const queue = await admin({
    method: 'POST',
    url: '/queues',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'Outage', number: queueNumber, strategy: 'longest_idle', members: [] }),
  });
  expect(queue.statusCode).toBe(201);
  const edge = injectWithKey(api.app, await testKey(api.db, 'edge'));
  post = (to) =>
    edge({ method: 'POST', url: '/call', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ from: '+1', to, language: 'en' }) });
  expect((await post(queueNumber)).statusCode).toBe(202); // the edge key is looked up and cached while PostgreSQL is there
});
afterAll(async () => {
  proxy?.restore();
  await api?.stop();
  proxy?.cut();
  await proxy?.close();
});

describe('PostgreSQL goes away', () => {
  it('POST /call answers 503 with Retry-After within seconds, readiness is 503, and calls are taken within a second of its return', async () => {
    proxy.cut();
    const started = performance.now();
    const refused = await Promise.all(Array.from({ length: 5 }, () => post(queueNumber)));
    const tookMs = performance.now() - started;
    for (const response of refused) {
      expect(response.statusCode, response.body).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ type: 'urn:switchboard:problem:database-unavailable', status: 503 });
    }
    expect(tookMs).toBeLessThan(5_000); // connect_timeout is 2 s
    const ready = await api.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database.ok).toBe(false);

    proxy.restore();
    const back = performance.now();
    let accepted = 0;
    while (performance.now() - back < 5_000) {
      if ((await post(queueNumber)).statusCode === 202) {
        accepted++;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(accepted).toBe(1);
    expect(performance.now() - back).toBeLessThan(1_500);
    expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });
});

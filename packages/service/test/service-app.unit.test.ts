// The shared host answers every refusal with problem+json, including the ones Node and the router make before any
// route runs (tested over a real socket: app.inject never reaches Node's HTTP parser), and 405 with Allow for a
// known path asked with a method it does not have.
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceApp, type ServiceApp } from '@switchboard/service';

const id = '0b3f7c55-1f6e-4a8e-9a57-0c6f4a1c2d11';
let app: ServiceApp;
let port: number;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
/** A preClose hook that holds the drain open, as a slow one would: the listener still accepts meanwhile. */
const drainStarted = deferred();
const drainReleased = deferred();

beforeAll(async () => {
  app = createServiceApp({ access: false });
  app.post('/call', { schema: { body: z.object({ from: z.string() }) } }, async (_request, reply) => reply.code(202).send({ ok: true }));
  app.get('/calls', { schema: { querystring: z.object({ cursor: z.string().max(200).optional() }) } }, async () => ({ items: [] }));
  app.get('/calls/:id', { schema: { params: z.object({ id: z.uuid() }) } }, async (request) => ({ id: request.params.id }));
  app.post('/calls/:id/answer', async () => ({ ok: true }));
  app.addHook('preClose', async () => {
    drainStarted.resolve();
    await drainReleased.promise;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  drainReleased.resolve();
  await app?.close();
});

type RawResponse = { status: number; headers: Record<string, string>; body: string };

/** Parses every HTTP/1.1 response in what the server wrote (bodies by Content-Length). */
function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return responses;
}

/** Writes `data` on a fresh connection and collects everything the server writes until it closes the connection. */
function exchange(data: string | string[], { gapMs = 0, timeoutMs = 5_000 } = {}): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(received.slice(0, 300))}`))), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (received += chunk));
    // The server may close while we still write (a refused header): what it wrote first is what counts.
    socket.on('error', () => {});
    socket.on('close', () => (clearTimeout(timer), resolve(parseResponses(received))));
    const parts = Array.isArray(data) ? data : [data];
    void (async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

function expectProblem(response: RawResponse | undefined, status: number): Record<string, unknown> {
  expect(response, 'no response').toBeDefined();
  expect(response!.status).toBe(status);
  expect(response!.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response!.body);
  expect(problem).toMatchObject({ status, type: expect.stringMatching(/^urn:switchboard:problem:|^about:blank$/), title: expect.any(String), detail: expect.any(String) });
  return problem;
}

describe('a known path asked with a method it does not have', () => {
  it.each([
    ['DELETE', '/call', 'POST'],
    ['PUT', '/calls', 'GET, HEAD'],
    ['POST', `/calls/${id}`, 'GET, HEAD'],
    ['DELETE', '/calls/not-even-a-uuid', 'GET, HEAD'],
    ['GET', `/calls/${id}/answer?x=1`, 'POST'],
    ['OPTIONS', '/call', 'POST'],
  ])('%s %s answers 405 problem+json with Allow: %s', async (method, url, allow) => {
    const response = await app.inject({ method: method as 'GET', url });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 405, type: 'urn:switchboard:problem:method-not-allowed', title: 'Method not allowed' });
  });

  it('an unknown path is still 404, without Allow', async () => {
    for (const url of ['/nothing', '/calls/a/b/c', '/call/extra']) {
      const response = await app.inject({ method: 'DELETE', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers.allow).toBeUndefined();
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('refusals before any route runs are problem+json, over a real socket', () => {
  it('a 20 KB header: 431', async () => {
    const [response] = await exchange(`GET /calls HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectProblem(response, 431);
  });

  it('a 10,000-character URL: 414, without echoing the URL', async () => {
    const [response] = await exchange(`GET /calls/${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const problem = expectProblem(response, 414);
    expect(response!.body.length).toBeLessThan(1_000);
    expect(problem.type).toBe('urn:switchboard:problem:uri-too-long');
  });

  it('a 10,000-character query string reaches its route, whose schema refuses it: 400', async () => {
    const [response] = await exchange(`GET /calls?cursor=${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const problem = expectProblem(response, 400);
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'querystring.cursor' })]);
  });

  it('a request line that is not HTTP: 400', async () => {
    const [response] = await exchange('GARBAGE\r\n\r\n');
    expectProblem(response, 400);
  });

  it('a malformed chunked body: 400', async () => {
    const [response] = await exchange([
      'POST /call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      'zz\r\n{"from":"1"}\r\n0\r\n\r\n',
    ], { gapMs: 50 });
    expectProblem(response, 400);
  });

  it('a URL that is not valid percent-encoding: 400', async () => {
    const [response] = await exchange(`GET /calls/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const problem = expectProblem(response, 400);
    expect(problem.type).toBe('urn:switchboard:problem:invalid-url');
  });
});

describe('while the service drains', () => {
  it('a request that reaches it answers 503 problem+json and closes its connection', async () => {
    const closing = app.close();
    await drainStarted.promise;
    const [response] = await exchange(`GET /calls/${id} HTTP/1.1\r\nHost: x\r\n\r\n`);
    drainReleased.resolve();
    await closing;
    expectProblem(response, 503);
    expect(response!.headers.connection).toBe('close');
  });
});

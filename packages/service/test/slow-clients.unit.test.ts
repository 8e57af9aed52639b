// Slow clients are cut off on purpose: a request whose headers do not arrive within the headers timeout, or whose body
// does not within the request timeout, is answered 408 problem+json and its connection closed (over a real socket, as a
// slow-loris client would hold one); an idle keep-alive connection is closed after the keep-alive timeout.
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp } from '@switchboard/service';

let app: ServiceApp;
let port: number;

beforeAll(async () => {
  app = createServiceApp({ access: false, timeouts: { headersMs: 300, requestMs: 600, keepAliveMs: 400 } });
  app.post('/call', async (_request, reply) => reply.code(202).send({ ok: true }));
  app.get('/ping', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app?.close());

/** Opens a socket, writes `parts` with `gapMs` between them, and resolves with all it read and when it closed. */
function slowClient(parts: string[], gapMs: number): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ text, closedAfterMs: performance.now() - started }));
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    });
    setTimeout(() => reject(new Error('the server kept the slow connection open for 5 s')), 5_000).unref();
  });
}

describe('slow clients', () => {
  it('headers that trickle in past the headers timeout: 408 problem+json, connection closed', async () => {
    const { text, closedAfterMs } = await slowClient(['GET /ping HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n', 'X-C: 3\r\n', 'X-D: 4\r\n'], 150);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
    expect(closedAfterMs).toBeLessThan(1_500);
  });

  it('a body that trickles in past the request timeout: 408, connection closed', async () => {
    const head = 'POST /call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n';
    const { text, closedAfterMs } = await slowClient([head, '{"a":', '"b"', ',"c":', '"d"', ',"e":', '"f"', ',"g":'], 150);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(2_000);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { text, closedAfterMs } = await slowClient(['GET /ping HTTP/1.1\r\nHost: x\r\n\r\n'], 0);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(350);
    expect(closedAfterMs).toBeLessThan(2_000);
  });
});

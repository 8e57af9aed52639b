// A tiny HTTP server in the Vitest main process so tests (in worker processes) can stop and start the Kafka it runs.
import { createServer, type Server } from 'node:http';
import type { LocalKafka } from '../kafka.ts';

export type KafkaControl = { url: string; close(): Promise<void> };

/**
 * POST /kafka/stop, /kafka/start, /kafka/restart, /kafka/pause (SIGSTOP), /kafka/resume (SIGCONT) → 200 {brokers, running} once done.
 * 501 when this process does not run Kafka (KAFKA_BROKERS came from the environment): a fault test must fail loudly.
 */
export function startKafkaControl(kafka: LocalKafka | undefined, unavailableReason: string): Promise<KafkaControl> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const action = /^\/kafka\/(stop|start|restart|pause|resume)$/.exec(req.url ?? '')?.[1] as 'stop' | 'start' | 'restart' | 'pause' | 'resume' | undefined;
    if (req.method !== 'POST' || !action) return reply(404, { error: 'use POST /kafka/stop, /kafka/start, /kafka/restart, /kafka/pause or /kafka/resume' });
    if (!kafka) return reply(501, { error: `cannot ${action} Kafka: ${unavailableReason}` });
    const started = performance.now();
    kafka[action]().then(
      () => reply(200, { action, brokers: kafka.brokers, running: kafka.running, tookMs: Math.round(performance.now() - started) }),
      (error: unknown) => reply(500, { error: `${action} failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  });
  // Stopping Kafka takes seconds; the default 5 s request timeout must not cut it off.
  server.requestTimeout = 180_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

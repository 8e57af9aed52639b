// Open-loop load at a fixed rate: requests leave on an even schedule whatever the answers do, and each latency
// counts from the request's scheduled time, so a stalled server cannot hide its stall (no coordinated omission).
import { Agent, request } from 'node:http';
import { LatencyRecorder, type Percentiles } from './latency.ts';

export type PacedResult = {
  rate: number;
  /** Requests per second actually sent (below `rate` when the generator could not keep up). */
  sentPerSec: number;
  sent: number;
  accepted: number;
  /** Every answer that is not 202, plus connection errors and timeouts. */
  errors: number;
  latency: Percentiles;
};

export type PacedOptions = {
  url: string;
  rate: number;
  durationSec: number;
  body: unknown;
  /** Bodies sent in turn instead of `body` (calls spread over several queues). */
  bodies?: unknown[];
  /** Sent with each request besides content-type and length (the API key). */
  headers?: Record<string, string>;
  /** Called for each 202 with the call id and the request's scheduled time (performance.now() clock). */
  onAccepted?: (callId: string, scheduledAt: number) => void;
};

export async function pacedLoad({ url, rate, durationSec, body, bodies, headers: extra = {}, onAccepted }: PacedOptions): Promise<PacedResult> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const payloads = (bodies ?? [body]).map((b) => Buffer.from(JSON.stringify(b)));
  const latency = new LatencyRecorder();
  const total = Math.round(rate * durationSec);
  let sent = 0;
  let accepted = 0;
  let errors = 0;
  let inFlight = 0;
  let allSent!: () => void;
  const done = new Promise<void>((resolve) => (allSent = resolve));
  const finish = () => {
    inFlight--;
    if (sent === total && inFlight === 0) allSent();
  };

  const send = (scheduledAt: number, payload: Buffer) => {
    inFlight++;
    const headers = { ...extra, 'content-type': 'application/json', 'content-length': payload.length };
    const req = request({ agent, hostname, port, method: 'POST', path: '/call', headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        latency.recordMs(performance.now() - scheduledAt);
        if (res.statusCode === 202) {
          accepted++;
          onAccepted?.((JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id, scheduledAt);
        } else errors++;
        finish();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => {
      errors++;
      finish();
    });
    req.end(payload);
  };

  const started = performance.now();
  // Each tick sends every request whose time has come; a late tick sends them late, and their latency shows it.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * rate) + 1);
    for (; sent < due; sent++) send(started + (sent / rate) * 1_000, payloads[sent % payloads.length]!);
    await new Promise((r) => setTimeout(r, 1));
  }
  const sendSeconds = (performance.now() - started) / 1_000;
  if (inFlight > 0) await done;
  agent.destroy();
  return { rate, sentPerSec: total / Math.max(sendSeconds, durationSec), sent, accepted, errors, latency: latency.percentiles() };
}

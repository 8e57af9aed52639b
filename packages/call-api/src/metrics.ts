// call-api's Prometheus metrics, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { liveRoutingFigures, type Database } from '@switchboard/db';
import { createOutboxPublishedCounter } from '@switchboard/messaging';

/** `db`: read at each scrape for the gauges of what waits now and agents by state (the same for every instance). */
export function createApiMetrics(db?: Database) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'call_api_' });
  const calls = new Counter({
    name: 'switchboard_calls_total',
    help: 'POST /call answers, by outcome (accepted, replayed, unknown_destination, type_mismatch, idempotency_conflict, unstorable)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const intakeBatch = new Histogram({
    name: 'switchboard_intake_batch_size',
    help: 'calls committed per transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const outboxPublished = createOutboxPublishedCounter(registry);
  const callRequestsSent = new Counter({
    name: 'switchboard_call_requests_sent_total',
    help: "call.requested messages sent to Kafka: right after the call's commit (after_commit), or again for a call still received long after (resend)",
    labelNames: ['via'] as const,
    registers: [registry],
  });
  if (db) {
    // One read per scrape serves the three gauges (prom-client collects them concurrently).
    let read: { at: number; figures: ReturnType<typeof liveRoutingFigures> } | null = null;
    const figures = () => {
      if (!read || performance.now() - read.at > 500) read = { at: performance.now(), figures: liveRoutingFigures(db.$client) };
      return read.figures;
    };
    const labels = ['kind', 'destination'] as const;
    new Gauge({
      name: 'switchboard_destination_calls_waiting',
      help: 'calls at each queue and ring group not answered yet (waiting in line or ringing), read at scrape',
      labelNames: labels,
      registers: [registry],
      async collect() {
        const { destinations } = await figures();
        this.reset();
        for (const d of destinations) this.set({ kind: d.kind, destination: d.id }, d.waiting);
      },
    });
    new Gauge({
      name: 'switchboard_destination_longest_wait_seconds',
      help: 'how long the longest waiting call at each queue and ring group has waited, read at scrape',
      labelNames: labels,
      registers: [registry],
      async collect() {
        const { destinations } = await figures();
        this.reset();
        for (const d of destinations) this.set({ kind: d.kind, destination: d.id }, d.longestWaitSec);
      },
    });
    new Gauge({
      name: 'switchboard_agents',
      help: 'agents by routing domain and state, read at scrape',
      labelNames: ['domain', 'state'] as const,
      registers: [registry],
      async collect() {
        const { agents } = await figures();
        this.reset();
        for (const a of agents) this.set({ domain: a.domain, state: a.state }, a.n);
      },
    });
  }
  const eventStreamsDropped = new Counter({
    name: 'switchboard_event_streams_dropped_total',
    help: 'GET /events streams ended because the client fell more than EVENTS_CLIENT_BUFFER_BYTES behind',
    registers: [registry],
  });
  let openStreams = () => 0;
  new Gauge({
    name: 'switchboard_event_streams_open',
    help: 'GET /events streams open on this instance',
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });
  /** Where the open streams are counted (the hub is made after the metrics). */
  const trackEventStreams = (count: () => number) => void (openStreams = count);
  return { registry, calls, intakeBatch, outboxPublished, callRequestsSent, eventStreamsDropped, trackEventStreams };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;

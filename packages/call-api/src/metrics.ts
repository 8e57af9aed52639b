// call-api's Prometheus metrics, served at /metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createOutboxPublishedCounter } from '@switchboard/messaging';

export function createApiMetrics() {
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
  return { registry, calls, intakeBatch, outboxPublished };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;

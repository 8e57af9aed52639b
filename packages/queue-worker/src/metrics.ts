// The worker's Prometheus metrics, served at /metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createOutboxPublishedCounter } from '@switchboard/messaging';

export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'queue_worker_' });
  const callRequests = new Counter({
    name: 'switchboard_call_requests_total',
    help: 'call-requests messages handled, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const requestLag = new Histogram({
    name: 'switchboard_call_request_lag_seconds',
    help: 'from a call being accepted to the worker applying it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const outboxPublished = createOutboxPublishedCounter(registry);
  return { registry, callRequests, requestLag, outboxPublished };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

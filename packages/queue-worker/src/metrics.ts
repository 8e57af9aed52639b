// The worker's Prometheus metrics, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createOutboxPublishedCounter } from '@switchboard/messaging';

export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'queue_worker_' });
  const routingInputs = new Counter({
    name: 'switchboard_routing_inputs_total',
    help: 'routing-inputs messages handled, by outcome (decided, redelivered, dead_lettered)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'switchboard_routing_decisions_total',
    help: 'routing engine decisions committed (inputs, timers and reloads)',
    registers: [registry],
  });
  const callLag = new Histogram({
    name: 'switchboard_call_request_lag_seconds',
    help: 'from a call being accepted to the worker reading it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const ownedDomains = new Gauge({ name: 'switchboard_routing_domains_owned', help: 'routing domains this worker owns', registers: [registry] });
  const outboxPublished = createOutboxPublishedCounter(registry);
  return { registry, routingInputs, decisions, callLag, ownedDomains, outboxPublished };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

// The worker's Prometheus metrics, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createOutboxPublishedCounter } from '@switchboard/messaging';
import type { CommittedDecisions } from './decide/domain-router.ts';

/** Waits callers hear: seconds, up to half an hour. */
const waitBuckets = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800];

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
  const callEventsPublished = new Counter({
    name: 'switchboard_call_events_published_total',
    help: 'call events sent to Kafka, by path (live right after their decision committed, catch_up read back from call_events after a failed send or a takeover)',
    labelNames: ['via'] as const,
    registers: [registry],
  });
  const destinationCalls = new Counter({
    name: 'switchboard_destination_calls_total',
    help: 'calls at each queue and ring group, by what happened: offered (entered it), answered, then how the stay ended (completed, abandoned, unanswered, overflowed, failed)',
    labelNames: ['kind', 'destination', 'event'] as const,
    registers: [registry],
  });
  const callWait = new Histogram({
    name: 'switchboard_call_wait_seconds',
    help: 'how long a call waited at a queue or ring group before it was answered, or before its caller hung up (outcome)',
    labelNames: ['kind', 'destination', 'outcome'] as const,
    buckets: waitBuckets,
    registers: [registry],
  });
  const ringToAnswer = new Histogram({
    name: 'switchboard_ring_to_answer_seconds',
    help: "from the answering agent's phone starting to ring for a call to their answer, at each queue and ring group",
    labelNames: ['kind', 'destination'] as const,
    buckets: [0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 60],
    registers: [registry],
  });

  /** Counts and times what a commit did to calls' stays at destinations (only after it committed: nothing twice). */
  function observeVisits({ visits, visitsUpdated }: CommittedDecisions): void {
    const where = new Map(visitsUpdated.map((v) => [v.callId, v]));
    const changed = [
      ...visits.opened.map((v) => ({ ...v, opened: true })),
      ...visits.updated.flatMap((v) => {
        const stored = where.get(v.callId);
        // Where the visit is and since when; what changed (answered, ended) is this commit's own.
        return stored
          ? [{ ...v, destinationKind: stored.destinationKind, destinationId: stored.destinationId, enteredAt: stored.enteredAt, opened: false }]
          : [];
      }),
    ];
    for (const v of changed) {
      const labels = { kind: v.destinationKind, destination: v.destinationId };
      if (v.opened) destinationCalls.inc({ ...labels, event: 'offered' });
      if (v.answeredAt !== null) {
        destinationCalls.inc({ ...labels, event: 'answered' });
        callWait.observe({ ...labels, outcome: 'answered' }, Math.max(0, v.answeredAt - v.enteredAt));
        if (v.rungAt !== null) ringToAnswer.observe(labels, Math.max(0, v.answeredAt - v.rungAt));
      }
      if (v.outcome !== null) destinationCalls.inc({ ...labels, event: v.outcome });
      if (v.outcome === 'abandoned' && v.endedAt !== null && v.answeredAt === null) {
        callWait.observe({ ...labels, outcome: 'abandoned' }, Math.max(0, v.endedAt - v.enteredAt));
      }
    }
  }

  return {
    registry,
    routingInputs,
    decisions,
    callLag,
    ownedDomains,
    outboxPublished,
    callEventsPublished,
    destinationCalls,
    callWait,
    ringToAnswer,
    observeVisits,
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

// The relay's Prometheus counter, one definition for every service that runs a relay.
import { Counter, type Registry } from 'prom-client';

export function createOutboxPublishedCounter(registry: Registry) {
  return new Counter({
    name: 'switchboard_outbox_published_total',
    help: 'outbox messages sent to Kafka, by path (fast_path right after commit, sweep for what was left)',
    labelNames: ['via'] as const,
    registers: [registry],
  });
}

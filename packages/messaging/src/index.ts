// Messaging: Kafka clients, topics, and the outbox relay.
export * from './kafka.ts';
export * from './outbox-relay.ts';
export * from './outbox-metrics.ts';
export * from './send-rounds.ts';

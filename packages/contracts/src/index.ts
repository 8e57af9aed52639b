// Every message shape Switchboard shares: HTTP bodies, Kafka envelopes, topics, enums and environment.
export * from './enums.ts';
export * from './fields.ts';
export * from './topics.ts';
export * from './env.ts';
export * from './http/call.ts';
export * from './http/problem.ts';
export * from './http/health.ts';
export * from './http/routing-actions.ts';
export * from './http/configuration.ts';
export * from './http/agent.ts';
export * from './http/queue.ts';
export * from './http/ring-group.ts';
export * from './kafka/envelope.ts';
export * from './kafka/call-requested.ts';
export * from './kafka/routing-input.ts';
export * from './kafka/call-event.ts';
export * from './kafka/dlq.ts';

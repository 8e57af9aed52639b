// The one home for SQL that more than one service runs.
export * from './call-events.ts';
export * from './outbox.ts';
export * from './routing.ts';
export * from './configuration.ts';
export * from './calls.ts';
export * from './intake.ts';
export * from './api-keys.ts';
export * from './statistics.ts';
export * from './waiting-call.ts';
export * from './event-stream.ts';

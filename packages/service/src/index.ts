// @switchboard/service: the shared shell of the HTTP services (call-api, queue-worker).
export * from './problems.ts';
export * from './health.ts';
export * from './service-app.ts';
export * from './json-depth.ts';
export * from './access.ts';

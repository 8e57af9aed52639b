// @switchboard/loadtest: a live load run of Poisson calls and simulated agents against a running system, with Erlang C.
export { runLoadTest, type LoadTestResult } from './run.ts';
export { arrivalRateFor, defaultLoad, defaultTarget, type LoadSettings, type Target } from './options.ts';
export { AsteriskHoldTime } from './asterisk-hold-time.ts';

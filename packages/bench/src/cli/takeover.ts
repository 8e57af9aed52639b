// `npm run bench:takeover [-- --agents n] [--calls n] [--session-timeout ms]`: how long routing stops when the worker
// owning a large routing domain is killed, and what taking it over costs the worker that does.
import { parseArgs } from 'node:util';
import { measureTakeover } from '../routing/takeover.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10000' },
    calls: { type: 'string', default: '10000' },
    // Kafka's smallest allowed by default (group.min.session.timeout.ms); the services' default is 10 s.
    'session-timeout': { type: 'string', default: '6000' },
  },
});
const say = (line: string) => console.log(`[takeover] ${line}`);
const result = await measureTakeover({ agents: Number(values.agents), calls: Number(values.calls), sessionTimeoutMs: Number(values['session-timeout']), say });
const target = result.sessionTimeoutMs + 2_000;
console.log(`
| ${result.agents.toLocaleString('en-US')} agents, ${result.waitingCalls.toLocaleString('en-US')} calls waiting, session timeout ${result.sessionTimeoutMs / 1000} s | result | target |
|---|---|---|
| SIGKILL of the owning worker → an agent rings again (decided by the survivor) | ${(result.resumeMs / 1000).toFixed(2)} s | ≤ ${target / 1000} s (session timeout + 2 s): ${result.resumeMs <= target ? 'met' : 'not met'} |
| the survivor's claim and rebuild of the domain from PostgreSQL | ${result.rebuildMs ?? '?'} ms | |
| the survivor's memory: resident before → peak after | ${result.survivorRssBeforeMiB ?? '?'} → ${result.survivorPeakRssMiB ?? '?'} MiB | |
`);

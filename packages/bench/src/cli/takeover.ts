// `npm run bench:takeover [-- --agents n] [--calls n] [--session-timeout ms]`: how long routing stops when the worker
// owning a large routing domain is killed, and what taking it over costs the worker that does. `npm run bench` runs the
// same measurement as its row 10; this runs it alone, on a PostgreSQL and Kafka of its own.
import { parseArgs } from 'node:util';
import { workerPhaseRows } from '../report/table.ts';
import { measureTakeoverOnOwnStack } from '../routing/takeover.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10000' },
    calls: { type: 'string', default: '10000' },
    // Kafka's smallest allowed by default (group.min.session.timeout.ms); the services' default is 10 s.
    'session-timeout': { type: 'string', default: '6000' },
  },
});
const say = (line: string) => console.log(`[takeover] ${line}`);
const takeover = await measureTakeoverOnOwnStack({
  agents: Number(values.agents),
  calls: Number(values.calls),
  sessionTimeoutMs: Number(values['session-timeout']),
  say,
});
const rows = workerPhaseRows({ takeover });
console.log(`\n| measure | result | detail |\n|---|---|---|\n${rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n')}\n`);
if (!takeover.accounting.ok) {
  console.error(`[takeover] FAILED: the waiting calls do not add up: ${JSON.stringify(takeover.accounting)}`);
  process.exit(1);
}

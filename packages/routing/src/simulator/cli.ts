// `npm run simulate`: the engine under M/M/c load beside the Erlang C formula, as a Markdown table.
import { parseArgs } from 'node:util';
import { compareWithErlangC, formatTable, meanTalkSec, type LoadPoint } from './erlang-c-table.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    calls: { type: 'string', default: '200000' },
    agents: { type: 'string', default: '10' },
    loads: { type: 'string', default: '0.5,0.6,0.7,0.8,0.9,0.95' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: simulate [--seed 42] [--calls 200000] [--agents 10[,50…]] [--loads 0.5,0.6,…]');
  process.exit(0);
}

const seed = Number(values.seed);
const calls = Number(values.calls);
const points: LoadPoint[] = values.agents
  .split(',')
  .flatMap((agents) => values.loads.split(',').map((load) => ({ utilization: Number(load), agents: Number(agents) })));

const started = performance.now();
const rows = points.map((point) => compareWithErlangC(point, calls, seed));
const decisions = rows.reduce((sum, row) => sum + row.simulated.decisions, 0);
const seconds = (performance.now() - started) / 1000;
console.log(`M/M/c, one queue, agents answer at once, mean talk ${meanTalkSec} s, seed ${seed}, ${calls} calls per row after warm-up`);
console.log(formatTable(rows));
console.log(`${decisions} decisions in ${seconds.toFixed(1)} s (${Math.round(decisions / seconds)} per second)`);
console.log('±95%: confidence half-width by 20 batch means; an error well inside it is what agreement looks like.');

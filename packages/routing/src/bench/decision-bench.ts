// Benchmark (not a test): the cost of one decision with thousands of agents and a long backlog of waiting calls.
// Run: tsx packages/routing/src/bench/decision-bench.ts [--sizes 1000x10000,10000x100000,100000x1000000] [--events 60000]
import { parseArgs } from 'node:util';
import { decide } from '../decide.ts';
import type { RoutingInput } from '../inputs.ts';
import { createRandom } from '../random.ts';
import { createRoutingState, type RoutingState } from '../state.ts';
import { queueStrategies } from '../vocabulary.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000x10000,10000x100000,100000x1000000' },
    events: { type: 'string', default: '60000' },
    seed: { type: 'string', default: '1' },
  },
});

const languages = ['en', 'es', 'fr', 'de'];
/** Each agent belongs to this many queues; a queue has about this many members. */
const queuesPerAgent = 3;
const membersPerQueue = 150;

interface Measure {
  readonly agents: number;
  readonly waiting: number;
  readonly setupSec: number;
  readonly heapMb: number;
  readonly perEventUs: Record<'call_ended' | 'agent_answered' | 'call_arrived', number>;
  readonly decisionsPerSec: number;
}

function benchmark(agentCount: number, waitingCount: number, events: number, seed: number): Measure {
  const started = performance.now();
  const random = createRandom(seed);
  const queueCount = Math.max(1, Math.round((agentCount * queuesPerAgent) / membersPerQueue));
  const queueMembers: { agentId: string; position: number }[][] = Array.from({ length: queueCount }, () => []);
  const agents = Array.from({ length: agentCount }, (_, index) => {
    const id = `a${index}`;
    for (let k = 0; k < queuesPerAgent; k++) {
      const members = queueMembers[(index * 7 + k * 13 + Math.floor(random.next() * queueCount)) % queueCount]!;
      if (!members.some((member) => member.agentId === id)) members.push({ agentId: id, position: members.length });
    }
    return { id, languages: ['en', languages[index % languages.length]!], state: 'available' as const };
  });
  const state: RoutingState = createRoutingState({
    agents,
    queues: queueMembers.map((members, index) => ({
      id: `q${index}`,
      strategy: queueStrategies[index % queueStrategies.length]!,
      requireLanguage: index % 2 === 0,
      members,
    })),
  });
  let now = 0;
  let nextCall = 0;
  const onCall: string[] = [];
  const run = (input: RoutingInput) => {
    const { commands } = decide(state, input, { now, random });
    for (const command of commands) {
      // Agents answer the first ring at once, so every agent is busy and every new call waits.
      if (command.type === 'ring') run({ type: 'agent_answered', callId: command.callId, agentId: command.agentIds[0]! });
      if (command.type === 'connect') onCall.push(command.callId);
    }
  };
  const arrive = () => {
    now += 0.001;
    const language = languages[Math.floor(random.next() * languages.length)]!;
    const priority = random.next() < 0.1 ? 5 : 0;
    run({ type: 'call_arrived', call: { id: `c${nextCall++}`, destination: { kind: 'queue', id: `q${nextCall % queueCount}` }, language, priority } });
  };
  while (state.calls.size - onCall.length < waitingCount) arrive();
  const setupSec = (performance.now() - started) / 1000;

  const spent = { call_ended: 0, agent_answered: 0, call_arrived: 0 };
  const counts = { call_ended: 0, agent_answered: 0, call_arrived: 0 };
  const timed = (input: RoutingInput) => {
    const begin = performance.now();
    const { commands } = decide(state, input, { now, random });
    spent[input.type as keyof typeof spent] += performance.now() - begin;
    counts[input.type as keyof typeof counts]++;
    for (const command of commands) {
      if (command.type === 'ring') timed({ type: 'agent_answered', callId: command.callId, agentId: command.agentIds[0]! });
      if (command.type === 'connect') onCall.push(command.callId);
    }
  };
  // One cycle: a call ends (its agent takes the best waiting call across its queues and answers), a new call arrives.
  const cycles = (count: number) => {
    for (let cycle = 0; cycle < count; cycle++) {
      now += 0.001;
      const index = Math.floor(random.next() * onCall.length);
      const callId = onCall[index]!;
      onCall[index] = onCall[onCall.length - 1]!;
      onCall.pop();
      timed({ type: 'call_ended', callId, by: 'agent' });
      const destination = { kind: 'queue' as const, id: `q${nextCall % queueCount}` };
      timed({ type: 'call_arrived', call: { id: `c${nextCall++}`, destination, language: languages[cycle % 4]!, priority: cycle % 10 === 0 ? 5 : 0 } });
    }
  };
  // Warm the JIT first, so the first size is not measured cold.
  cycles(events / 3);
  for (const key of Object.keys(spent) as (keyof typeof spent)[]) spent[key] = counts[key] = 0;
  cycles(events / 3);
  const total = spent.call_ended + spent.agent_answered + spent.call_arrived;
  const decisions = counts.call_ended + counts.agent_answered + counts.call_arrived;
  const us = (key: keyof typeof spent) => (spent[key] * 1000) / Math.max(1, counts[key]);
  return {
    agents: agentCount,
    waiting: state.calls.size - onCall.length,
    setupSec,
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    perEventUs: { call_ended: us('call_ended'), agent_answered: us('agent_answered'), call_arrived: us('call_arrived') },
    decisionsPerSec: decisions / (total / 1000),
  };
}

const events = Number(values.events);
console.log(`decision cost: ${queuesPerAgent} queues per agent, ~${membersPerQueue} members per queue, half the queues require a language`);
console.log('| agents | waiting calls | decisions/s | µs call_ended (take best call) | µs agent_answered | µs call_arrived (to the line) | heap MB | setup s |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const size of values.sizes.split(',')) {
  const [agents, waiting] = size.split('x').map(Number) as [number, number];
  try {
    const m = benchmark(agents, waiting, events, Number(values.seed));
    const f = (value: number) => value.toFixed(2);
    console.log(`| ${m.agents} | ${m.waiting} | ${Math.round(m.decisionsPerSec)} | ${f(m.perEventUs.call_ended)} | ${f(m.perEventUs.agent_answered)} | ${f(m.perEventUs.call_arrived)} | ${Math.round(m.heapMb)} | ${m.setupSec.toFixed(1)} |`);
  } catch (error) {
    console.log(`| ${agents} | ${waiting} | did not fit: ${(error as Error).message} |`);
  }
  (globalThis as { gc?: () => void }).gc?.();
}

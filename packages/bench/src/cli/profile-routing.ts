// Scratch: routing at fixed rates, CPU per routed call per process.
import { parseArgs } from 'node:util';
import { startBenchStack, benchApplicationName } from '../stack/bench-stack.ts';
import { CpuMeter } from '../cost/cost-per-call.ts';
import { routingPhases, SimulatedAgents, accountRouting } from '../routing/routing-load.ts';

const { values } = parseArgs({
  options: { rates: { type: 'string', default: '100,200' }, duration: { type: 'string', default: '10' }, profile: { type: 'string' } },
});
const say = (l: string) => console.log(`[routing] ${l}`);
if (values.profile) process.env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${values.profile}`;
const system = await startBenchStack({ say, durableStorage: true, routingAgents: 1500 });
delete process.env.NODE_OPTIONS;
say(`kafka pid ${system.stack.kafka?.pid}`);
const agents = new SimulatedAgents(system.kafka, system.topics.callEvents, system.api.url, system.headers);
try {
  await agents.start();
  const meter = new CpuMeter(
    () => ({ callApi: system.api.child.pid, queueWorker: system.worker.child.pid, postgres: system.stack.postgres?.pid, kafka: system.stack.kafka?.pid }),
    system.db,
    benchApplicationName,
  );
  const ids: string[] = [];
  for (const rate of values.rates!.split(',').map(Number)) {
    const measured = await meter.start();
    const before = ids.length;
    const [phase] = await routingPhases(
      system.db,
      system.routingQueue,
      agents,
      { url: system.api.url, headers: system.headers, rates: [rate], durationSec: Number(values.duration) },
      say,
      ids,
    );
    const cpu = await measured();
    const n = ids.length - before;
    const per = Object.fromEntries(
      Object.entries(cpu.cpuSec)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, ((v! * 1000) / n).toFixed(2)]),
    );
    const total: number = Object.values(cpu.cpuSec).reduce((s: number, v) => s + (v ?? 0), 0);
    say(
      `rate ${rate}: ${n} calls; POST p99 ${phase!.load.latency.p99Ms} ms; ms/routed call ${JSON.stringify(per)} total ${((total * 1000) / n).toFixed(2)}; errors ${JSON.stringify(phase!.actionErrors)}`,
    );
  }
  say(JSON.stringify(await accountRouting(system.db, system.routingQueue.id, ids)));
} finally {
  await agents.stop();
  await system.stop();
}

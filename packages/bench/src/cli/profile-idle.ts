// Scratch: CPU of each process with no load.
import { startBenchStack, benchApplicationName } from '../stack/bench-stack.ts';
import { CpuMeter } from '../cost/cost-per-call.ts';
import { SimulatedAgents } from '../routing/routing-load.ts';
const say = (l: string) => console.log(`[idle] ${l}`);
const system = await startBenchStack({ say, durableStorage: true, routingAgents: 1500 });
const meter = new CpuMeter(
  () => ({ callApi: system.api.child.pid, queueWorker: system.worker.child.pid, postgres: system.stack.postgres?.pid, kafka: system.stack.kafka?.pid }),
  system.db,
  benchApplicationName,
);
const agents = new SimulatedAgents(system.kafka, system.topics.callEvents, system.api.url, system.headers);
try {
  await new Promise((r) => setTimeout(r, 5000));
  for (const label of ['idle', 'idle, bench agents consumer running']) {
    if (label.includes('agents')) await agents.start();
    const m = await meter.start();
    const t0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 10000));
    const cpu = await m();
    const b = process.cpuUsage(t0);
    say(
      `${label}: cores busy over ${cpu.wallSec.toFixed(1)} s: ${JSON.stringify(
        Object.fromEntries(
          Object.entries(cpu.cpuSec)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => [k, (v! / cpu.wallSec).toFixed(3)]),
        ),
      )} bench ${((b.user + b.system) / 1e6 / cpu.wallSec).toFixed(3)}`,
    );
  }
} finally {
  await agents.stop();
  await system.stop();
}

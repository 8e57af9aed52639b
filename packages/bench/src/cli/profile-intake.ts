// Scratch: POST /call at full speed for a while, CPU per process, with --cpu-prof on both services.
import { parseArgs } from 'node:util';
import { startBenchStack, benchApplicationName } from '../stack/bench-stack.ts';
import { CpuMeter } from '../cost/cost-per-call.ts';
import { maxLoad } from '../load/post-call-load.ts';
import { waitUntilQueued } from '../report/accounting.ts';
import { createApiKey } from '@switchboard/db';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/prof' },
    duration: { type: 'string', default: '15' },
    profile: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
  },
});
const say = (l: string) => console.log(`[profile] ${l}`);
if (values.profile) process.env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${values.dir}`;
const system = await startBenchStack({ say, durableStorage: true, routingAgents: 10 });
delete process.env.NODE_OPTIONS;
try {
  const meter = new CpuMeter(
    () => ({ callApi: system.api.child.pid, queueWorker: system.worker.child.pid, postgres: system.stack.postgres?.pid, kafka: system.stack.kafka?.pid }),
    system.db,
    benchApplicationName,
  );
  const admin = (await createApiKey(system.db.$client, { name: 'profile admin', role: 'admin' })).key;
  const metrics = async () => {
    for (const s of [system.api, system.worker] as const) {
      const t = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).text();
      say(
        t
          .split('\n')
          .filter((l) => /batch_size_(sum|count)|decisions_total|routing_inputs_total|outbox_published/.test(l))
          .join(' | '),
      );
    }
  };
  const body = { from: '+15550001', to: system.queue.number, language: 'en' };
  for (let r = 0; r < Number(values.rounds); r++) {
    const measured = await meter.start();
    const result = await maxLoad({ url: system.api.url, headers: system.headers, connections: 50, durationSec: Number(values.duration), body });
    const drainMs = await waitUntilQueued(system.db, system.queue.id, performance.now(), 120_000);
    const cpu = await measured();
    const per = Object.fromEntries(
      Object.entries(cpu.cpuSec)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, ((v! * 1000) / result.accepted).toFixed(3)]),
    );
    const total: number = Object.values(cpu.cpuSec).reduce((s: number, v) => s + (v ?? 0), 0);
    say(
      `${Math.round(result.requestsPerSec)} req/s p50 ${result.p50Ms} p99 ${result.p99Ms} errors ${result.errors}; drain ${drainMs} ms; ms/call ${JSON.stringify(per)} total ${((total * 1000) / result.accepted).toFixed(3)}; WAL ${(cpu.walBytes / result.accepted).toFixed(0)} B/call`,
    );
    await metrics();
  }
} finally {
  await system.stop();
}

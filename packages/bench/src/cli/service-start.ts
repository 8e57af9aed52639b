// `npm run bench:service-start [-- --starts n] [--calls n]`: start time and peak memory of call-api and queue-worker,
// compiled (as they run) against TypeScript transpiled at run time by tsx (as they ran before), interleaved start by start.
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  serviceEntries,
  serviceNodeFlags,
  serviceSources,
  spawnService,
  tsxNodeFlags,
  waitReady,
  type RunningService,
} from '../../../local-stack/src/services.ts';
import { freePort } from '../../../local-stack/src/process.ts';
import { pacedLoad } from '../load/paced-load.ts';
import { waitUntilQueued } from '../report/accounting.ts';
import { peakRssMiB, startBenchStack, type BenchStack, type ServiceName } from '../stack/bench-stack.ts';

const { values } = parseArgs({ options: { starts: { type: 'string', default: '5' }, calls: { type: 'string', default: '1000' } } });
const starts = Number(values.starts);
const calls = Number(values.calls);
const say = (line: string) => console.log(`[service-start] ${line}`);

const modes = {
  compiled: { flags: serviceNodeFlags, entries: serviceEntries },
  'compiled, no source maps': { flags: [], entries: serviceEntries },
  tsx: { flags: tsxNodeFlags, entries: serviceSources },
} as const;
type Mode = keyof typeof modes;
type Sample = { startMs: Record<ServiceName, number>; readyRssMiB: Record<ServiceName, number | null>; peakRssMiB: Record<ServiceName, number | null> };

/** Resident memory now (VmRSS) of a service in MiB. */
async function rssMiB(service: RunningService): Promise<number | null> {
  const status = await readFile(`/proc/${service.child.pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kib ? Math.round(Number(kib) / 1024) : null;
}

/** Spawns one service and times it from the spawn until /health/ready answers 200 (polled every 10 ms). */
async function timedStart(system: BenchStack, which: ServiceName, mode: Mode): Promise<{ service: RunningService; ms: number }> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const service = spawnService(
    { name: `${which}-${mode.replaceAll(' ', '-')}`, entry: modes[mode].entries[which], nodeFlags: modes[mode].flags, port, env: system.serviceEnv },
    (s, code, signal) => code === 0 || signal === 'SIGTERM' || say(`${s.name} exited ${code ?? signal}`),
  );
  await waitReady(service, 90_000, 10);
  return { service, ms: Math.round(performance.now() - spawnedAt) };
}

async function sample(system: BenchStack, mode: Mode): Promise<Sample> {
  // One at a time, so neither start competes with the other for the CPU.
  const api = await timedStart(system, 'callApi', mode);
  const worker = await timedStart(system, 'queueWorker', mode);
  try {
    const readyRssMiB = { callApi: await rssMiB(api.service), queueWorker: await rssMiB(worker.service) };
    // A short load, so the peak includes serving calls and routing them, not only start-up.
    const since = performance.now();
    const body = { from: '+15550001', to: system.queue.number, language: 'en' };
    const probe = await fetch(`${api.service.url}/call`, {
      method: 'POST',
      headers: { ...system.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (probe.status !== 202) throw new Error(`${mode}: POST /call answered ${probe.status}: ${await probe.text()}`);
    const result = await pacedLoad({ url: api.service.url, headers: system.headers, rate: 200, durationSec: calls / 200, body });
    if (result.accepted !== calls) throw new Error(`${mode}: ${result.accepted} of ${calls} calls accepted (${result.errors} errors)`);
    if ((await waitUntilQueued(system.db, system.queue.id, since, 60_000)) === null)
      throw new Error(`${mode}: the worker did not queue every call within 60 s`);
    return {
      startMs: { callApi: api.ms, queueWorker: worker.ms },
      readyRssMiB,
      peakRssMiB: { callApi: await peakRssMiB(api.service), queueWorker: await peakRssMiB(worker.service) },
    };
  } finally {
    await Promise.all([api.service.stop(), worker.service.stop()]);
  }
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

const loadAtStart = loadavg();
const system = await startBenchStack({ say, durableStorage: true, routingAgents: 0 });
const samples: Record<Mode, Sample[]> = { compiled: [], 'compiled, no source maps': [], tsx: [] };
try {
  // The stack's own services are not part of this measurement.
  await Promise.all([system.api.stop(), system.worker.stop()]);
  for (let i = 1; i <= starts; i++) {
    const order = Object.keys(modes) as Mode[];
    for (const mode of i % 2 === 1 ? order.toReversed() : order) {
      const s = await sample(system, mode);
      samples[mode].push(s);
      say(
        `start ${i}/${starts}, ${mode}: call-api ready in ${s.startMs.callApi} ms, ${s.readyRssMiB.callApi} MiB, peak ${s.peakRssMiB.callApi} MiB; queue-worker ${s.startMs.queueWorker} ms, ${s.readyRssMiB.queueWorker} MiB, peak ${s.peakRssMiB.queueWorker} MiB`,
      );
    }
  }
} finally {
  await system.stop();
}

const row = (mode: Mode, which: ServiceName) => {
  const ms = samples[mode].map((s) => s.startMs[which]);
  const rss = samples[mode].map((s) => s.peakRssMiB[which] ?? Number.NaN);
  const ready = samples[mode].map((s) => s.readyRssMiB[which] ?? Number.NaN);
  return `| ${which === 'callApi' ? 'call-api' : 'queue-worker'} | ${mode === 'tsx' ? 'tsx (before)' : mode} | ${median(ms)} ms (${Math.min(...ms)}–${Math.max(...ms)}) | ${median(ready)} MiB | ${median(rss)} MiB (${Math.min(...rss)}–${Math.max(...rss)}) |`;
};
console.log(
  [
    '',
    `${starts} starts per mode, interleaved; peak RSS (VmHWM) after ${calls} calls at 200/s; load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')}, at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}`,
    '',
    '| service | runs as | spawn → /health/ready 200, median (min–max) | RSS when ready, median | peak RSS after the load, median (min–max) |',
    '|---|---|---|---|---|',
    ...(['callApi', 'queueWorker'] as const).flatMap((which) => (['tsx', 'compiled', 'compiled, no source maps'] as const).map((mode) => row(mode, which))),
    '',
  ].join('\n'),
);

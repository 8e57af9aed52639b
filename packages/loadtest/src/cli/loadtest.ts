// `npm run loadtest [-- --agents n --rho r | --rate λ --talk s --answer-delay s --duration s --warmup s --seed n …]`:
// a live load run against a running system (by default `npm start`'s), ending with the table against Erlang C.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { arrivalRateFor, defaultLoad, defaultTarget, type LoadSettings, type Target } from '../options.ts';
import { runLoadTest } from '../run.ts';

const help = `npm run loadtest -- [options]   (against a running system; by default npm start's)

  --agents n          simulated agents in the load test's queue (${defaultLoad.agents})
  --rho r             load per agent; sets the arrival rate to r · agents / (talk + answer delay) (${defaultLoad.utilization})
  --rate λ            calls per second instead of --rho
  --talk s            mean talk time, exponential (${defaultLoad.meanTalkSec})
  --answer-delay s    how long an agent lets a ring go before answering (${defaultLoad.answerDelaySec})
  --duration s        measured arrivals, after the warm-up (${defaultLoad.durationSec})
  --warmup s          arrivals handled but not measured, first (${defaultLoad.warmUpSec})
  --service-level s   the service level's threshold (${defaultLoad.serviceLevelSec})
  --batches n         batches for the batch-means 95% ranges (${defaultLoad.batches})
  --seed n            seeds arrival and talk times (${defaultLoad.seed})
  --ring-timeout s    the queue's ring timeout (${defaultLoad.ringTimeoutSec})
  --api url           call-api (${defaultTarget.apiUrl})
  --brokers list      Kafka brokers, comma-separated (${defaultTarget.kafkaBrokers.join(',')})
  --topic name        the call-events topic (${defaultTarget.callEventsTopic})
  --domain name       routing domain of the load test's queue and agents (${defaultTarget.domain})
  --keys file         ADMIN_KEY and EDGE_KEY, as npm start writes them (.cache/demo-keys.env); the environment's win
  --out file          also write the settings, figures, table and every call's outcome there as JSON`;

const valueNames = [
  'agents',
  'rho',
  'rate',
  'talk',
  'answer-delay',
  'duration',
  'warmup',
  'service-level',
  'batches',
  'seed',
  'ring-timeout',
  'api',
  'brokers',
  'topic',
  'domain',
  'keys',
  'out',
] as const;
type ValueName = (typeof valueNames)[number];
const { values } = parseArgs({
  options: {
    ...(Object.fromEntries(valueNames.map((name) => [name, { type: 'string' }])) as Record<ValueName, { type: 'string' }>),
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(help);
  process.exit(0);
}

function number(name: ValueName, fallback: number, check: (n: number) => boolean = (n) => n > 0): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) {
    console.error(`[loadtest] --${name} ${raw} is not a valid value\n\n${help}`);
    process.exit(2);
  }
  return value;
}

const agents = number('agents', defaultLoad.agents, (n) => Number.isInteger(n) && n >= 1 && n <= 1000);
const meanTalkSec = number('talk', defaultLoad.meanTalkSec);
const answerDelaySec = number('answer-delay', defaultLoad.answerDelaySec, (n) => n >= 0);
const utilization = number('rho', defaultLoad.utilization, (n) => n > 0 && n < 1);
const settings: LoadSettings = {
  agents,
  meanTalkSec,
  answerDelaySec,
  arrivalRate: number('rate', arrivalRateFor(utilization, agents, meanTalkSec, answerDelaySec)),
  warmUpSec: number('warmup', defaultLoad.warmUpSec, (n) => n >= 0),
  durationSec: number('duration', defaultLoad.durationSec),
  serviceLevelSec: number('service-level', defaultLoad.serviceLevelSec, (n) => n >= 0),
  batches: number('batches', defaultLoad.batches, (n) => Number.isInteger(n) && n >= 2),
  seed: number('seed', defaultLoad.seed, Number.isInteger),
  ringTimeoutSec: number('ring-timeout', defaultLoad.ringTimeoutSec),
  // Long enough for the longest wait and talk a run of this load is likely to see.
  drainTimeoutSec: Math.max(120, 20 * (meanTalkSec + answerDelaySec)),
};

async function keys(): Promise<{ adminKey: string; edgeKey: string }> {
  const file = values.keys ?? join(fileURLToPath(new URL('../../../..', import.meta.url)), '.cache', 'demo-keys.env');
  const saved = new Map<string, string>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const match = /^export (\w+)=(\S+)$/.exec(line.trim());
    if (match) saved.set(match[1]!, match[2]!);
  }
  const adminKey = process.env.ADMIN_KEY ?? saved.get('ADMIN_KEY');
  const edgeKey = process.env.EDGE_KEY ?? saved.get('EDGE_KEY');
  if (!adminKey || !edgeKey) {
    throw new Error(`no ADMIN_KEY and EDGE_KEY in the environment or in ${file}: start the system with npm start (it writes them there), or set them`);
  }
  return { adminKey, edgeKey };
}

const say = (line: string) => console.log(`[loadtest] ${line}`);
try {
  const target: Target = {
    apiUrl: values.api ?? defaultTarget.apiUrl,
    kafkaBrokers: (values.brokers ?? defaultTarget.kafkaBrokers.join(',')).split(','),
    callEventsTopic: values.topic ?? defaultTarget.callEventsTopic,
    domain: values.domain ?? defaultTarget.domain,
    ...(await keys()),
  };
  const ready = await fetch(`${target.apiUrl}/health/ready`).catch(() => undefined);
  if (!ready?.ok) throw new Error(`call-api at ${target.apiUrl} is not ready (${ready ? ready.status : 'no answer'}): start the system first (npm start)`);
  const startedAt = { at: new Date().toISOString(), loadAverage: loadavg() };
  const result = await runLoadTest(settings, target, say);
  console.log(`\n${result.report}\n`);
  if (values.out) {
    const machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      node: process.version,
      started: startedAt,
      finished: { at: new Date().toISOString(), loadAverage: loadavg() },
    };
    await mkdir(dirname(resolve(values.out)), { recursive: true });
    await writeFile(
      resolve(values.out),
      `${JSON.stringify({ settings, machine, figures: result.figures, report: result.report, outcomes: result.outcomes }, null, 2)}\n`,
    );
    say(`results written to ${resolve(values.out)}`);
  }
  if (result.problems.length > 0) {
    console.error(
      `[loadtest] FAILED:\n  ${result.problems.slice(0, 20).join('\n  ')}${result.problems.length > 20 ? `\n  … ${result.problems.length - 20} more` : ''}`,
    );
    process.exit(1);
  }
  process.exit(0);
} catch (error) {
  console.error(`[loadtest] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

// API fuzz test: Schemathesis generates requests from the OpenAPI document call-api serves at /docs/json (valid and
// invalid ones, then sequences that follow the links between operations) and sends them to call-api and queue-worker
// running as real processes on the test stack's PostgreSQL and Kafka. Any 5xx, or any answer whose status, content
// type, headers or body the document does not describe for that operation, fails the test with Schemathesis's report.
//
// Schemathesis comes from PyPI: packages/e2e/fuzz/schemathesis.sh installs the pinned requirements into a venv under
// .cache/ on first use. Without python3 (3.11+) the test fails saying what to install; it never skips.
// FUZZ_SEED, FUZZ_MAX_EXAMPLES and FUZZ_MAX_TIME (seconds) change the run; a failure prints the seed to rerun with.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local-stack/src/kafka-jars.ts';
import { eventually, startSystem, type System } from './system.ts';

const schemathesis = join(repoRoot, 'packages/e2e/fuzz/schemathesis.sh');
/** Its working directory: Schemathesis keeps the failing cases it found in `.schemathesis/` there, git-ignored. */
const workDir = join(repoRoot, '.cache/schemathesis');

/** The checks run on every answer. Schemathesis's others are left out: see the README's Tests section. */
const checks = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance'];
const intFromEnv = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name}=${raw} is not a whole number`);
  return Number(raw);
};
const seed = intFromEnv('FUZZ_SEED', 20_260_601);
/** Per operation and phase; with a time budget the fuzzing and stateful phases repeat until it is spent. */
const maxExamples = intFromEnv('FUZZ_MAX_EXAMPLES', 30);
const maxTimeSec = intFromEnv('FUZZ_MAX_TIME', 90);

/** Every header the test sends, to the API when seeding and on every request Schemathesis makes (the admin key, below). */
const requestHeaders: Record<string, string> = {};

type Answer = { status: number; body: any };

/** Runs schemathesis.sh; resolves with its exit code and everything it wrote, which is also relayed as it comes. */
function runSchemathesis(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  mkdirSync(workDir, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [schemathesis, ...args], {
      cwd: workDir,
      env: { ...process.env, ...env, NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const relay = (chunk: Buffer) => {
      output += chunk.toString();
      // Prefixed, and without the blank lines Schemathesis spaces its report with.
      const lines = chunk
        .toString()
        .split('\n')
        .filter((line) => line.trim() !== '');
      if (lines.length > 0) process.stdout.write(lines.map((line) => `[schemathesis] ${line}\n`).join(''));
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

let system: System;
/** What the seeded system holds, handed to fuzz/hooks.py so that some requests name real rows. */
const known = { calls: [] as string[], agents: [] as string[], queues: [] as string[], ringGroups: [] as string[], numbers: [] as string[] };

async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${system.api.url}${path}`, {
    method,
    headers: { ...requestHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
async function expectStatus(answer: Promise<Answer>, status: number): Promise<any> {
  const { status: got, body } = await answer;
  expect(got, JSON.stringify(body)).toBe(status);
  return body;
}

beforeAll(async () => {
  // Installs Schemathesis on a fresh clone (a minute at most), before the services start.
  const setup = await runSchemathesis(['--version']);
  if (setup.code !== 0) throw new Error(`Schemathesis could not be set up (exit ${setup.code}):\n${setup.output}`);

  // The worker decides every action here; a decision slower than 10 s on a loaded CI machine would be a 503. The
  // system has a database of its own (startSystem): the hundreds of agents, queues and domains it makes stay there.
  system = await startSystem({ env: { ROUTING_DECISION_TIMEOUT_MS: '10000' } });
  // An admin key: it may call every operation, so the fuzz reaches each route's own answers, not only 401 and 403.
  requestHeaders.authorization = `Bearer ${system.adminKey}`;
  const { domain, queue, group } = system;
  // Agents of the system's own routing domain, available and members of its queue and ring group: calls ring them.
  const agents: { id: string }[] = [];
  for (const name of ['Fuzz One', 'Fuzz Two']) {
    const extension = `6${Math.floor(Math.random() * 1e10)}`;
    agents.push(await expectStatus(api('POST', '/agents', { name, extension, languages: ['en'], domain }), 201));
  }
  for (const agent of agents) await expectStatus(api('PUT', `/agents/${agent.id}/status`, { status: 'available' }), 200);
  await expectStatus(api('PATCH', `/queues/${queue.id}`, { members: agents.map((a) => ({ agentId: a.id })) }), 200);
  await expectStatus(api('PATCH', `/ring-groups/${group.id}`, { members: agents.map((a) => a.id) }), 200);
  const calls: { id: string }[] = [];
  for (const to of [queue.number, group.number, queue.number]) {
    calls.push(await expectStatus(api('POST', '/call', { from: '+15550100', to, language: 'en' }), 202));
  }
  // Wait until the worker has routed them, so the actions meet calls that ring.
  await eventually(
    () => Promise.all(calls.map(async (call) => (await api('GET', `/calls/${call.id}`)).body.status as string)),
    (statuses) => statuses.every((s) => s !== 'received'),
    'the worker to route the seeded calls',
  );
  Object.assign(known, {
    calls: calls.map((c) => c.id),
    agents: agents.map((a) => a.id),
    queues: [queue.id],
    ringGroups: [group.id],
    numbers: [queue.number, group.number],
  });
}, 240_000);
afterAll(async () => {
  await system?.stop();
});

describe('API fuzz (Schemathesis against /docs/json)', () => {
  it('no 5xx and no answer outside the document', { timeout: (maxTimeSec + 120) * 1000 }, async () => {
    const base = system.api.url;
    console.log(
      `[api-fuzz] seed ${seed}, at most ${maxExamples} examples per operation and phase, ${maxTimeSec} s (FUZZ_SEED, FUZZ_MAX_EXAMPLES, FUZZ_MAX_TIME)`,
    );
    const started = performance.now();
    const { code, output } = await runSchemathesis(
      [
        'run',
        `${base}/docs/json`,
        '--url',
        base,
        '--checks',
        checks.join(','),
        ...Object.entries(requestHeaders).flatMap(([name, value]) => ['--header', `${name}: ${value}`]),
        '--seed',
        String(seed),
        '--max-examples',
        String(maxExamples),
        '--max-time',
        String(maxTimeSec),
        // One worker: the machine is small and shared with the services under test (and Python 3.11's ast module can
        // fail under concurrent threads, which Hypothesis uses to describe strategies).
        '--workers',
        '1',
        '--request-timeout',
        '20',
        // GET /events is a stream that never ends (its answers are checked in event-stream.int.test.ts and
        // event-stream.e2e.test.ts); every request to it would wait out the timeout above.
        '--exclude-path',
        '/events',
        // No example database: the same seed gives the same run, wherever it runs.
        '--generation-database',
        'none',
        '--no-color',
      ],
      { SCHEMATHESIS_HOOKS: 'hooks', FUZZ_KNOWN: JSON.stringify(known) },
    );
    console.log(`[api-fuzz] Schemathesis exited ${code} after ${((performance.now() - started) / 1000).toFixed(0)} s (seed ${seed})`);
    if (code !== 0) {
      throw new Error(`Schemathesis found problems (exit ${code}, seed ${seed}; rerun with FUZZ_SEED=${seed}):\n${output.slice(-20_000)}`);
    }
    // Nothing the fuzzing did may take a service down.
    expect(system.exits).toEqual([]);
  });
});

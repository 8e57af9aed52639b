// Runs the Switchboard services as child processes (their compiled JavaScript, see build-services.ts) and waits for
// their readiness endpoints.
import { spawn, type ChildProcess } from 'node:child_process';
import { serviceBuilds } from './build-services.ts';
import { repoRoot } from './kafka-jars.ts';
import { waitForExit } from './process.ts';

/**
 * How every service process is started (here and in the Dockerfile): its compiled file, with stack traces mapped back
 * to the TypeScript lines. No warning is silenced: the TimeoutNegativeWarning KafkaJS 2.2.4 used to print came from a
 * 1 ms timer it re-armed forever on idle connections, which `patches/kafkajs+2.2.4.patch` removes.
 */
export const serviceNodeFlags = ['--enable-source-maps'] as const;

/** How the services ran before they were compiled: TypeScript transpiled at run time (kept to measure against). */
export const tsxNodeFlags = ['--import', 'tsx'] as const;

export type ServiceSpec = {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  /** Node's flags before the entry; `serviceNodeFlags` unless given. */
  nodeFlags?: readonly string[];
};

export type RunningService = ServiceSpec & {
  child: ChildProcess;
  url: string;
  /** The last lines the service wrote (stdout and stderr), for tests that check what it logged. */
  output: string[];
  stop(): Promise<void>;
};

const keptOutputLines = 5_000;

/** What the services run: the files `buildServices()` writes (`npm start`, the test setup and the bench build them first). */
export const serviceEntries = { callApi: serviceBuilds.callApi.output, queueWorker: serviceBuilds.queueWorker.output } as const;

/** Their TypeScript entries (run with `tsxNodeFlags`). */
export const serviceSources = { callApi: serviceBuilds.callApi.source, queueWorker: serviceBuilds.queueWorker.source } as const;

/**
 * The service gets its own process group
 * (so a terminal's Ctrl-C reaches only us and we stop things in order) and a SIGKILL fallback hits the whole group.
 */
export function spawnService(spec: ServiceSpec, onExit: (service: RunningService, code: number | null, signal: NodeJS.Signals | null) => void): RunningService {
  // `node` itself, never a wrapper (npm, the tsx CLI): one process, so our signals reach the service itself and no
  // wrapper can exit before the service has finished draining.
  const child = spawn(process.execPath, [...(spec.nodeFlags ?? serviceNodeFlags), spec.entry], {
    cwd: repoRoot,
    env: { ...process.env, ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${spec.name}] `;
  const output: string[] = [];
  const relay = (stream: NodeJS.WriteStream) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        stream.write(`${prefix}${line}\n`);
        output.push(line);
      }
      if (output.length > keptOutputLines) output.splice(0, output.length - keptOutputLines);
    };
  };
  child.stdout!.on('data', relay(process.stdout));
  child.stderr!.on('data', relay(process.stderr));
  let stopping: Promise<void> | undefined;
  const service: RunningService = {
    ...spec,
    child,
    url: `http://127.0.0.1:${spec.port}`,
    output,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        // The services drain for up to SHUTDOWN_TIMEOUT_MS (10 s by default); give them a little more. Anything the
        // service started in its process group must be gone too, not just the service.
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline && groupAlive(child.pid!)) await new Promise((r) => setTimeout(r, 100));
        if (!groupAlive(child.pid!)) return;
        console.error(`[local-stack] ${spec.name} did not stop within 15 s: SIGKILL`);
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await waitForExit(child, 5_000);
      })()),
  };
  child.once('exit', (code, signal) => onExit(service, code, signal));
  return service;
}

/** True while any process of the group led by `pid` is alive (signal 0 only checks). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls GET /health/ready until it answers 200; fails early if the process exits. */
export async function waitReady(service: RunningService, timeoutMs = 90_000, pollMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) before it was ready`);
    }
    try {
      const response = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${service.name} was not ready at ${service.url}/health/ready within ${timeoutMs / 1000} s (last: ${last})`);
}

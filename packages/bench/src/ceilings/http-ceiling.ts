// HTTP ceiling: a no-op Fastify route in its own process, loaded by the same generator as POST /call.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, terminate } from '../../../local-stack/src/process.ts';
import { maxLoad, type MaxLoadOptions, type MaxLoadResult } from '../load/post-call-load.ts';

const serverEntry = fileURLToPath(new URL('./noop-server.ts', import.meta.url));

export type NoopServer = { url: string; child: ChildProcess; stop(): Promise<void> };

/** Started once per run and reused by every round, so its start-up cost is not part of a round. */
export async function startNoopServer(): Promise<NoopServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the no-op server did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the no-op server exited (${code}) before it was ready`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, child, stop: () => terminate(child, 5_000) };
}

export function httpCeiling(server: NoopServer, options: Omit<MaxLoadOptions, 'url'>): Promise<MaxLoadResult> {
  return maxLoad({ ...options, url: server.url });
}

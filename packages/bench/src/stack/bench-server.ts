// A small server process of the bench's own (the HTTP ceiling's no-op route, the prototype's design): started once per
// run, reused by every round, so its start-up is never part of a round.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, terminate } from '../../../local-stack/src/process.ts';

export type BenchServer = { url: string; child: ChildProcess; stop(): Promise<void> };

/** Spawns `node --import tsx entry` on a free port and resolves once it prints `ready`. */
export async function startBenchServer(name: string, entry: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () => terminate(child, 5_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ${name} did not start within 30 s`)), 30_000);
      child.once('exit', (code) => reject(new Error(`the ${name} exited (${code}) before it was ready`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, child, stop };
}

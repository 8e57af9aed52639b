// HTTP ceiling: a no-op Fastify route in its own process, loaded by the same generator as POST /call.
import { fileURLToPath } from 'node:url';
import { maxLoad, type MaxLoadOptions, type MaxLoadResult } from '../load/post-call-load.ts';
import { startBenchServer, type BenchServer } from '../stack/bench-server.ts';

const serverEntry = fileURLToPath(new URL('./noop-server.ts', import.meta.url));

export function startNoopServer(): Promise<BenchServer> {
  return startBenchServer('no-op server', serverEntry);
}

export function httpCeiling(server: BenchServer, options: Omit<MaxLoadOptions, 'url'>): Promise<MaxLoadResult> {
  return maxLoad({ ...options, url: server.url });
}

// queue-worker process: read config, build the worker, listen, consume; close gracefully on SIGTERM/SIGINT. No top-level
// await: the process runs this compiled to CommonJS (see packages/local-stack/src/build-services.ts).
import closeWithGrace from 'close-with-grace';
import { createWorker } from './app.ts';
import { loadConfig } from './config.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const worker = await createWorker(config, { logger: { level: config.LOG_LEVEL } });

  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) worker.app.log.error({ err }, 'closing after an error');
    else worker.app.log.info({ signal }, 'closing');
    await worker.stop();
  });

  await worker.app.listen({ host: config.HOST, port: config.PORT });
  await worker.start();
}

// As a failed top-level await would: the error and its stack on stderr, exit code 1.
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// queue-worker process: read config, build the worker, listen, consume; close gracefully on SIGTERM/SIGINT.
import closeWithGrace from 'close-with-grace';
import { createWorker } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const worker = await createWorker(config, { logger: { level: config.LOG_LEVEL } });

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
  if (err) worker.app.log.error({ err }, 'closing after an error');
  else worker.app.log.info({ signal }, 'closing');
  await worker.stop();
});

await worker.app.listen({ host: config.HOST, port: config.PORT });
await worker.start();

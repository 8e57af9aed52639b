// call-api process: read config, build the API, listen; close gracefully on SIGTERM/SIGINT. No top-level await: the
// process runs this compiled to CommonJS (see packages/local-stack/src/build-services.ts).
import closeWithGrace from 'close-with-grace';
import { createCallApi } from './app.ts';
import { loadConfig } from './config.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const api = await createCallApi(config, { logger: { level: config.LOG_LEVEL } });

  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) api.app.log.error({ err }, 'closing after an error');
    else api.app.log.info({ signal }, 'closing');
    await api.stop();
  });

  await api.start();
  await api.app.listen({ host: config.HOST, port: config.PORT });
}

// As a failed top-level await would: the error and its stack on stderr, exit code 1.
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

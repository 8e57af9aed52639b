// `npm run build`: compiles call-api and queue-worker to packages/<service>/dist/server.js (with source maps).
import { buildServices } from '../build-services.ts';

const started = performance.now();
const built = await buildServices();
const took = Math.round(performance.now() - started);
for (const { output, bytes } of built) console.log(`[build] ${output} (${Math.round(bytes / 1024)} KiB)`);
console.log(`[build] done in ${took} ms`);

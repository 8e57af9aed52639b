// The HTTP ceiling's target: a Fastify server whose POST /call parses the JSON body and answers 202 without any work.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/call', async (_request, reply) => reply.code(202).send({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
// The parent waits for this line before loading.
console.log('ready');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

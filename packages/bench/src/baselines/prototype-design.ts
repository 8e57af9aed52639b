// The design Switchboard replaces (the NestJS prototype's call service), rebuilt on Fastify as a baseline for the bench:
// per request, await one INSERT into `calls`, then await `producer.send` of the call to Kafka. Nothing ties the two: a
// crash or a Kafka outage between them leaves a stored call that no consumer ever hears of (what the outbox prevents).
// Run by the bench as its own process (prototype-baseline.ts), on the same PostgreSQL and Kafka as the services.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import postgres from 'postgres';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const topic = required('PROTOTYPE_TOPIC');
// The rows' destination: no queue behind it (calls has no foreign key there), so they never count as POST /call's.
const destinationId = required('PROTOTYPE_DESTINATION_ID');
// The prototype's ORM pool held 10 connections, as many as call-api's own pool by default (DB_POOL_MAX).
const sql = postgres(required('DATABASE_URL'), { max: 10, onnotice: () => {}, connection: { application_name: 'prototype-design' } });
const kafka = new Kafka({ brokers: required('KAFKA_BROKERS').split(','), clientId: 'prototype-design', logLevel: logLevel.WARN });
// KafkaJS's defaults, as the prototype had them: acks from all in-sync replicas, not idempotent.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();

type CallBody = { from: string; to: string; language: string; type?: 'queue' | 'ring_group' };
const text = { type: 'string', minLength: 1, maxLength: 64 };
const body = {
  type: 'object',
  required: ['from', 'to', 'language'],
  properties: { from: text, to: text, language: text, type: { enum: ['queue', 'ring_group'] } },
};

const app = Fastify({ logger: false });
app.post<{ Body: CallBody }>('/call', { schema: { body } }, async (request, reply) => {
  const { from, to, language, type = 'queue' } = request.body;
  const [call] = await sql`
    insert into calls (id, "from", "to", language, type, destination_id, destination_name, destination_number)
    values (${randomUUID()}, ${from}, ${to}, ${language}, ${type}, ${destinationId}, 'prototype design', ${to})
    returning id, "from", "to", language, type, status, created_at`;
  await producer.send({ topic, messages: [{ key: call!.id as string, value: JSON.stringify(call) }] });
  return reply.code(201).send(call);
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
// The parent waits for this line before loading.
console.log('ready');
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await producer.disconnect().catch(() => {});
    await sql.end({ timeout: 5 });
    process.exit(0);
  })();
});

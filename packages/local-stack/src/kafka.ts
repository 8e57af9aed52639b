// Runs Apache Kafka as one KRaft node (broker + controller) from the Maven Central jars, on 127.0.0.1 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { checkJava, ensureKafkaJars, javaCommand, kafkaVersion } from './kafka-jars.ts';
import { portInUse, terminate, waitForExit } from './process.ts';

export type LocalKafkaOptions = {
  /** Holds server.properties, the KRaft log dirs and kafka.out; reused as is when already formatted. */
  dataDir: string;
  port: number;
  controllerPort: number;
  /** Partitions of topics created without a count. */
  partitions?: number;
  heap?: string;
  log?: (line: string) => void;
};

/** A running Kafka node that a fault test can take down and bring back on the same ports with the same data. */
export type LocalKafka = {
  brokers: string[];
  version: string;
  /** Milliseconds from spawning the JVM to a KafkaJS admin listing topics, for the last start. */
  lastStartMs: number;
  readonly running: boolean;
  /** The JVM's process id while it runs, when this process started it (the bench measures its CPU). */
  readonly pid?: number | undefined;
  /** Stops the JVM (controlled shutdown, SIGKILL after 20 s); the data stays. */
  stop(): Promise<void>;
  /** Starts the JVM again if stopped, same ports and data; resolves when clients can connect. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Freezes the JVM (SIGSTOP): connections stay open and nothing answers, as in a network partition or a long GC pause. */
  pause(): Promise<void>;
  /** Thaws it (SIGCONT). */
  resume(): Promise<void>;
};

const readyTimeoutMs = 90_000;

function serverProperties({ dataDir, port, controllerPort, partitions = 6 }: LocalKafkaOptions): string {
  return [
    '# Written by @switchboard/local-stack on every start; edits are overwritten.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dataDir, 'kraft-logs')}`,
    `num.partitions=${partitions}`,
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    // One node: 50 partitions of __consumer_offsets only slow the first consumer group down.
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=6',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics are created on purpose (ensureTopics), so a typo in a topic name fails instead of creating a new topic.
    'auto.create.topics.enable=false',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

const log4jProperties = [
  '# Kafka logs warnings and above to stdout, which local-stack writes to kafka.out.',
  'status = warn',
  'appender.out.type = Console',
  'appender.out.name = OUT',
  'appender.out.layout.type = PatternLayout',
  'appender.out.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = warn',
  'rootLogger.appenderRef.out.ref = OUT',
  'logger.started.name = kafka.server.KafkaRaftServer',
  'logger.started.level = info',
  '',
].join('\n');

/**
 * A KRaft cluster id: 16 random bytes in URL-safe base64, as `kafka-storage random-uuid` prints. Like Kafka's own
 * Uuid.randomUuid, never one that starts with '-': the storage tool would read it as an option (1 start in 64 failed).
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Runs a JVM to completion, returning its exit code and output. */
function runJava(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(javaCommand(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Resolves when a KafkaJS admin can connect and list topics, i.e. the broker has joined its own controller. */
export async function waitForKafka(brokers: string[], timeoutMs: number, isDead: () => string | undefined): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'local-stack-ready', logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt yet';
  while (Date.now() < deadline) {
    const dead = isDead();
    if (dead) throw new Error(dead);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Kafka on ${brokers.join(',')} did not answer within ${timeoutMs / 1000} s (last error: ${lastError})`);
}

const liveJvms = new Set<ChildProcess>();
// The JVM runs in its own process group (so a terminal's Ctrl-C reaches us first and we stop things in order);
// if this process exits without stopping it, take it down anyway rather than leave an orphan holding the ports.
process.on('exit', () => {
  for (const jvm of liveJvms) jvm.kill('SIGKILL');
});

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const { dataDir, port, controllerPort, heap = '512m', log } = options;
  await checkJava();
  const libs = await ensureKafkaJars(kafkaVersion);
  await mkdir(dataDir, { recursive: true });
  const propertiesFile = join(dataDir, 'server.properties');
  const log4jFile = join(dataDir, 'log4j2.properties');
  await writeFile(propertiesFile, serverProperties(options));
  await writeFile(log4jFile, log4jProperties);
  const classpath = `${libs}/*`;

  if (!(await exists(join(dataDir, 'kraft-logs', 'meta.properties')))) {
    const formatted = await runJava(['-Xmx256m', '-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId(), '-c', propertiesFile]);
    if (formatted.code !== 0) throw new Error(`formatting Kafka storage in ${dataDir} failed (exit ${formatted.code}):\n${formatted.output.slice(-3000)}`);
  }

  const brokers = [`127.0.0.1:${port}`];
  let jvm: ChildProcess | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const launch = async (): Promise<void> => {
    for (const p of [port, controllerPort]) {
      if (await portInUse(p)) throw new Error(`Kafka cannot listen on 127.0.0.1:${p}: the port is taken (another Kafka or an earlier run still running?)`);
    }
    const started = performance.now();
    const out = createWriteStream(join(dataDir, 'kafka.out'), { flags: 'a' });
    const recent: string[] = [];
    const child = spawn(
      javaCommand(),
      [
        `-Xmx${heap}`, '-Xms128m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', classpath, 'kafka.Kafka', propertiesFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    jvm = child;
    liveJvms.add(child);
    const onOutput = (chunk: Buffer) => {
      out.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        recent.push(line);
        if (recent.length > 30) recent.shift();
        log?.(line);
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    let spawnError: Error | undefined;
    child.once('error', (e) => (spawnError = e));
    child.once('exit', () => {
      liveJvms.delete(child);
      out.end();
    });
    try {
      await waitForKafka(brokers, readyTimeoutMs, () =>
        spawnError || child.exitCode !== null || child.signalCode !== null
          ? `Kafka exited while starting (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}); last output (all of it in ${join(dataDir, 'kafka.out')}):\n${recent.join('\n')}`
          : undefined,
      );
    } catch (error) {
      await terminate(child, 5_000);
      throw error;
    }
    handle.lastStartMs = Math.round(performance.now() - started);
  };

  const isRunning = () => jvm !== undefined && jvm.exitCode === null && jvm.signalCode === null;

  const handle: LocalKafka = {
    brokers,
    version: kafkaVersion,
    lastStartMs: 0,
    get running() {
      return isRunning();
    },
    get pid() {
      return isRunning() ? jvm!.pid : undefined;
    },
    async stop() {
      if (starting) await starting.catch(() => {});
      if (!isRunning()) return;
      stopping ??= (async () => {
        const child = jvm!;
        // Controlled shutdown takes a couple of seconds; a wedged JVM gets SIGKILL.
        await terminate(child, 20_000);
        await waitForExit(child, 5_000);
      })().finally(() => (stopping = undefined));
      await stopping;
    },
    async start() {
      if (stopping) await stopping;
      if (isRunning()) return;
      starting ??= launch().finally(() => (starting = undefined));
      await starting;
    },
    async restart() {
      await handle.stop();
      await handle.start();
    },
    async pause() {
      if (!isRunning()) throw new Error('Kafka is not running');
      jvm!.kill('SIGSTOP');
    },
    async resume() {
      if (jvm && jvm.exitCode === null) jvm.kill('SIGCONT');
    },
  };
  await handle.start();
  return handle;
}

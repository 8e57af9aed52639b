// KafkaJS client factory and idempotent topic setup.
import { Kafka, logLevel, type ITopicConfig, type LogEntry } from 'kafkajs';

export type KafkaOptions = {
  brokers: string[];
  clientId: string;
  /** Where KafkaJS's own log lines go; defaults to nowhere below warn. */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
};

const levelNames = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' } as const;

export function createKafka({ brokers, clientId, log }: KafkaOptions): Kafka {
  return new Kafka({
    brokers,
    clientId,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...extra } = entry;
        if (log) log(levelNames[level as keyof typeof levelNames] ?? 'info', message, extra);
      },
  });
}

export type TopicSpec = { topic: string; partitions?: number };

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[], defaults: { partitions: number } = { partitions: 6 }): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = topics
      .filter((t) => !existing.has(t.topic))
      .map((t) => ({ topic: t.topic, numPartitions: t.partitions ?? defaults.partitions, replicationFactor: -1 }));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

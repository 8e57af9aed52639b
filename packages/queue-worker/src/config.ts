// queue-worker's settings, read from the environment once at start.
import { z } from 'zod';
import { commonEnv, parseEnv } from '@switchboard/contracts';

export const QueueWorkerEnv = z.object({
  ...commonEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  CONSUMER_GROUP: z.string().min(1).default('queue-worker'),
  /** How long a silent worker keeps its partitions: after a crash, its routing domains wait this long for another worker. */
  CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).default(10_000),
  DB_POOL_MAX: z.coerce.number().int().min(1).default(5),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).default(1_000),
});
export type QueueWorkerConfig = z.infer<typeof QueueWorkerEnv>;

export const loadConfig = (env: Record<string, string | undefined> = process.env): QueueWorkerConfig => parseEnv(QueueWorkerEnv, env);

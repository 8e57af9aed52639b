// call-api's settings, read from the environment once at start.
import { z } from 'zod';
import { commonEnv, parseEnv } from '@switchboard/contracts';

export const CallApiEnv = z.object({
  ...commonEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(256).default(16_384),
  DB_POOL_MAX: z.coerce.number().int().min(1).default(10),
  /** Concurrent POST /call requests are committed together: at most this many per transaction… */
  INTAKE_MAX_BATCH: z.coerce.number().int().min(1).default(256),
  /**
   * …and at most this many transactions at once. (One gave larger batches and a better rate in short runs, 1,162 calls/s
   * against 900 at four, but not in the full benchmark, 1,095 against 1,188, where it let the 2,000/s overload reach the
   * worker whole: see the README's Benchmark.)
   */
  INTAKE_MAX_CONCURRENT: z.coerce.number().int().min(1).default(4),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).default(1_000),
  /** A call still `received` this long after its routing request was sent has it sent again, then every twice as long. */
  CALL_REQUEST_RESEND_AFTER_MS: z.coerce.number().int().min(100).default(5_000),
  /** How long an answer, decline, hang-up or status change waits for the owning worker's decision before a 503. */
  ROUTING_DECISION_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** GET /events: how often the instance's reader looks for new events in PostgreSQL while a stream is open. */
  EVENTS_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(250),
  /** GET /events: a heartbeat comment this often on every stream, so proxies keep idle streams open. */
  EVENTS_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  /** GET /events: a live stream whose unsent bytes exceed this is ended (the client resumes with Last-Event-ID). */
  EVENTS_CLIENT_BUFFER_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),
});
export type CallApiConfig = z.infer<typeof CallApiEnv>;

export const loadConfig = (env: Record<string, string | undefined> = process.env): CallApiConfig => parseEnv(CallApiEnv, env);

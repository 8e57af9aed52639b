// Environment variables shared by the services, and the one parser that reads them at start.
import { z } from 'zod';
import { defaultTopics } from './topics.ts';

const brokers = z
  .string()
  .min(1)
  .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each broker must be host:port')).min(1));

export const commonEnv = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  KAFKA_BROKERS: brokers,
  KAFKA_CLIENT_ID: z.string().min(1).default('switchboard'),
  TOPIC_ROUTING_INPUTS: z.string().min(1).default(defaultTopics.routingInputs),
  TOPIC_ROUTING_INPUTS_DLQ: z.string().min(1).default(defaultTopics.routingInputsDlq),
  TOPIC_CALL_EVENTS: z.string().min(1).default(defaultTopics.callEvents),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** The longest the outbox relay holds a claim's transaction open waiting for Kafka's ack (under the 10 s idle-in-transaction bound). */
  OUTBOX_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(9_000).default(5_000),
  /** Slow clients: the request line and headers must arrive within this… */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** …the whole request (body too) within this (at least the headers' timeout)… */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** …and an idle keep-alive connection is closed after this (above the 60 s idle timeout of common load balancers). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(72_000),
  /** How long a looked-up API key is reused before it is looked up again (a deleted key works this long at most). */
  AUTH_KEY_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
  /** Requests per second per API key (per client address without one)… */
  RATE_LIMIT_PER_SECOND: z.coerce.number().int().positive().default(50),
  /** …and per `edge` or `admin` key, which carry a whole site's calls. */
  RATE_LIMIT_EDGE_PER_SECOND: z.coerce.number().int().positive().default(5_000),
  /** Requests per second per client address that fail authentication (no key, an unknown one); past it, 429 without a lookup. */
  RATE_LIMIT_AUTH_FAILURES_PER_SECOND: z.coerce.number().int().positive().default(20),
};

export class EnvError extends Error {
  constructor(readonly issues: { variable: string; reason: string }[]) {
    super(`invalid environment:\n${issues.map((i) => `  ${i.variable}: ${i.reason}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Parses the environment once, at start; the error names every bad variable and why. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(root)'),
      reason: issue.code === 'invalid_type' && issue.input === undefined ? 'is required but not set' : issue.message,
    })),
  );
}

// What a load run does (agents, load, durations, seed) and where it runs (API, Kafka, keys), with the defaults.

export interface LoadSettings {
  /** Simulated agents, all members of the load test's queue. */
  readonly agents: number;
  /** λ, calls per second (Poisson). */
  readonly arrivalRate: number;
  /** Mean of the exponential talk time, from the answer to the agent's hang-up. */
  readonly meanTalkSec: number;
  /** How long an agent lets a ring go before answering. */
  readonly answerDelaySec: number;
  /** Calls arriving in this first stretch are handled but not measured: the run starts empty, the formula does not. */
  readonly warmUpSec: number;
  /** The measured stretch of arrivals, after the warm-up. */
  readonly durationSec: number;
  /** The service level's threshold: the share of calls that waited at most this long. */
  readonly serviceLevelSec: number;
  /** Batches for the batch-means confidence ranges. */
  readonly batches: number;
  /** Seeds the arrival times and talk times, so a run's load is replayed exactly. */
  readonly seed: number;
  /** How long an unanswered ring lasts (far longer than the answer delay: a ring should never time out). */
  readonly ringTimeoutSec: number;
  /** After the last arrival, how long calls may take to end before the run gives up on them. */
  readonly drainTimeoutSec: number;
}

export interface Target {
  /** call-api's base URL. */
  readonly apiUrl: string;
  /** Creates the queue and agents. */
  readonly adminKey: string;
  /** Posts calls and answers and hangs up for the agents, as the telephony edge. */
  readonly edgeKey: string;
  readonly kafkaBrokers: readonly string[];
  /** The `call-events` topic the agents learn their rings from. */
  readonly callEventsTopic: string;
  /** Routing domain of the load test's queue and agents (created when new), apart from the demo's. */
  readonly domain: string;
}

export const defaultLoad = {
  // 20 agents at ρ = 0.85: Erlang C says 38% of calls wait, 2.7 s on average; about 490 calls in 10 minutes.
  agents: 20,
  utilization: 0.85,
  meanTalkSec: 20,
  answerDelaySec: 1,
  // The queue's length drifts back to its mean over ~3 minutes at this load (≈ ĥ / (c·(1 − √ρ)²)): the warm-up lets the
  // empty start fade, and batches of 100 s are still correlated a little (the report prints by how much).
  warmUpSec: 120,
  durationSec: 600,
  serviceLevelSec: 20,
  batches: 6,
  seed: 1,
  ringTimeoutSec: 15,
} as const;

/**
 * The arrival rate that loads `agents` to `utilization`, counting the answer delay as part of the handle time (an agent
 * is taken from the ring on). The system's own latency (ring to the agent's Kafka reader, the answer's round trip) adds
 * a little more; the report computes Erlang C at the load it measured too.
 */
export function arrivalRateFor(utilization: number, agents: number, meanTalkSec: number, answerDelaySec: number): number {
  return (utilization * agents) / (meanTalkSec + answerDelaySec);
}

export const defaultTarget = {
  apiUrl: 'http://127.0.0.1:3000',
  kafkaBrokers: ['127.0.0.1:9092'],
  callEventsTopic: 'call-events',
  domain: 'loadtest',
} as const;

// The run's calls, drawn before it starts from one seed (Poisson arrivals, exponential talk times), then posted to
// `POST /call` on schedule as the telephony edge would.
import { randomUUID } from 'node:crypto';
import { createRandom, type RandomSource } from '@switchboard/routing';
import type { ApiAnswer, ApiClient } from './api-client.ts';

export interface PlannedCall {
  readonly index: number;
  /** Seconds after the run's start. */
  readonly atSec: number;
  readonly talkSec: number;
  /** False for the warm-up's calls. */
  readonly measured: boolean;
}

const exponential = (random: RandomSource, mean: number) => -Math.log(1 - random.next()) * mean;

export function planCalls(options: { arrivalRate: number; meanTalkSec: number; warmUpSec: number; durationSec: number; seed: number }): PlannedCall[] {
  // Separate streams, as the simulator's: a different talk time never shifts the arrivals.
  const arrivals = createRandom(options.seed);
  const talk = createRandom(options.seed ^ 0x9e3779b9);
  const end = options.warmUpSec + options.durationSec;
  const calls: PlannedCall[] = [];
  for (let at = exponential(arrivals, 1 / options.arrivalRate); at < end; at += exponential(arrivals, 1 / options.arrivalRate)) {
    calls.push({ index: calls.length, atSec: at, talkSec: exponential(talk, options.meanTalkSec), measured: at >= options.warmUpSec });
  }
  return calls;
}

export interface PostedCall extends PlannedCall {
  readonly callId: string;
}

/**
 * Posts each call at its time (from `startedAt`, performance.now()), without waiting for earlier answers. A call whose
 * POST fails is posted again with the same Idempotency-Key, so a retry never makes two calls.
 */
export async function postCalls(
  edge: ApiClient,
  plan: readonly PlannedCall[],
  queueNumber: string,
  startedAt: number,
  onPosted: (call: PostedCall) => void,
): Promise<{ posted: PostedCall[]; refused: string[] }> {
  const posted: PostedCall[] = [];
  const refused: string[] = [];
  const inFlight: Promise<void>[] = [];
  for (const call of plan) {
    const wait = startedAt + call.atSec * 1_000 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      postOne(edge, call, queueNumber).then(
        (callId) => {
          const done = { ...call, callId };
          posted.push(done);
          onPosted(done);
        },
        (error: unknown) => void refused.push(`call ${call.index}: ${error instanceof Error ? error.message : String(error)}`),
      ),
    );
  }
  await Promise.all(inFlight);
  posted.sort((a, b) => a.index - b.index);
  return { posted, refused };
}

async function postOne(edge: ApiClient, call: PlannedCall, queueNumber: string): Promise<string> {
  const key = randomUUID();
  const body = { from: `+1555${String(call.index).padStart(7, '0')}`, to: queueNumber, language: 'en', metadata: { loadtest: { index: call.index } } };
  for (let attempt = 1; ; attempt++) {
    let answer: ApiAnswer<{ id: string }> | undefined;
    try {
      answer = await edge.request<{ id: string }>('POST', '/call', body, { 'idempotency-key': key });
    } catch (error) {
      if (attempt >= 5) throw error;
    }
    if (answer?.status === 202) return answer.body.id;
    // A lost connection, a 429 or a 5xx: again with the same key. Anything else is the run's mistake.
    const retryable = answer === undefined || answer.status === 429 || answer.status >= 500;
    if (!retryable || attempt >= 5) throw new Error(`POST /call: ${answer?.status} ${JSON.stringify(answer?.body)} (attempt ${attempt})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// A deterministic M/M/c run of the engine on a virtual clock: Poisson arrivals, exponential talk, c agents, one queue.
import type { RoutingCommand } from '../commands.ts';
import { decide } from '../decide.ts';
import type { RoutingInput } from '../inputs.ts';
import { createRandom, type RandomSource } from '../random.ts';
import { createRoutingState, type RoutingState } from '../state.ts';
import type { QueueStrategy } from '../vocabulary.ts';
import { batchMeansInterval } from './batch-means.ts';
import { EventHeap, type ScheduledInput } from './event-heap.ts';

export interface SimulationOptions {
  readonly agents: number;
  /** λ, calls per second. */
  readonly arrivalRate: number;
  /** μ, calls per second one agent completes (1 / mean talk time). */
  readonly serviceRate: number;
  /** Calls measured, after the warm-up. */
  readonly calls: number;
  /** Calls discarded first, so the empty start does not bias the result. */
  readonly warmUpCalls?: number;
  readonly seed: number;
  readonly strategy?: QueueStrategy;
  /** Wrap-up after each call, seconds (0 when left out): the agent takes no call meanwhile. */
  readonly wrapUpSec?: number;
  /** Talk times: exponential with rate `serviceRate` unless given (a test of less variable handle times, M/G/c). */
  readonly talkTimeSec?: (random: RandomSource) => number;
  /**
   * Called after each decision with the state it left and its commands, before they are carried out (a test reads a
   * waiting call's position there, as the worker does when it stores the decision).
   */
  readonly onDecision?: (decision: { readonly state: RoutingState; readonly commands: readonly RoutingCommand[]; readonly now: number }) => void;
}

export interface SimulationResult {
  readonly calls: number;
  readonly probabilityOfWaiting: number;
  readonly meanWaitSec: number;
  /** Half-widths of 95% confidence intervals by batch means (waits of nearby calls are correlated, so not by call). */
  readonly probabilityOfWaitingHalfWidth: number;
  readonly meanWaitHalfWidth: number;
  /** Inputs given to `decide`, warm-up included. */
  readonly decisions: number;
  readonly virtualSeconds: number;
}

function exponential(random: RandomSource, rate: number): number {
  return -Math.log(1 - random.next()) / rate;
}

export function simulateQueue(options: SimulationOptions): SimulationResult {
  const { agents, arrivalRate, serviceRate, calls, seed } = options;
  const warmUpCalls = options.warmUpCalls ?? 0;
  const totalCalls = warmUpCalls + calls;
  const agentIds = Array.from({ length: agents }, (_, index) => `a${index}`);
  const state = createRoutingState({
    agents: agentIds.map((id) => ({ id, languages: ['en'], state: 'available' })),
    queues: [{ id: 'q', strategy: options.strategy ?? 'longest_idle', wrapUpSec: options.wrapUpSec ?? 0, members: agentIds.map((agentId) => ({ agentId })) }],
  });
  // Separate streams: the engine's picks must not shift the arrival and talk-time samples.
  const engineRandom = createRandom(seed);
  const worldRandom = createRandom(seed ^ 0x9e3779b9);
  const agenda = new EventHeap();
  const liveTimers = new Map<string, ScheduledInput>();
  const arrivedAt = new Map<string, number>();
  let arrivals = 0;
  let measured = 0;
  let waited = 0;
  let totalWait = 0;
  const batchCount = 20;
  const batchSize = Math.max(1, Math.floor(calls / batchCount));
  const batchWaited = new Float64Array(batchCount);
  const batchWait = new Float64Array(batchCount);
  let decisions = 0;
  let now = 0;

  const arrive = (at: number) =>
    agenda.push(at, { type: 'call_arrived', call: { id: `c${arrivals}`, destination: { kind: 'queue', id: 'q' }, language: 'en' } });

  const run = (input: RoutingInput): void => {
    decisions++;
    const { commands } = decide(state, input, { now, random: engineRandom });
    options.onDecision?.({ state, commands, now });
    for (const command of commands) {
      if (command.type === 'set_timer') liveTimers.set(command.key, agenda.push(command.at, command.input, command.key));
      else if (command.type === 'cancel_timer') liveTimers.delete(command.key);
      else if (command.type === 'ring') {
        // Agents answer at once: the call waited exactly as long as it took an agent to be free.
        run({ type: 'agent_answered', callId: command.callId, agentId: command.agentIds[0]! });
      } else if (command.type === 'connect') {
        const index = Number(command.callId.slice(1));
        const wait = now - arrivedAt.get(command.callId)!;
        arrivedAt.delete(command.callId);
        if (index >= warmUpCalls) {
          const batch = Math.min(batchCount - 1, Math.floor(measured / batchSize));
          measured++;
          totalWait += wait;
          batchWait[batch]! += wait;
          if (wait > 0) {
            waited++;
            batchWaited[batch]!++;
          }
        }
        const talk = options.talkTimeSec ? options.talkTimeSec(worldRandom) : exponential(worldRandom, serviceRate);
        agenda.push(now + talk, { type: 'call_ended', callId: command.callId, by: 'agent' });
      }
    }
  };

  arrive(exponential(worldRandom, arrivalRate));
  for (let entry = agenda.pop(); entry && measured < calls; entry = agenda.pop()) {
    if (entry.timerKey !== undefined && liveTimers.get(entry.timerKey) !== entry) continue;
    if (entry.timerKey !== undefined) liveTimers.delete(entry.timerKey);
    now = entry.at;
    if (entry.input.type === 'call_arrived') {
      arrivedAt.set(entry.input.call.id, now);
      arrivals++;
      if (arrivals < totalCalls) arrive(now + exponential(worldRandom, arrivalRate));
    }
    run(entry.input);
  }
  const sizes = Array.from({ length: batchCount }, (_, batch) => (batch < batchCount - 1 ? batchSize : measured - batchSize * (batchCount - 1)));
  return {
    calls: measured,
    probabilityOfWaiting: waited / measured,
    meanWaitSec: totalWait / measured,
    probabilityOfWaitingHalfWidth: batchMeansInterval(sizes.map((size, batch) => batchWaited[batch]! / size)).halfWidth,
    meanWaitHalfWidth: batchMeansInterval(sizes.map((size, batch) => batchWait[batch]! / size)).halfWidth,
    decisions,
    virtualSeconds: now,
  };
}

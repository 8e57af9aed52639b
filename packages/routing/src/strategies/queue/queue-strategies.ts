// Every queue strategy by its name in DOMAIN.md.
import type { QueueStrategy } from '../../vocabulary.ts';
import { fewestCalls } from './fewest-calls.ts';
import { leastTalkTime } from './least-talk-time.ts';
import { longestIdle } from './longest-idle.ts';
import type { QueueStrategyPick } from './queue-strategy.ts';
import { randomMember } from './random.ts';
import { ringAll } from './ring-all.ts';
import { roundRobin } from './round-robin.ts';
import { topDown } from './top-down.ts';
import { weightedRandom } from './weighted-random.ts';

export const queueStrategyPicks: Readonly<Record<QueueStrategy, QueueStrategyPick>> = {
  ring_all: ringAll,
  longest_idle: longestIdle,
  round_robin: roundRobin,
  top_down: topDown,
  fewest_calls: fewestCalls,
  least_talk_time: leastTalkTime,
  random: randomMember,
  weighted_random: weightedRandom,
};

// weighted_random: Asterisk's wrandom. Each member draws a number below (1 + penalty) × 1000 and the lowest rings, so a
// higher penalty rings less often: penalties 0 and 1 split the calls 75/25, 0, 1 and 3 about 67/23/10.
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

// apps/app_queue.c calc_metric(): `tmp->metric = ast_random() % ((1 + penalty) * 1000)`; equal draws go to the first
// member in queue order, as find_best() keeps the first of equal metrics.
export const weightedRandom: QueueStrategyPick = (candidates, { random }) =>
  pickLowest(candidates, ({ member }) => Math.floor(random.next() * (1 + member.penalty) * 1000));

// weighted_random: random with the penalty as weight, like Asterisk's wrandom: weight 1/(1+penalty), so penalty 0 rings most.
import type { QueueStrategyPick } from './queue-strategy.ts';

export const weightedRandom: QueueStrategyPick = (candidates, { random }) => {
  const weights = candidates.map(({ member }) => 1 / (1 + member.penalty));
  let target = random.next() * weights.reduce((sum, weight) => sum + weight, 0);
  for (const [index, candidate] of candidates.entries()) {
    target -= weights[index]!;
    if (target < 0) return [candidate];
  }
  // Rounding can leave a sliver past the last weight.
  return candidates.length ? [candidates[candidates.length - 1]!] : [];
};

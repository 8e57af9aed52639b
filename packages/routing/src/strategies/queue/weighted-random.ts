// weighted_random: random with the penalty as weight, like Asterisk's wrandom: weight 1/(1+penalty), so penalty 0 rings most.
import { inMemberOrder, type QueueStrategyPick } from './queue-strategy.ts';

export const weightedRandom: QueueStrategyPick = (candidates, { random }) => {
  const ordered = inMemberOrder(candidates);
  const weights = ordered.map(({ member }) => 1 / (1 + member.penalty));
  let target = random.next() * weights.reduce((sum, weight) => sum + weight, 0);
  for (const [index, candidate] of ordered.entries()) {
    target -= weights[index]!;
    if (target < 0) return [candidate];
  }
  // Rounding can leave a sliver past the last weight.
  return ordered.length ? [ordered[ordered.length - 1]!] : [];
};

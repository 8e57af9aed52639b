// random: any free eligible member, each equally likely.
import type { QueueStrategyPick } from './queue-strategy.ts';

export const randomMember: QueueStrategyPick = (candidates, { random }) => {
  const chosen = candidates[Math.floor(random.next() * candidates.length)];
  return chosen ? [chosen] : [];
};

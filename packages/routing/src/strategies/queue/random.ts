// random: any free eligible member, each equally likely.
import { inMemberOrder, type QueueStrategyPick } from './queue-strategy.ts';

export const randomMember: QueueStrategyPick = (candidates, { random }) => {
  const ordered = inMemberOrder(candidates);
  const chosen = ordered[Math.floor(random.next() * ordered.length)];
  return chosen ? [chosen] : [];
};

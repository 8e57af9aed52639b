// round_robin: the next member in queue order after the member who answered the queue's last call.
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

export const roundRobin: QueueStrategyPick = (candidates, { queue }) => {
  const count = queue.memberOrder.length;
  const last = queue.lastAnsweredAgentId === null ? -1 : (queue.members.get(queue.lastAnsweredAgentId)?.order ?? -1);
  // Distance forward from the last answerer, wrapping: the member right after it scores 0.
  return pickLowest(candidates, ({ member }) => (member.order - last - 1 + count) % count);
};

// round_robin: the next member in queue order after the member last rung for any of the queue's calls, answered or not
// (Asterisk's rrmemory, FreeSWITCH's round-robin); within the lowest tier that has a free member.
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

export const roundRobin: QueueStrategyPick = (candidates, { queue }) => {
  const count = queue.memberOrder.length;
  const last = queue.lastRungAgentId === null ? -1 : (queue.members.get(queue.lastRungAgentId)?.order ?? -1);
  // Distance forward from the member last rung, wrapping: the member right after it scores 0.
  return pickLowest(candidates, ({ member }) => (member.order - last - 1 + count) % count);
};

// top_down: always the first free member by tier, then position (the same members take most calls, by design).
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

export const topDown: QueueStrategyPick = (candidates) => pickLowest(candidates, ({ member }) => member.order);

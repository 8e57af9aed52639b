// fewest_calls: the member who has answered the fewest calls so far.
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

export const fewestCalls: QueueStrategyPick = (candidates) => pickLowest(candidates, ({ agent }) => agent.callsAnswered);

// least_talk_time: the member with the least total talk time so far.
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

export const leastTalkTime: QueueStrategyPick = (candidates) => pickLowest(candidates, ({ agent }) => agent.talkTimeSec);

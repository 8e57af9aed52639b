// longest_idle: the member whose last call ended longest ago (or, with no call yet, who became available first).
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

export const longestIdle: QueueStrategyPick = (candidates) =>
  pickLowest(candidates, ({ agent }) => agent.lastCallEndedAt ?? agent.availableSince);

// longest_idle: the member whose last call ended longest ago; members who never took a call go first.
import { pickLowest, type QueueStrategyPick } from './queue-strategy.ts';

/**
 * A member with no call yet has been idle longest, as Asterisk's leastrecent (metric 0 without a last call) and
 * FreeSWITCH's longest-idle-agent (last_bridge_end 0) have it; among them, who became available first (where both
 * anchors take list order), so that nobody logs in early only to wait behind a late one.
 */
export const longestIdle: QueueStrategyPick = (candidates) => {
  const neverCalled = candidates.filter(({ agent }) => agent.lastCallEndedAt === null);
  if (neverCalled.length) return pickLowest(neverCalled, ({ agent }) => agent.availableSince);
  return pickLowest(candidates, ({ agent }) => agent.lastCallEndedAt!);
};

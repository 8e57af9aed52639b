// ring_all: every free eligible member rings at once; the first to answer takes the call.
import type { QueueStrategyPick } from './queue-strategy.ts';

export const ringAll: QueueStrategyPick = (candidates) => candidates;

// The engine's own copies of the enums never drift from the contracts, which stay the single source of truth.
import { agentStates, callStatuses, queueStrategies, ringGroupStrategies } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import * as routing from '../src/index.ts';

describe('vocabulary matches @switchboard/contracts', () => {
  it.each([
    ['queueStrategies', routing.queueStrategies, queueStrategies],
    ['ringGroupStrategies', routing.ringGroupStrategies, ringGroupStrategies],
    ['agentStates', routing.agentStates, agentStates],
    ['callStatuses', routing.callStatuses, callStatuses],
  ] as const)('%s', (_, ours, theirs) => {
    expect([...ours]).toEqual([...theirs]);
  });
});

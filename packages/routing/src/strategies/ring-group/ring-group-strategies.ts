// Every ring-group strategy by its name in DOMAIN.md.
import type { RingGroupStrategy } from '../../vocabulary.ts';
import { firstAvailable } from './first-available.ts';
import { hunt } from './hunt.ts';
import { memoryHunt } from './memory-hunt.ts';
import { randomMember } from './random.ts';
import { ringAll } from './ring-all.ts';
import type { RingGroupStep } from './ring-group-strategy.ts';
import { roundRobin } from './round-robin.ts';

export const ringGroupSteps: Readonly<Record<RingGroupStrategy, RingGroupStep>> = {
  ring_all: ringAll,
  hunt,
  memory_hunt: memoryHunt,
  round_robin: roundRobin,
  random: randomMember,
  first_available: firstAvailable,
};

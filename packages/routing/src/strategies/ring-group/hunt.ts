// hunt: one member at a time, in list order from member 1, each for the ring timeout.
import { nextInTurn, type RingGroupStep } from './ring-group-strategy.ts';

export const hunt: RingGroupStep = (context) => nextInTurn(context, 0);

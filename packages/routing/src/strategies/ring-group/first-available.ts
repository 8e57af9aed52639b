// first_available: rings only the first member who is available, skipping the others; no answer fails over.
import type { RingGroupStep } from './ring-group-strategy.ts';

export const firstAvailable: RingGroupStep = ({ group, call, isFree }) => {
  // One step only, like FreePBX's firstavailable: hunting on is what `hunt` is for.
  if (call.groupCursor !== -1) return [];
  call.groupCursor = 0;
  const chosen = group.memberIds.find(isFree);
  return chosen === undefined ? [] : [chosen];
};

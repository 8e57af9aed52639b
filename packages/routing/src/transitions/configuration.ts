// The configuration changed under a live state (restored with the new one): settle what it broke, then let agents work.
import { dispatchAvailableAgents } from '../agent-dispatch.ts';
import { failUnknownDestination, queueAt, ringGroupAt } from '../call-routing.ts';
import type { Decision, Ignored } from '../decision.ts';
import { openTiersNobodyStaffs } from '../queue-routing.ts';

/**
 * Calls waiting at a destination that no longer exists fail (`unknown_destination`); calls ringing there ring on and
 * fail when the ring ends unanswered, and answered calls go on. Tiers nobody is logged in to open for the calls waiting
 * on them (`noAgentNoWait`). Then every available agent takes the best call it may now: a member added to a queue, or
 * an agent who now speaks a language, finds the calls that waited for them.
 */
export function configurationChanged(decision: Decision): Ignored {
  const stranded = [...decision.state.calls.values()]
    .filter((call) => call.status !== 'ringing' && call.status !== 'answered' && !queueAt(decision, call) && !ringGroupAt(decision, call))
    // By arrival, not by the order the shell happened to load the calls in.
    .sort((a, b) => a.sequence - b.sequence);
  for (const call of stranded) failUnknownDestination(decision, call);
  // Members removed, or noAgentNoWait turned on: tiers nobody is logged in to any more open for the calls waiting on them.
  openTiersNobodyStaffs(decision);
  dispatchAvailableAgents(decision);
  // A tier opened at the last tier sets no timer and may cancel none: the call changed all the same.
  return decision.commands.length || decision.touched.callIds.length ? undefined : 'unchanged';
}

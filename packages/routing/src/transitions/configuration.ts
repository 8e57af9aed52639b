// The configuration changed under a live state (restored with the new one): settle what it broke, then let agents work.
import { dispatchAvailableAgents } from '../agent-dispatch.ts';
import { failUnknownDestination, queueAt, ringGroupAt } from '../call-routing.ts';
import type { Decision, Ignored } from '../decision.ts';
import { reviewTiers } from '../queue-routing.ts';

/**
 * Calls waiting at a destination that no longer exists fail (`unknown_destination`); calls ringing there ring on and
 * fail when the ring ends unanswered, and answered calls go on. Queue calls get the tiers the new configuration opens
 * for them. Then every available agent takes the best call it may now: a member added to a queue, or an agent who now
 * speaks a language, finds the calls that waited for them.
 */
export function configurationChanged(decision: Decision): Ignored {
  const stranded = [...decision.state.calls.values()]
    .filter((call) => call.status !== 'ringing' && call.status !== 'answered' && !queueAt(decision, call) && !ringGroupAt(decision, call))
    // By arrival, not by the order the shell happened to load the calls in.
    .sort((a, b) => a.sequence - b.sequence);
  for (const call of stranded) failUnknownDestination(decision, call);
  // Tiers the new configuration opens (a shorter wait, nobody logged in to a tier any more) or adds above the last.
  reviewTiers(decision);
  dispatchAvailableAgents(decision);
  // A tier opened at the last tier sets no timer and may cancel none: the call changed all the same.
  return decision.commands.length || decision.touched.callIds.length ? undefined : 'unchanged';
}

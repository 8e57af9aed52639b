// The configuration changed under a live state (restored with the new one): settle what it broke, then let agents work.
import { dispatchAvailableAgents } from '../agent-dispatch.ts';
import { failUnknownDestination, queueAt, ringGroupAt } from '../call-routing.ts';
import type { Decision, Ignored } from '../decision.ts';

/**
 * Calls waiting at a destination that no longer exists fail (`unknown_destination`); calls ringing there ring on and
 * fail when the ring ends unanswered, and answered calls go on. Then every available agent takes the best call it may
 * now: a member added to a queue, or an agent who now speaks a language, finds the calls that waited for them.
 */
export function configurationChanged(decision: Decision): Ignored {
  const stranded = [...decision.state.calls.values()]
    .filter((call) => call.status !== 'ringing' && call.status !== 'answered' && !queueAt(decision, call) && !ringGroupAt(decision, call))
    // By arrival, not by the order the shell happened to load the calls in.
    .sort((a, b) => a.sequence - b.sequence);
  for (const call of stranded) failUnknownDestination(decision, call);
  dispatchAvailableAgents(decision);
  return decision.commands.length ? undefined : 'unchanged';
}

// Where queued calls wait: a call into and out of its queue's lines, and the best waiting call an agent may take.
import type { Decision } from './decision.ts';
import { speaks } from './language.ts';
import type { AgentRecord, CallRecord, QueueRecord } from './state.ts';
import { ranksBefore, WaitingLine } from './waiting-line.ts';

/** The queue of a call known to be in one that the configuration still has. */
export function queueOf(decision: Decision, call: CallRecord): QueueRecord {
  return decision.state.queues.get(call.destination.id)!;
}

export function putInLine(queue: QueueRecord, call: CallRecord): void {
  const language = queue.requireLanguage ? call.language : null;
  const key = `${language ?? '*'}|${call.openTier}`;
  let line = queue.lines.get(key);
  if (!line) {
    line = new WaitingLine<CallRecord>(language, call.openTier);
    queue.lines.set(key, line);
  }
  line.push(call);
  queue.waiting++;
}

export function takeFromLine(queue: QueueRecord, call: CallRecord): void {
  if (!call.line) return;
  call.line.remove(call);
  queue.waiting--;
}

/**
 * The best waiting call the agent may take across its queues (rule 4). Each line's head is the best call of that line,
 * and the lines split calls by language and open tiers, so looking at heads is enough: no scan of the waiting calls.
 */
export function bestCallFor(decision: Decision, agent: AgentRecord): CallRecord | undefined {
  let best: CallRecord | undefined;
  for (const queueId of agent.queueIds) {
    const queue = decision.state.queues.get(queueId)!;
    if (queue.waiting === 0) continue;
    const member = queue.members.get(agent.id)!;
    for (const line of queue.lines.values()) {
      if (line.size === 0 || member.tier > line.openTier) continue;
      if (line.language !== null && !speaks(agent.languages, line.language)) continue;
      const head = line.peek()!;
      if (!best || ranksBefore(head, best)) best = head;
    }
  }
  return best;
}

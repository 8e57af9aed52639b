// Calls in queues: entering, being offered to members by the strategy, going back to their line, tiers opening.
import { ringAgents } from './call-lifecycle.ts';
import { cancelCallTimer, emit, setCallTimer, timerKeys, touchCall, touchQueue, type Decision } from './decision.ts';
import { speaks } from './language.ts';
import { bestCallFor, putInLine, queueOf, takeFromLine } from './queue-lines.ts';
import type { QueueCandidate } from './strategies/queue/queue-strategy.ts';
import { queueStrategyPicks } from './strategies/queue/queue-strategies.ts';
import type { AgentRecord, CallRecord, MemberRecord, QueueRecord } from './state.ts';
import { ranksBefore } from './waiting-line.ts';

/**
 * The call enters the queue: it rings a member or waits in line. Returns false when the queue is full (`maxWaiting`):
 * the call was not taken, and the caller overflows it.
 */
export function enterQueue(decision: Decision, call: CallRecord, queue: QueueRecord): boolean {
  const { now } = decision;
  call.destination = { kind: 'queue', id: queue.id };
  call.status = 'queued';
  call.queuedAt = now;
  call.openTier = queue.tierWaitSec === null ? Infinity : firstStaffedTier(decision, queue, call, 1);
  call.tried = new Set();
  emit(decision, call, { type: 'call.queued', data: { queueId: queue.id } });
  if (!offerCall(decision, call)) {
    if (queue.maxWaiting !== null && queue.waiting >= queue.maxWaiting) return false;
    putInLine(queue, call);
  }
  if (queue.maxWaitSec !== null) {
    const input = { type: 'max_wait_reached', callId: call.id, destinationId: queue.id } as const;
    setCallTimer(decision, call, timerKeys.maxWait(call.id), now + queue.maxWaitSec, input);
  }
  if (queue.tierWaitSec !== null) setNextTierTimer(decision, queue, call);
  return true;
}

/**
 * Rings the members the queue's strategy picks among the free, eligible ones. Members who let the call ring this round
 * go last: they ring again only when no one else can (a new round, which still skips `exclude`, the ones who just did).
 * `ring_all` knows no rounds: every ring rings every free, eligible member, those who let the last ring pass included
 * (Asterisk's ringall and FreeSWITCH's ring-all call everyone free at each attempt).
 * Returns false, leaving the call where it is, when nobody may ring.
 */
export function offerCall(decision: Decision, call: CallRecord, exclude: readonly string[] = []): boolean {
  const queue = queueOf(decision, call);
  const ringsAll = queue.strategy === 'ring_all';
  const fresh: QueueCandidate[] = [];
  const again: QueueCandidate[] = [];
  const consider = (member: MemberRecord, agent: AgentRecord) => {
    const candidate = mayRing(decision, queue, call, member, agent);
    if (!candidate) return;
    if (ringsAll || !call.tried.has(agent.id)) fresh.push(candidate);
    else if (!exclude.includes(agent.id)) again.push(candidate);
  };
  // Strategies see members in the queue's fixed order, so the same state always rings the same members (the free set
  // is in the order agents happened to become free, which a restored state cannot reproduce). With many free, walking
  // the members in order costs less than sorting the free ones; with few, the free set is the shorter walk.
  const walkInOrder = queue.freeMemberIds.size * 8 > queue.memberEntries.length;
  if (walkInOrder) {
    for (const { member, agent } of queue.memberEntries) if (agent.state === 'available') consider(member, agent);
  } else {
    for (const agentId of queue.freeMemberIds) consider(queue.members.get(agentId)!, decision.state.agents.get(agentId)!);
  }
  const newRound = fresh.length === 0;
  let candidates = newRound ? again : fresh;
  if (!candidates.length) return false;
  if (!walkInOrder) candidates.sort((a, b) => a.member.order - b.member.order);
  // Tier before the strategy's metric, as Asterisk's penalty and FreeSWITCH's level: the strategy picks within the
  // lowest tier that has a candidate. ring_all rings every open tier at once.
  const lowestTier = candidates[0]!.member.tier;
  if (!ringsAll) candidates = candidates.filter(({ member }) => member.tier === lowestTier);
  const chosen = queueStrategyPicks[queue.strategy](candidates, { queue, random: decision.random });
  if (!chosen.length) return false;
  if (newRound) call.tried = new Set(exclude);
  takeFromLine(queue, call);
  if (queue.strategy === 'round_robin') {
    // Asterisk's rrmemory and FreeSWITCH's round-robin resume after the member last rung, answered or not.
    queue.lastRungAgentId = chosen[chosen.length - 1]!.agent.id;
    touchQueue(decision, queue);
  }
  ringAgents(decision, call, chosen.map(({ agent }) => agent.id), queue.ringTimeoutSec);
  return true;
}

/** The free member may ring for the call: its tier is open, it speaks the call's language if required, no better call waits for it. */
function mayRing(decision: Decision, queue: QueueRecord, call: CallRecord, member: MemberRecord, agent: AgentRecord): QueueCandidate | undefined {
  if (member.tier > call.openTier) return undefined;
  if (queue.requireLanguage && !speaks(agent.languages, call.language)) return undefined;
  if (waitsForBetterCall(decision, agent, call)) return undefined;
  return { agent, member };
}

/**
 * Rule 4 when several agents are free at once (the others a ring_all answer releases, say): a free agent whose best
 * call is better than this one is left for that call. Free agents rarely have any waiting call (they would be ringing
 * for it), so this costs little; when nothing waits in the agent's queues it is one check per queue.
 */
function waitsForBetterCall(decision: Decision, agent: AgentRecord, call: CallRecord): boolean {
  const best = bestCallFor(decision, agent);
  return best !== undefined && best !== call && ranksBefore(best, call);
}

/**
 * After a ring without answer: offer the call again, or back to its place in line (its `queuedAt` is kept). A tier left
 * with nobody logged in while the call rang opens the next one first.
 */
export function returnToLine(decision: Decision, call: CallRecord, exclude: readonly string[]): void {
  const queue = queueOf(decision, call);
  call.status = 'queued';
  const staffed = firstStaffedTier(decision, queue, call, call.openTier);
  if (staffed !== call.openTier) raiseOpenTier(decision, queue, call, staffed);
  if (!offerCall(decision, call, exclude)) putInLine(queue, call);
}

/**
 * `tier`, or, when the queue has `noAgentNoWait`, the first tier from it up that has somebody logged in who could take
 * the call (the highest when none has): FreeSWITCH opens the next level at once while the last one opened has nobody.
 */
function firstStaffedTier(decision: Decision, queue: QueueRecord, call: CallRecord, tier: number): number {
  if (!queue.noAgentNoWait || queue.tierWaitSec === null) return tier;
  const language = queue.requireLanguage ? call.language : null;
  let open = tier;
  while (open < queue.maxTier && nobodyLoggedIn(decision, queue, open, language)) open++;
  return open;
}

/** No member of the tier is logged in (not offline) and speaks `language` (null: any). */
function nobodyLoggedIn(decision: Decision, queue: QueueRecord, tier: number, language: string | null): boolean {
  for (const agentId of queue.memberOrder) {
    const member = queue.members.get(agentId)!;
    if (member.tier < tier) continue;
    if (member.tier > tier) break;
    const agent = decision.state.agents.get(agentId)!;
    if (agent.state !== 'offline' && (language === null || speaks(agent.languages, language))) return false;
  }
  return true;
}

/** The call's open tier becomes `tier`, with the timer of the next; the caller keeps the call out of its line meanwhile. */
function raiseOpenTier(decision: Decision, queue: QueueRecord, call: CallRecord, tier: number): void {
  touchCall(decision, call);
  call.openTier = tier;
  setNextTierTimer(decision, queue, call);
}

/** Tier n+1 opens once the call has waited `tierWaitSec × n` in the queue; at the last tier no timer is left. */
function setNextTierTimer(decision: Decision, queue: QueueRecord, call: CallRecord): void {
  const key = timerKeys.tier(call.id);
  if (queue.tierWaitSec === null || call.openTier >= queue.maxTier) {
    cancelCallTimer(decision, call, key);
    return;
  }
  const input = { type: 'tier_wait_reached', callId: call.id, queueId: queue.id, tier: call.openTier + 1 } as const;
  setCallTimer(decision, call, key, call.queuedAt + queue.tierWaitSec * call.openTier, input);
}

/**
 * The call has waited `tierWaitSec × (tier − 1)`: members of `tier` may ring for it now. A waiting call is offered
 * again; a `ring_all` ring in progress takes the new tier's free members in at once, as FreeSWITCH's ring-all does.
 */
export function openTier(decision: Decision, call: CallRecord, tier: number): void {
  const queue = queueOf(decision, call);
  const inLine = call.line !== null;
  if (inLine) takeFromLine(queue, call);
  const before = call.openTier;
  raiseOpenTier(decision, queue, call, firstStaffedTier(decision, queue, call, tier));
  if (inLine && !offerCall(decision, call)) putInLine(queue, call);
  else if (call.status === 'ringing' && queue.strategy === 'ring_all') joinRing(decision, call, queue, before);
}

/**
 * The free, eligible members of tiers above `above` ring for the call with those already ringing. The ring's timeout
 * starts again, so that they ring a full `ringTimeoutSec` (one ring timer per call: those already ringing ring longer).
 */
function joinRing(decision: Decision, call: CallRecord, queue: QueueRecord, above: number): void {
  const joining: QueueCandidate[] = [];
  for (const agentId of queue.freeMemberIds) {
    const member = queue.members.get(agentId)!;
    if (member.tier <= above) continue;
    const candidate = mayRing(decision, queue, call, member, decision.state.agents.get(agentId)!);
    if (candidate) joining.push(candidate);
  }
  if (!joining.length) return;
  joining.sort((a, b) => a.member.order - b.member.order);
  ringAgents(decision, call, joining.map(({ agent }) => agent.id), queue.ringTimeoutSec);
}

/**
 * With `noAgentNoWait`, the waiting calls whose open tier is the agent's, who just logged out, open the next tiers when
 * nobody is logged in to it any more. Then they are offered, best first, so a member the new tiers let ring takes the
 * best of them.
 */
export function openTiersLeftEmpty(decision: Decision, agent: AgentRecord): void {
  const calls: CallRecord[] = [];
  for (const queueId of agent.queueIds) {
    const queue = decision.state.queues.get(queueId)!;
    if (!queue.noAgentNoWait || queue.tierWaitSec === null || queue.waiting === 0) continue;
    const tier = queue.members.get(agent.id)!.tier;
    for (const line of queue.lines.values()) {
      if (line.size === 0 || line.openTier !== tier || tier >= queue.maxTier) continue;
      if (nobodyLoggedIn(decision, queue, tier, line.language)) calls.push(...line.all());
    }
  }
  // By rank, not by the order lines and heaps happen to hold them: a restored state must decide the same.
  calls.sort((a, b) => (ranksBefore(a, b) ? -1 : 1));
  for (const call of calls) {
    const queue = queueOf(decision, call);
    takeFromLine(queue, call);
    raiseOpenTier(decision, queue, call, firstStaffedTier(decision, queue, call, call.openTier));
    putInLine(queue, call);
  }
  for (const call of calls) if (call.line) offerCall(decision, call);
}

/**
 * After a configuration change, every live queue call gets the tiers the new configuration gives it: those its wait
 * has reached (`tierWaitSec` shorter), those nobody is logged in to any more (`noAgentNoWait`), and a timer for the
 * next when it has none (a tier added above the last one it had reached). Tiers never close. Nothing is offered here:
 * the agents' dispatch that follows rings whom the new tiers let ring, best call first.
 */
export function reviewTiers(decision: Decision): void {
  const calls = [...decision.state.calls.values()].filter((call) => call.destination.kind === 'queue' && call.status !== 'answered');
  calls.sort((a, b) => a.sequence - b.sequence);
  for (const call of calls) {
    const queue = decision.state.queues.get(call.destination.id);
    if (!queue || queue.tierWaitSec === null || call.openTier >= queue.maxTier) continue;
    const reached = Math.min(queue.maxTier, Math.floor((decision.now - call.queuedAt) / queue.tierWaitSec) + 1);
    const tier = firstStaffedTier(decision, queue, call, Math.max(call.openTier, reached));
    if (tier > call.openTier) {
      const inLine = call.line !== null;
      if (inLine) takeFromLine(queue, call);
      raiseOpenTier(decision, queue, call, tier);
      if (inLine) putInLine(queue, call);
    } else if (!call.timers.has(timerKeys.tier(call.id))) {
      setNextTierTimer(decision, queue, call);
    }
  }
}

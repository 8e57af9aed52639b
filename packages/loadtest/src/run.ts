// One load run on a running system: its queue and agents, the reader of call-events, the calls on schedule, the drain,
// then the figures and the table.
import type { CallDetail } from '@switchboard/contracts';
import { createKafka } from '@switchboard/messaging';
import { ApiClient } from './api-client.ts';
import { CallEventReader, type SeenEvent } from './call-event-reader.ts';
import { prepareLoadQueue, releaseLoadQueue } from './load-queue.ts';
import { callOutcome, measureFigures, type CallOutcome, type LoadFigures } from './measure.ts';
import type { LoadSettings, Target } from './options.ts';
import { planCalls, postCalls, type PostedCall } from './poisson-arrivals.ts';
import { renderReport } from './report.ts';
import { SimulatedAgents, type AgentTally } from './simulated-agents.ts';

export interface LoadTestResult {
  readonly outcomes: readonly CallOutcome[];
  readonly figures: LoadFigures;
  /** The table as printed. */
  readonly report: string;
  readonly agents: AgentTally;
  /** What went wrong: calls not posted or not ended, agents' failed requests. Empty for a clean run. */
  readonly problems: readonly string[];
}

const terminalStatuses = new Set(['completed', 'abandoned', 'unanswered', 'failed']);

export async function runLoadTest(settings: LoadSettings, target: Target, say: (line: string) => void): Promise<LoadTestResult> {
  const admin = new ApiClient(target.apiUrl, target.adminKey);
  const edge = new ApiClient(target.apiUrl, target.edgeKey);
  const queue = await prepareLoadQueue(admin, { domain: target.domain, agents: settings.agents, ringTimeoutSec: settings.ringTimeoutSec }, say);
  const plan = planCalls(settings);
  const talkTimes = new Map<string, number>();
  const talkTimeOf = async (callId: string) => {
    // A ring can overtake the POST's own answer; the answer comes within the POST's timeout.
    for (let waited = 0; !talkTimes.has(callId) && waited < 30_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    return talkTimes.get(callId) ?? settings.meanTalkSec;
  };
  const agents = new SimulatedAgents(edge, new Set(queue.agentIds), settings.answerDelaySec, talkTimeOf);
  const kafka = createKafka({ brokers: [...target.kafkaBrokers], clientId: 'loadtest' });
  const ended = new Set<string>();
  const reader = new CallEventReader(kafka, target.callEventsTopic, (event: SeenEvent) => {
    if (event.type === 'call.completed' || event.type === 'call.abandoned' || event.type === 'call.unanswered' || event.type === 'call.failed')
      ended.add(event.callId);
    agents.onEvent(event);
  });
  await reader.start();

  const problems: string[] = [];
  let posted: PostedCall[];
  try {
    const totalSec = settings.warmUpSec + settings.durationSec;
    say(`posting ${plan.length} calls over ${totalSec} s (${plan.filter((c) => !c.measured).length} in the warm-up) to ${queue.number}`);
    const startedAt = performance.now();
    const accepted: PostedCall[] = [];
    const progress = setInterval(() => {
      const live = accepted.filter((call) => !ended.has(call.callId)).length;
      say(`${Math.round((performance.now() - startedAt) / 1_000)} s: ${accepted.length} calls posted, ${live} live, ${accepted.length - live} ended`);
    }, 30_000);
    try {
      const result = await postCalls(edge, plan, queue.number, startedAt, (call) => {
        talkTimes.set(call.callId, call.talkSec);
        accepted.push(call);
      });
      posted = result.posted;
      problems.push(...result.refused);
      say(`all ${posted.length} calls posted; waiting for them to end (at most ${settings.drainTimeoutSec} s)`);
      const drainUntil = performance.now() + settings.drainTimeoutSec * 1_000;
      while (posted.some((call) => !ended.has(call.callId)) && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 250));
      await agents.idle();
    } finally {
      clearInterval(progress);
    }
  } finally {
    await reader.stop();
    await releaseLoadQueue(admin, queue).catch((error: unknown) => say(`could not set the agents offline: ${String(error)}`));
  }

  // A call whose end the reader did not see is looked up where it is stored.
  const timelines = new Map(reader.timelines);
  for (const call of posted.filter((c) => !ended.has(c.callId))) {
    const stored = await edge.request<CallDetail>('GET', `/calls/${call.callId}`);
    if (stored.status === 200 && terminalStatuses.has(stored.body.status)) {
      timelines.set(
        call.callId,
        stored.body.events.map((e) => ({ callId: call.callId, type: e.type, sequence: e.sequence, at: Date.parse(e.occurredAt), data: e.data })),
      );
    } else problems.push(`call ${call.index} (${call.callId}) did not end: ${stored.status === 200 ? stored.body.status : `GET ${stored.status}`}`);
  }
  problems.push(...agents.tally.failures);
  const outcomes = posted.map((call) => callOutcome(call, timelines.get(call.callId)));
  const figures = measureFigures(outcomes, settings);
  const report = renderReport(figures, settings);
  if (reader.repeated > 0) say(`call-events delivered ${reader.repeated} event(s) again; ignored by the highest-sequence rule`);
  return { outcomes, figures, report, agents: agents.tally, problems };
}

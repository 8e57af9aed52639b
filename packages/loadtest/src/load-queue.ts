// The load test's own queue and agents, made through the admin API in a routing domain of their own so the demo's are
// untouched; a later run finds and reuses them, ending any call an interrupted run left live.
import { randomInt } from 'node:crypto';
import type { Agent, Call, Queue } from '@switchboard/contracts';
import { expectStatus, type ApiClient } from './api-client.ts';

export const loadQueueName = 'Load test';
const agentName = (index: number) => `Load test agent ${index + 1}`;

export interface LoadQueue {
  readonly queueId: string;
  readonly number: string;
  readonly agentIds: readonly string[];
}

export interface LoadQueueSettings {
  readonly domain: string;
  readonly agents: number;
  readonly ringTimeoutSec: number;
}

/** Queue settings Erlang C assumes: first come first served, no wrap-up, nobody gives up or overflows. */
const queueSettings = (ringTimeoutSec: number) => ({
  strategy: 'longest_idle',
  requireLanguage: false,
  ringTimeoutSec,
  wrapUpSec: 0,
  maxWaitSec: null,
  maxWaiting: null,
  tierWaitSec: null,
  overflow: null,
});

export async function prepareLoadQueue(admin: ApiClient, settings: LoadQueueSettings, say: (line: string) => void): Promise<LoadQueue> {
  const domain = encodeURIComponent(settings.domain);
  const existing = (await admin.all<Queue>(`/queues?domain=${domain}`)).find((q) => q.name === loadQueueName);
  if (existing) await endLiveCalls(admin, existing.id, say);

  const agents = await admin.all<Agent>(`/agents?domain=${domain}`);
  const byName = new Map(agents.map((a) => [a.name, a]));
  const agentIds: string[] = [];
  for (let index = 0; index < settings.agents; index++) {
    const found = byName.get(agentName(index));
    agentIds.push(found ? found.id : await createAgent(admin, settings.domain, index));
  }
  const created = agentIds.length - agents.filter((a) => agentIds.includes(a.id)).length;
  const members = agentIds.map((agentId) => ({ agentId }));
  let queue: Queue;
  if (existing) {
    queue = expectStatus(
      'PATCH the load test queue',
      await admin.request<Queue>('PATCH', `/queues/${existing.id}`, { ...queueSettings(settings.ringTimeoutSec), members }),
      200,
    ).body;
  } else {
    queue = await createQueue(admin, settings, members);
  }
  // Agents left from a larger earlier run are no longer members; they stay offline.
  for (const agent of agents) if (!agentIds.includes(agent.id) && agent.state !== 'offline') await setStatus(admin, agent.id, 'offline');
  for (const agentId of agentIds) await setStatus(admin, agentId, 'available');
  say(
    `queue "${loadQueueName}" on ${queue.number} (${existing ? 'reused' : 'created'}) in routing domain ${settings.domain}: ` +
      `${agentIds.length} agents (${created} created), longest_idle, wrap-up 0 s, ring timeout ${settings.ringTimeoutSec} s, no overflow`,
  );
  return { queueId: queue.id, number: queue.number, agentIds };
}

/** Agents go offline at the end; the queue and agents stay for the next run to reuse. */
export async function releaseLoadQueue(admin: ApiClient, queue: LoadQueue): Promise<void> {
  for (const agentId of queue.agentIds) await setStatus(admin, agentId, 'offline');
}

async function createAgent(admin: ApiClient, domain: string, index: number): Promise<string> {
  // Extensions are unique among all agents: a random 9-digit one, again on the rare collision.
  for (let attempt = 0; attempt < 5; attempt++) {
    const body = { name: agentName(index), extension: String(randomInt(100_000_000, 999_999_999)), languages: ['en'], domain };
    const answer = await admin.request<Agent>('POST', '/agents', body);
    if (answer.status === 201) return answer.body.id;
    expectStatus(`POST /agents ${agentName(index)}`, answer, 409);
  }
  throw new Error(`POST /agents: no free extension found for ${agentName(index)}`);
}

async function createQueue(admin: ApiClient, settings: LoadQueueSettings, members: { agentId: string }[]): Promise<Queue> {
  // Numbers are unique across queues and ring groups: a random 9-digit one, again on the rare collision.
  for (let attempt = 0; attempt < 5; attempt++) {
    const body = {
      name: loadQueueName,
      number: String(randomInt(100_000_000, 999_999_999)),
      domain: settings.domain,
      members,
      ...queueSettings(settings.ringTimeoutSec),
    };
    const answer = await admin.request<Queue>('POST', '/queues', body);
    if (answer.status === 201) return answer.body;
    expectStatus('POST /queues', answer, 409);
  }
  throw new Error('POST /queues: no free number found for the load test queue');
}

async function setStatus(admin: ApiClient, agentId: string, status: 'available' | 'offline'): Promise<void> {
  // 409 while on a call: a call just ended by endLiveCalls may still be finishing.
  for (let attempt = 1; ; attempt++) {
    const answer = await admin.decided('PUT', `/agents/${agentId}/status`, { status });
    if (answer.status === 200) return;
    if (answer.status !== 409 || attempt >= 10) expectStatus(`PUT /agents/${agentId}/status ${status}`, answer, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Calls an interrupted run left in the queue: the caller hangs up those not answered, the agent those answered. */
async function endLiveCalls(admin: ApiClient, queueId: string, say: (line: string) => void): Promise<void> {
  let ended = 0;
  for (const status of ['received', 'queued', 'ringing', 'answered'] as const) {
    for (const call of await admin.all<Call>(`/calls?status=${status}&destinationId=${queueId}`)) {
      const answer = await admin.decided('POST', `/calls/${call.id}/hangup`, { by: status === 'answered' ? 'agent' : 'caller' });
      expectStatus(`ending call ${call.id} left by an earlier run`, answer, 200, 409);
      ended++;
    }
  }
  if (ended > 0) say(`ended ${ended} call(s) an earlier run left live in the queue`);
}

// Routing under load: calls to a queue of free agents (no wrap-up) arrive at a fixed rate; simulated agents answer each
// ring at once and hang up right after, so agents free up again. Times POST /call → `call.ringing` on call-events (as
// the bench's reader receives it) and `POST /calls/{id}/answer` → its 200.
import { randomInt, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { agents, queueMembers, queues, routingDomains, type Database } from '@switchboard/db';
import type { Consumer, Kafka } from 'kafkajs';
import { LatencyRecorder, type Percentiles } from '../load/latency.ts';
import { pacedLoad, type PacedResult } from '../load/paced-load.ts';

export type RoutingQueue = { id: string; number: string; agents: number; domain: string };

/**
 * A queue of `count` available agents, longest idle first, no wrap-up, a long ring timeout (a slow answer under load
 * must not turn into a no-answer), in a routing domain of its own: the tens of thousands of calls the earlier phases
 * left waiting in the bench's other queue (it has no agents) are not in the engine state its decisions work on.
 * Written before the worker starts, which reads the domain when it takes it over.
 */
export async function seedRoutingQueue(db: Database, count: number, suffix: string): Promise<RoutingQueue> {
  const number = String(randomInt(10_000_000, 99_999_999));
  const domain = `bench-routing-${suffix}`;
  return db.transaction(async (tx) => {
    await tx.insert(routingDomains).values({ name: domain });
    const [queue] = await tx
      .insert(queues)
      .values({ domain, name: `Bench routing ${suffix}`, number, strategy: 'longest_idle', wrapUpSec: 0, ringTimeoutSec: 120 })
      .returning();
    if (count === 0) return { id: queue!.id, number, agents: 0, domain };
    const rows = await tx
      .insert(agents)
      .values(
        Array.from({ length: count }, (_, i) => ({
          domain,
          name: `Bench agent ${i + 1}`,
          extension: `bench-${suffix}-${i + 1}`,
          state: 'available' as const,
          availableSince: new Date(),
        })),
      )
      .returning({ id: agents.id });
    await tx.insert(queueMembers).values(rows.map((r, position) => ({ queueId: queue!.id, agentId: r.id, position })));
    return { id: queue!.id, number, agents: count, domain };
  });
}

export type RoutingPhase = {
  rate: number;
  load: PacedResult;
  /** POST /call's scheduled send → `call.ringing` read by the bench. */
  toRinging: Percentiles;
  /** `POST /calls/{id}/answer` sent → its answer. */
  answer: Percentiles;
  /** Answers and hang-ups that were not 200 (or failed), by status; a 503 is retried as the edge contract says. */
  actionErrors: Record<string, number>;
  /** Until every call of the phase was `completed` in the database, after its last POST; null past the deadline. */
  drainMs: number | null;
};

type Say = (line: string) => void;

/** Reads `call.ringing` from call-events and plays the agents: answer, then hang up. */
export class SimulatedAgents {
  private readonly consumer: Consumer;
  private readonly http = new Agent({ keepAlive: true, maxSockets: 512 });
  private readonly sentAt = new Map<string, number>();
  private readonly ringingAt = new Map<string, number>();
  private readonly rung = new Set<string>();
  private toRinging = new LatencyRecorder();
  private answer = new LatencyRecorder();
  private errors: Record<string, number> = {};
  private readonly pending = new Set<Promise<void>>();
  /** `call.ringing` events for a call already rung (the relay publishes at least once; a re-ring would show here too). */
  repeatedRings = 0;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly apiUrl: string,
    private readonly headers: Record<string, string>,
  ) {
    this.consumer = kafka.consumer({ groupId: `bench-agents-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 20, sessionTimeout: 30_000 });
  }

  /** Joins from the topic's end: only calls posted from now on ring here. */
  async start(): Promise<void> {
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const m of batch.messages) {
          if (!m.key || !m.value || String(m.headers?.type) !== 'call.ringing') continue;
          const event = JSON.parse(m.value.toString()) as { callId: string; data: { agentIds: string[] } };
          this.onRinging(event.callId, event.data.agentIds[0]!, now);
        }
      },
    });
    await joined;
  }

  /** New histograms for the next phase. */
  phase(): void {
    this.toRinging = new LatencyRecorder();
    this.answer = new LatencyRecorder();
    this.errors = {};
  }

  results(): { toRinging: Percentiles; answer: Percentiles; actionErrors: Record<string, number> } {
    return { toRinging: this.toRinging.percentiles(), answer: this.answer.percentiles(), actionErrors: { ...this.errors } };
  }

  onSent(callId: string, scheduledAt: number): void {
    const rang = this.ringingAt.get(callId);
    if (rang === undefined) this.sentAt.set(callId, scheduledAt);
    else {
      this.ringingAt.delete(callId);
      this.toRinging.recordMs(rang - scheduledAt);
    }
  }

  private onRinging(callId: string, agentId: string, at: number): void {
    if (this.rung.has(callId)) {
      this.repeatedRings++;
      return;
    }
    this.rung.add(callId);
    const sent = this.sentAt.get(callId);
    // The ring can come before the POST's own 202 does.
    if (sent === undefined) this.ringingAt.set(callId, at);
    else {
      this.sentAt.delete(callId);
      this.toRinging.recordMs(at - sent);
    }
    const work = this.answerAndHangUp(callId, agentId);
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private count(what: string): void {
    this.errors[what] = (this.errors[what] ?? 0) + 1;
  }

  private async answerAndHangUp(callId: string, agentId: string): Promise<void> {
    const started = performance.now();
    const answered = await this.post(`/calls/${callId}/answer`, { agentId });
    this.answer.recordMs(performance.now() - started);
    if (answered !== 200) {
      this.count(`answer ${answered}`);
      // A 503 (no decision in time) or a lost answer: as the edge contract says, look at the call and retry.
      if (answered === 409 || !(await this.retryAnswer(callId, agentId))) return;
    }
    await this.hangUp(callId);
  }

  /** After an answer without its 200: true once the call is answered by this agent, false if it no longer can be. */
  private async retryAnswer(callId: string, agentId: string): Promise<boolean> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const call = await this.getCall(callId);
      if (call?.status === 'answered') return call.agentId === agentId;
      if (call && call.status !== 'ringing') return false;
      const again = await this.post(`/calls/${callId}/answer`, { agentId });
      if (again === 200) return true;
      if (again === 409) return false;
      this.count(`answer retried, ${again}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  private async hangUp(callId: string): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const status = await this.post(`/calls/${callId}/hangup`, { by: 'agent' });
      if (status === 200) return;
      this.count(`hangup ${status}`);
      if (status === 409) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async getCall(callId: string): Promise<{ status: string; agentId: string | null } | undefined> {
    const response = await fetch(`${this.apiUrl}/calls/${callId}`, { headers: this.headers, signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
    return response?.ok ? ((await response.json()) as { status: string; agentId: string | null }) : undefined;
  }

  /** The status of a POST, or the error's name. */
  private post(path: string, body: unknown): Promise<number | string> {
    const payload = Buffer.from(JSON.stringify(body));
    const { hostname, port } = new URL(this.apiUrl);
    return new Promise((resolve) => {
      const req = request(
        {
          agent: this.http,
          hostname,
          port,
          method: 'POST',
          path,
          timeout: 30_000,
          headers: { ...this.headers, 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) => resolve(error.message === 'timed out' ? 'timeout' : 'connection error'));
      req.end(payload);
    });
  }

  /** Waits for the answers and hang-ups in flight. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async stop(): Promise<void> {
    await this.settle();
    await this.consumer.disconnect();
    this.http.destroy();
  }
}

/** Milliseconds from `since` until every call of the queues is over; null past the deadline. */
async function waitUntilEnded(db: Database, queueIds: string[], since: number, timeoutMs: number): Promise<number | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.$client<{ live: string }[]>`
      select count(*) as live from calls
       where destination_id = any(${queueIds}::uuid[]) and status not in ('completed', 'abandoned', 'unanswered', 'failed')`;
    if (Number(row!.live) === 0) return Math.round(performance.now() - since);
    if (Date.now() > until) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type RoutingOptions = { url: string; headers: Record<string, string>; rates: number[]; durationSec: number; drainTimeoutMs?: number };

/** One phase per rate, each drained (every call answered and hung up) before the next; calls go to the queues in turn. */
export async function routingPhases(
  db: Database,
  queue: RoutingQueue | RoutingQueue[],
  agentsSim: SimulatedAgents,
  options: RoutingOptions,
  say: Say,
  acceptedIds: string[],
): Promise<RoutingPhase[]> {
  const phases: RoutingPhase[] = [];
  const queues = [queue].flat();
  const to = queues.length === 1 ? `a queue of ${queues[0]!.agents}` : `${queues.length} queues of ${queues.map((q) => q.agents).join(' + ')}`;
  for (const rate of options.rates) {
    say(`routing: calls to ${to} free agents at ${rate}/s for ${options.durationSec} s; agents answer and hang up at once`);
    agentsSim.phase();
    const load = await pacedLoad({
      url: options.url,
      headers: options.headers,
      rate,
      durationSec: options.durationSec,
      body: undefined,
      bodies: queues.map((q) => ({ from: '+15550002', to: q.number, language: 'en' })),
      onAccepted: (id, at) => {
        acceptedIds.push(id);
        agentsSim.onSent(id, at);
      },
    });
    const drainMs = await waitUntilEnded(
      db,
      queues.map((q) => q.id),
      performance.now(),
      options.drainTimeoutMs ?? 300_000,
    );
    await agentsSim.settle();
    const phase = { rate, load, ...agentsSim.results(), drainMs };
    phases.push(phase);
    say(
      `  POST → ringing p50 ${phase.toRinging.p50Ms} ms, p99 ${phase.toRinging.p99Ms} ms; answer p50 ${phase.answer.p50Ms} ms, p99 ${phase.answer.p99Ms} ms; all ended ${drainMs} ms after the last POST`,
    );
  }
  return phases;
}

export type RoutingAccounting = {
  accepted: number;
  distinctAccepted: number;
  /** Calls to the routing queue in the database, and of them completed. */
  created: number;
  completed: number;
  /** Stored `call.answered` events of those calls, and calls with more than one. */
  answeredEvents: number;
  answeredTwice: number;
  /** Accepted ids that are completed with exactly one `call.answered`. */
  acceptedRoutedOnce: number;
  ok: boolean;
};

/** Every accepted call rang, was answered once and completed; nothing created that was not accepted (to the queues given). */
export async function accountRouting(db: Database, queueId: string | string[], acceptedIds: string[]): Promise<RoutingAccounting> {
  const distinct = [...new Set(acceptedIds)];
  const queueIds = [queueId].flat();
  const [row] = await db.$client<{ created: string; completed: string; answered_events: string; answered_twice: string; accepted_once: string }[]>`
    with answers as (
      select c.id, c.status, count(e.*) filter (where e.type = 'call.answered') as answered
        from calls c left join call_events e on e.call_id = c.id
       where c.destination_id = any(${queueIds}::uuid[])
       group by c.id, c.status)
    select count(*) as created,
           count(*) filter (where status = 'completed') as completed,
           coalesce(sum(answered), 0) as answered_events,
           count(*) filter (where answered > 1) as answered_twice,
           count(*) filter (where id = any(${distinct}::uuid[]) and status = 'completed' and answered = 1) as accepted_once
      from answers`;
  const r = {
    accepted: acceptedIds.length,
    distinctAccepted: distinct.length,
    created: Number(row!.created),
    completed: Number(row!.completed),
    answeredEvents: Number(row!.answered_events),
    answeredTwice: Number(row!.answered_twice),
    acceptedRoutedOnce: Number(row!.accepted_once),
  };
  // The paced generator reads every answer, so no call is created without its 202 reaching the bench.
  const ok =
    r.distinctAccepted === r.accepted && r.acceptedRoutedOnce === r.accepted && r.created === r.accepted && r.completed === r.created && r.answeredTwice === 0;
  return { ...r, ok };
}

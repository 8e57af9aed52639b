// Consumes routing-inputs: each partition's messages go to the routers of the domains keyed on it, then offsets commit.
// The consumer group's partition assignment is what makes this worker a domain's one writer.
import { hostname } from 'node:os';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { dlqHeaders, type CallEvent } from '@switchboard/contracts';
import { FencedError, listDomains, type Database, type OutboxMessage } from '@switchboard/db';
import { DomainRouter, type CommittedDecisions, type RouterItem, type RunResult } from '../decide/domain-router.ts';
import { partitionOfDomain } from '../ownership/domain-partition.ts';
import { checkRoutingInput } from './routing-input-message.ts';

type Log = { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void };

export type RoutingInputsConsumerOptions = {
  kafka: Kafka;
  db: Database;
  /** Sends call events (with its deadline and producer recovery) and dead letters (with its producer). */
  relay: { sendNow: (messages: readonly OutboxMessage[]) => Promise<void>; producer: Producer };
  groupId: string;
  sessionTimeoutMs?: number;
  topics: { routingInputs: string; routingInputsDlq: string; callEvents: string };
  log: Log;
  onBatch?: (stats: { decided: number; redelivered: number; deadLettered: number; lagMs: number[] }) => void;
  onCommitted?: (committed: CommittedDecisions) => void;
  onPublished?: (count: number, via: 'live' | 'catch_up') => void;
  /** Call events publisher settings (tests). */
  publisher?: { saveAfterMs?: number; idleAdvanceMs?: number; retryMs?: number; maxRetryMs?: number; catchUpBatch?: number };
};

type DeadLetter = { raw: KafkaMessage; partition: number; reason: string };

/** Routing inputs decided and committed together at most, between two heartbeats. */
const chunkMessages = 250;

export class RoutingInputsConsumer {
  private consumer: Consumer;
  /** Names this process in routing_domains.owner. */
  readonly owner = `${hostname()}:${process.pid}`;
  private joined = false;
  private partitionCount = 0;
  /** The Kafka cluster's id: names the log whose offsets the routers store. */
  private clusterId = '';
  private assigned = new Set<number>();
  private readonly routers = new Map<string, { partition: number; ready: Promise<DomainRouter> }>();
  /**
   * Domains another worker fenced us out of, with when this worker may claim them again: a new assignment, or one
   * session timeout later if their partition is still this worker's (the claim that fenced us was made under an earlier
   * assignment, and no rebalance is coming to hand the domain to anyone else).
   */
  private readonly fenced = new Map<string, number>();
  private readonly reclaims = new Set<NodeJS.Timeout>();

  private stopped = false;

  constructor(private readonly options: RoutingInputsConsumerOptions) {
    this.consumer = this.createConsumer();
  }

  private createConsumer(): Consumer {
    const { options } = this;
    const consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: options.sessionTimeoutMs ?? 10_000,
      // The heartbeat is how a member learns of a rebalance (a dead owner evicted): twice a second, so the survivor
      // starts taking its domains over within half a second of the eviction.
      heartbeatInterval: 500,
      maxWaitTimeInMs: 50,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    const { GROUP_JOIN, CRASH, STOP, DISCONNECT } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      const partitions = e.payload.memberAssignment[options.topics.routingInputs] ?? [];
      options.log.info({ partitions, joinMs: e.payload.duration }, 'joined the consumer group');
      this.assign(partitions);
    });
    for (const event of [CRASH, STOP, DISCONNECT]) consumer.on(event, () => (this.joined = false));
    consumer.on(CRASH, (e) => {
      if (e.payload.restart) {
        options.log.warn({ err: e.payload.error }, 'consumer restarting after a retriable error');
        return;
      }
      // KafkaJS gives up on errors it does not know as retriable; a worker that stops consuming would strand its
      // domains, so it starts a new consumer (the group rebalances, and applied offsets keep decisions exactly-once).
      options.log.error({ err: e.payload.error }, 'consumer crashed; starting a new one in 2 s');
      setTimeout(() => void this.restart(), 2_000).unref();
    });
    return consumer;
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    await this.consumer.disconnect().catch(() => {});
    await this.dropRouters(() => true, 'consumer starting anew: this worker no longer routes the domain until the group assigns it again');
    this.consumer = this.createConsumer();
    await this.run().catch((error: unknown) => {
      this.options.log.error({ err: error }, 'could not start a new consumer; retrying in 2 s');
      setTimeout(() => void this.restart(), 2_000).unref();
    });
  }

  /** True once the consumer has joined its group and until it stops. */
  get isReady(): boolean {
    return this.joined;
  }

  /** The routing domains this worker owns now. */
  get ownedDomains(): string[] {
    return [...this.routers.keys()];
  }

  async start(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.options.topics.routingInputs] });
      this.partitionCount = topics[0]!.partitions.length;
      this.clusterId = (await admin.describeCluster()).clusterId;
    } finally {
      await admin.disconnect();
    }
    await this.run();
  }

  private async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topics.routingInputs, fromBeginning: true });
    await this.consumer.run({ eachBatchAutoResolve: false, eachBatch: (payload) => this.handleBatch(payload) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.reclaims) clearTimeout(timer);
    await this.consumer.disconnect();
    await this.dropRouters(() => true);
  }

  /** A new assignment: forget domains whose partition went elsewhere, take over every known domain on the new ones. */
  private assign(partitions: number[]): void {
    this.joined = true;
    this.assigned = new Set(partitions);
    this.fenced.clear();
    void this.dropRouters((partition) => !this.assigned.has(partition), 'partition reassigned: this worker no longer routes the domain');
    void this.takeOverAssignedDomains();
  }

  private async takeOverAssignedDomains(attempt = 0): Promise<void> {
    const assigned = this.assigned;
    try {
      const domains = await listDomains(this.options.db.$client);
      if (assigned !== this.assigned) return; // a newer assignment took over: it claims its own
      const mine = domains.filter((d) => assigned.has(partitionOfDomain(this.options.topics.routingInputs, d, this.partitionCount)));
      // Timers must fire even in a domain with no new message: claim each now rather than on its next input.
      await Promise.all(mine.map((domain) => this.router(domain, partitionOfDomain(this.options.topics.routingInputs, domain, this.partitionCount))));
    } catch (error) {
      if (assigned !== this.assigned) return; // a newer assignment took over
      this.options.log.warn({ err: error, attempt }, 'could not take the assigned routing domains over; retrying in 1 s');
      setTimeout(() => void this.takeOverAssignedDomains(attempt + 1), 1_000).unref();
    }
  }

  private async dropRouters(which: (partition: number) => boolean, why?: string): Promise<void> {
    const dropped: Promise<void>[] = [];
    for (const [domain, entry] of this.routers) {
      if (!which(entry.partition)) continue;
      this.routers.delete(domain);
      if (why) this.options.log.info({ domain, partition: entry.partition }, why);
      dropped.push(entry.ready.then((router) => router.stop(), () => {}));
    }
    await Promise.all(dropped);
  }

  /** Call events keyed by call (one call's events stay on one partition, in order), their type in a header. */
  private sendCallEvents(events: readonly CallEvent[]): Promise<void> {
    const topic = this.options.topics.callEvents;
    return this.options.relay.sendNow(events.map((event) => ({ topic, key: event.callId, payload: event, headers: { type: event.type } })));
  }

  /** The router of a domain on an assigned partition, claiming the domain the first time. */
  private router(domain: string, partition: number): Promise<DomainRouter> {
    const existing = this.routers.get(domain);
    if (existing) return existing.ready;
    const fencedUntil = this.fenced.get(domain);
    if (fencedUntil !== undefined && Date.now() < fencedUntil) return Promise.reject(new FencedError(domain, -1));
    this.fenced.delete(domain);
    const router = new DomainRouter({
      db: this.options.db, domain, owner: this.owner, inputsLog: this.clusterId, sendCallEvents: (events) => this.sendCallEvents(events),
      log: this.options.log, onCommitted: this.options.onCommitted, onPublished: this.options.onPublished, publisher: this.options.publisher,
      onFenced: (d) => {
        if (this.routers.get(d)?.partition === partition) this.routers.delete(d);
        this.holdOff(d, partition);
      },
    });
    const ready = router.start().then(() => router);
    const entry = { partition, ready };
    this.routers.set(domain, entry);
    ready.catch(() => {
      if (this.routers.get(domain) === entry) this.routers.delete(domain);
    });
    return ready;
  }

  /**
   * After a fence: no claim of the domain for one session timeout, the time a rebalance takes to move its partition to
   * the worker that fenced us. Then, if the partition is still ours and nobody here routes the domain, claim it again:
   * otherwise nobody would (its timers would not fire, its inputs would wait).
   */
  private holdOff(domain: string, partition: number): void {
    const holdMs = this.options.sessionTimeoutMs ?? 10_000;
    this.fenced.set(domain, Date.now() + holdMs);
    this.later(holdMs + 10, () => {
      this.options.log.warn({ domain, partition, holdMs }, 'fenced out of a routing domain whose partition is still this worker\'s: claiming it again');
      this.reclaim(domain, partition);
    }, domain, partition);
  }

  private reclaim(domain: string, partition: number): void {
    this.router(domain, partition).catch((error: unknown) => {
      if (error instanceof FencedError) return; // fenced again: held off again
      this.options.log.warn({ err: error, domain }, 'could not claim the routing domain again; retrying in 1 s');
      this.later(1_000, () => this.reclaim(domain, partition), domain, partition);
    });
  }

  /** Runs `then` after `ms` if the partition is still this worker's and nobody here routes the domain. */
  private later(ms: number, then: () => void, domain: string, partition: number): void {
    const timer = setTimeout(() => {
      this.reclaims.delete(timer);
      if (this.stopped || !this.assigned.has(partition) || this.routers.has(domain)) return;
      then();
    }, ms);
    timer.unref();
    this.reclaims.add(timer);
  }

  /**
   * A fetched batch, in chunks of at most `chunkMessages`: each chunk is decided, committed and its offset resolved,
   * then the heartbeat. Decided whole, a fetched batch could outlast the session timeout under load, and the group
   * evicted the worker routing it (bench:takeover: 500 calls/s into a domain of 10,000 agents).
   */
  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    for (let from = 0; from < batch.messages.length; from += chunkMessages) {
      if (!isRunning() || isStale()) return;
      if (!(await this.handleChunk(payload, batch.messages.slice(from, from + chunkMessages)))) return;
    }
  }

  /** Returns false when the rest of the batch must be left (fenced, or the partition is going). */
  private async handleChunk({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload, messages: KafkaMessage[]): Promise<boolean> {
    if (messages.length === 0) return true;
    const byDomain = new Map<string, RouterItem[]>();
    const deadLetters: DeadLetter[] = [];
    const lagMs: number[] = [];
    const rawOf = new Map<object, KafkaMessage>();
    const now = Date.now();
    for (const raw of messages) {
      const checked = checkRoutingInput(raw);
      if (!checked.ok) {
        deadLetters.push({ raw, partition: batch.partition, reason: checked.reason });
        continue;
      }
      const { message } = checked;
      rawOf.set(message, raw);
      const at = { partition: batch.partition, offset: Number(raw.offset) };
      const item: RouterItem =
        message.type === 'call.requested' ? { kind: 'call', message, ...at }
        : message.type === 'routing.action' ? { kind: 'action', message, ...at }
        : { kind: 'reload', ...at };
      if (message.type === 'call.requested') lagMs.push(now - Date.parse(message.occurredAt));
      let items = byDomain.get(message.domain);
      if (!items) byDomain.set(message.domain, (items = []));
      items.push(item);
    }
    let results: RunResult[] | undefined;
    const partitionLog = { highWatermark: Number(batch.highWatermark) };
    for (let attempt = 0; !results; attempt++) {
      try {
        // Domains are independent: their decisions run side by side.
        results = await Promise.all([...byDomain].map(async ([domain, items]) => (await this.router(domain, batch.partition)).run(items, partitionLog)));
      } catch (error) {
        if (error instanceof FencedError) {
          // Another worker owns it now; the partition is being reassigned. Commit nothing; the new owner reads on.
          // The heartbeat is what learns of the rebalance (it throws, and KafkaJS rejoins the group).
          this.options.log.warn({ partition: batch.partition }, 'fenced out of a routing domain: leaving the batch to its new owner');
          await new Promise((r) => setTimeout(r, 500));
          await heartbeat();
          return false;
        }
        // PostgreSQL unreachable, a connection dropped: nothing of the failed part committed (the routers rebuild from
        // what did, and applied offsets skip it). Try the same batch again, in order, while the partition is ours.
        this.options.log.warn({ err: error, partition: batch.partition, attempt }, 'could not apply a batch of routing inputs; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
        if (!isRunning() || isStale()) return false;
        await heartbeat().catch(() => {});
      }
    }
    for (const result of results) {
      for (const message of result.unknownCalls) {
        deadLetters.push({ raw: rawOf.get(message)!, partition: batch.partition, reason: `unknown call ${message.call.id}: no such row in calls` });
      }
    }
    if (deadLetters.length) await this.deadLetter(this.options.relay.producer, deadLetters);
    resolveOffset(messages.at(-1)!.offset);
    await commitOffsetsIfNecessary();
    await heartbeat();
    this.options.onBatch?.({
      decided: results.reduce((n, r) => n + r.decided, 0),
      redelivered: results.reduce((n, r) => n + r.redelivered, 0),
      deadLettered: deadLetters.length,
      lagMs,
    });
    return true;
  }

  private async deadLetter(producer: Producer, letters: DeadLetter[]): Promise<void> {
    const { routingInputs, routingInputsDlq } = this.options.topics;
    await producer.send({
      topic: routingInputsDlq,
      acks: -1,
      messages: letters.map(({ raw, partition, reason }) => ({
        key: raw.key,
        value: raw.value,
        headers: {
          ...raw.headers,
          [dlqHeaders.reason]: reason,
          [dlqHeaders.sourceTopic]: routingInputs,
          [dlqHeaders.sourcePartition]: String(partition),
          [dlqHeaders.sourceOffset]: raw.offset,
          [dlqHeaders.failedAt]: new Date().toISOString(),
        },
      })),
    });
    for (const { raw, reason } of letters) this.options.log.warn({ offset: raw.offset, reason }, 'message sent to the dead-letter topic');
  }
}

// One routing domain owned by this worker: the engine's state, its timers, and every decision applied in order and
// committed with its effects in one transaction behind the ownership fence.
import type { CallEvent, CallRequested, RoutingActionRequested } from '@switchboard/contracts';
import {
  appliedRequests, callStatuses, claimDomain, destinationExists, fenceDecision, handleTimeWindowCalls, insertCallEvents, loadDomain,
  pruneAppliedRequests, readOwnedDomain, writeDecision,
  FencedError, type Database, type DecisionWrite, type VisitStored,
} from '@switchboard/db';
import { createRandom, decide, HandleTimeWindow, type RandomSource, type RoutingInput, type RoutingState } from '@switchboard/routing';
import { CallEventsPublisher } from '../publish/call-events-publisher.ts';
import { restoreDomain } from '../rebuild/restore-domain.ts';
import { DomainTimers, type DueTimer } from '../timers/domain-timers.ts';
import { DecisionEffects, type LiveTimes } from './decision-effects.ts';

export type RouterItem =
  | { kind: 'call'; message: CallRequested; partition: number; offset: number }
  | { kind: 'action'; message: RoutingActionRequested; partition: number; offset: number }
  | { kind: 'reload'; partition: number; offset: number };

export type RunResult = {
  decided: number;
  /** Messages at or below the domain's applied offset, or new calls no longer `received`: applied before, skipped. */
  redelivered: number;
  /** `call.requested` for calls the database does not know: the consumer dead-letters them. */
  unknownCalls: CallRequested[];
};

export type DomainRouterOptions = {
  db: Database;
  domain: string;
  /** Names this worker in routing_domains.owner. */
  owner: string;
  /**
   * The routing-inputs log being read, by the Kafka cluster's id: a stored applied offset of another log (Kafka's data
   * made anew while PostgreSQL kept its own) says nothing about this one and is forgotten.
   */
  inputsLog: string;
  /** Sends call events to `call-events` in the order given; throws unless Kafka acknowledged them all. */
  sendCallEvents: (events: readonly CallEvent[]) => Promise<void>;
  /** Counts call events published, sent live from a decision or read back from `call_events` (catching up). */
  onPublished?: (count: number, via: 'live' | 'catch_up') => void;
  /** Publisher settings, for tests. */
  publisher?: { saveAfterMs?: number; idleAdvanceMs?: number; retryMs?: number; maxRetryMs?: number; catchUpBatch?: number };
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void };
  /** After each commit: how many decisions it held, and the visits it opened and changed (for the metrics). */
  onCommitted?: (committed: CommittedDecisions) => void;
  /** Called once when the fence shows another worker owns the domain now. */
  onFenced?: (domain: string) => void;
};

const clock = () => Date.now() / 1000;

/** What one commit held: its decisions, the visits it opened and changed, and where the changed ones are. */
export type CommittedDecisions = { decisions: number; visits: DecisionWrite['visits']; visitsUpdated: VisitStored[] };

export class DomainRouter {
  private state: RoutingState | null = null;
  private random: RandomSource = createRandom(1);
  private epoch = 0;
  private applied: { partition: number | null; offset: number | null } = { partition: null, offset: null };
  private readonly lastSequence = new Map<string, number>();
  /** Ring starts of ringing calls and queues' handle times: the wait estimate's inputs, rebuilt with the state. */
  private readonly live: LiveTimes = { ringStarts: new Map(), handleTimes: new Map() };
  private readonly timers: DomainTimers;
  /** Sends what the domain's decisions committed to `call-events`. */
  private readonly publisher: CallEventsPublisher;
  private tail: Promise<unknown> = Promise.resolve();
  private recovery: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: DomainRouterOptions) {
    this.timers = new DomainTimers((timer) => void this.fireTimer(timer));
    this.publisher = new CallEventsPublisher({
      db: options.db, domain: options.domain, send: options.sendCallEvents, log: options.log, onPublished: options.onPublished,
      betweenDecisions: (work) => this.serially(work, 'move the published position up'),
      ...options.publisher,
    });
  }

  get domain(): string {
    return this.options.domain;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Claims the domain (fencing its previous owner) and rebuilds the engine from PostgreSQL. */
  start(): Promise<void> {
    return this.serially(async () => {
      const claim = await claimDomain(this.options.db.$client, this.domain, this.options.owner);
      this.epoch = claim.epoch;
      this.options.log.info({ domain: this.domain, epoch: claim.epoch }, 'took the routing domain over');
      // Events the previous owner committed but Kafka may not have acknowledged go first, read back from call_events.
      this.publisher.start(claim.epoch, claim.publishedTx);
      await this.rebuild();
    }, 'take over');
  }

  /**
   * Applies the items in order; one transaction for all of them (a reload commits what came before it first).
   * `highWatermark` is their partition's log end offset, as the fetch that brought them saw it.
   */
  run(items: readonly RouterItem[], partitionLog?: { highWatermark: number }): Promise<RunResult> {
    return this.serially(() => this.apply(items, partitionLog), 'inputs');
  }

  /** Forgets the domain (its partition went to another worker): timers stop; nothing more is written. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clear();
    if (this.recovery) clearTimeout(this.recovery);
    await this.tail.catch(() => {});
    await this.publisher.stop();
  }

  private serially<T>(work: () => Promise<T>, what: string): Promise<T> {
    const next = this.tail.then(async () => {
      if (this.stopped) throw new FencedError(this.domain, this.epoch);
      // Every decision of the domain waits for this one: say so when it takes far too long, rather than go silent.
      const started = Date.now();
      const watch = setInterval(() => {
        this.options.log.warn({ domain: this.domain, what, ms: Date.now() - started }, 'a routing step is taking too long; the domain waits for it');
      }, 10_000);
      watch.unref();
      try {
        return await work();
      } finally {
        clearInterval(watch);
      }
    });
    this.tail = next.catch(() => {});
    return next;
  }

  private async rebuild(): Promise<void> {
    const started = performance.now();
    const owned = await readOwnedDomain(this.options.db.$client, this.domain, this.epoch);
    if (!owned) throw this.fenced();
    const rows = await loadDomain(this.options.db.$client, this.domain);
    const loaded = performance.now();
    this.state = restoreDomain(rows, owned.nextSequence);
    this.random = createRandom(owned.randomState);
    this.applied = { partition: owned.appliedPartition, offset: owned.appliedOffset };
    if (owned.appliedOffset !== null && owned.appliedLog !== null && owned.appliedLog !== this.options.inputsLog) {
      this.options.log.warn(
        { domain: this.domain, appliedOffset: owned.appliedOffset, appliedLog: owned.appliedLog, inputsLog: this.options.inputsLog },
        'the applied offset stored for this domain is of another Kafka cluster (its data was made anew): forgetting it',
      );
      this.applied = { partition: null, offset: null };
    }
    this.lastSequence.clear();
    for (const call of rows.calls) this.lastSequence.set(call.id, call.lastSequence);
    this.live.ringStarts.clear();
    for (const { callId, agentId, rungAt } of rows.ringStarts) {
      let starts = this.live.ringStarts.get(callId);
      if (!starts) this.live.ringStarts.set(callId, (starts = new Map()));
      starts.set(agentId, rungAt);
    }
    this.live.handleTimes.clear();
    for (const { queueId, ...times } of rows.handledCalls) this.handleTimesOf(queueId).add(times);
    this.timers.clear();
    for (const timer of rows.timers) this.timers.set(timer.key, timer.fireAt, timer.input as unknown as RoutingInput);
    this.options.log.info(
      {
        domain: this.domain, agents: rows.agents.length, liveCalls: rows.calls.length, timers: rows.timers.length,
        ms: Math.round(performance.now() - started), loadMs: Math.round(loaded - started), restoreMs: Math.round(performance.now() - loaded),
      },
      'rebuilt the routing domain from PostgreSQL',
    );
    // Agents made available outside the engine (demo data, a changed configuration) take waiting calls now.
    const effects = new DecisionEffects(this.lastSequence, this.live);
    this.decideInto(effects, { type: 'configuration_changed' });
    await this.commit(effects);
    // Applied-request records older than a day can go (any worker may prune; a rebuild is rare enough), off the path
    // to the domain's first decision.
    pruneAppliedRequests(this.options.db.$client).catch((error: unknown) => this.options.log.warn({ err: error, domain: this.domain }, 'could not prune applied requests'));
  }

  private async apply(items: readonly RouterItem[], partitionLog?: { highWatermark: number }): Promise<RunResult> {
    if (!this.state) await this.rebuild();
    if (items.length && partitionLog) this.forgetOffsetPastLogEnd(items[0]!.partition, partitionLog.highWatermark);
    const result: RunResult = { decided: 0, redelivered: 0, unknownCalls: [] };
    const newCallIds = items.flatMap((item) => (item.kind === 'call' ? [item.message.call.id] : []));
    const requestIds = items.flatMap((item) => (item.kind === 'action' ? [item.message.requestId] : []));
    const [statuses, seenRequests] = await Promise.all([
      callStatuses(this.options.db.$client, newCallIds),
      appliedRequests(this.options.db.$client, requestIds),
    ]);
    let effects = new DecisionEffects(this.lastSequence, this.live);
    for (const item of items) {
      if (this.alreadyApplied(item)) {
        result.redelivered++;
        continue;
      }
      if (item.kind === 'call' && statuses.get(item.message.call.id) === 'received' && (await this.configurationBehind(item.message))) {
        // The call's request overtook the reload of the change that made its destination: a call request is sent right
        // after its intake commits, a reload through the outbox (and maybe by another call-api). Load the configuration
        // now, having committed what came before, rather than fail the call as `unknown_destination`.
        this.options.log.info({ domain: this.domain, callId: item.message.call.id }, 'a call came for a destination made after the last reload: reloading first');
        await this.commit(effects);
        await this.rebuild();
        effects = new DecisionEffects(this.lastSequence, this.live);
      }
      effects.applied = { partition: item.partition, offset: item.offset, log: this.options.inputsLog };
      if (item.kind === 'reload') {
        await this.commit(effects);
        await this.rebuild();
        effects = new DecisionEffects(this.lastSequence, this.live);
        continue;
      }
      if (item.kind === 'call') {
        const { call } = item.message;
        const status = statuses.get(call.id);
        if (status === undefined) {
          result.unknownCalls.push(item.message);
          continue;
        }
        if (status !== 'received') {
          result.redelivered++;
          continue;
        }
        statuses.set(call.id, 'routed'); // a second copy in this batch is a redelivery too
        this.lastSequence.set(call.id, 1); // call.received, written by the API
        if (item.message.received) effects.received(item.message.received);
        this.decideInto(effects, {
          type: 'call_arrived',
          call: { id: call.id, destination: { kind: call.destination.kind, id: call.destination.id }, language: call.language, priority: call.priority },
        });
        result.decided++;
        continue;
      }
      const { action, requestId } = item.message;
      if (seenRequests.has(requestId)) {
        // A copy of an action already decided (its outbox claim failed after Kafka's ack): once is enough.
        result.redelivered++;
        continue;
      }
      seenRequests.add(requestId);
      const ignored = this.decideInto(effects, action);
      effects.answer(requestId, ignored);
      result.decided++;
    }
    await this.commit(effects);
    return result;
  }

  /**
   * A log never shrinks at its end: an applied offset at or past the partition's end is of another log (the topic
   * deleted and made again), and skipping by it would drop new messages as redeliveries. Forget it; each call's status
   * and each action's request id still keep a true redelivery from being applied twice.
   */
  private forgetOffsetPastLogEnd(partition: number, highWatermark: number): void {
    const { applied } = this;
    if (applied.partition !== partition || applied.offset === null || highWatermark > applied.offset) return;
    this.options.log.warn(
      { domain: this.domain, partition, appliedOffset: applied.offset, highWatermark },
      'the applied offset stored for this domain is past the end of its partition (routing-inputs was made anew): forgetting it',
    );
    this.applied = { partition: null, offset: null };
  }

  /** The engine does not know the call's destination, but the database has it: this worker's configuration is stale. */
  private async configurationBehind({ call }: CallRequested): Promise<boolean> {
    const { kind, id } = call.destination;
    const known = kind === 'queue' ? this.state!.queues.has(id) : this.state!.ringGroups.has(id);
    return !known && (await destinationExists(this.options.db.$client, this.domain, { kind, id }));
  }

  private alreadyApplied(item: RouterItem): boolean {
    return this.applied.partition === item.partition && this.applied.offset !== null && item.offset <= this.applied.offset;
  }

  /** One engine decision into `effects`; returns why the engine ignored the input, if it did. */
  private decideInto(effects: DecisionEffects, input: RoutingInput): string | undefined {
    const now = clock();
    const result = decide(this.state!, input, { now, random: this.random });
    effects.add(this.state!, input, result, now);
    return result.ignored;
  }

  private fireTimer(timer: DueTimer): Promise<void> {
    return this.serially(async () => {
      if (!this.state) await this.rebuild();
      const effects = new DecisionEffects(this.lastSequence, this.live);
      effects.timerFired(timer.key);
      this.decideInto(effects, timer.input);
      await this.commit(effects);
    }, `timer ${timer.key}`).catch((error: unknown) => {
      if (error instanceof FencedError) return;
      // The timer is still in routing_timers: rebuilding schedules it again.
      this.options.log.warn({ err: error, domain: this.domain, timer: timer.key }, 'timer decision failed; rebuilding the domain in 1 s');
      this.scheduleRecovery();
    });
  }

  private scheduleRecovery(): void {
    if (this.recovery || this.stopped) return;
    this.recovery = setTimeout(() => {
      this.recovery = null;
      this.serially(() => this.rebuild(), 'rebuild').catch((error: unknown) => {
        if (error instanceof FencedError) return;
        this.options.log.warn({ err: error, domain: this.domain }, 'rebuild failed; retrying in 1 s');
        this.scheduleRecovery();
      });
    }, 1_000);
  }

  /**
   * Writes the effects in one transaction that first proves the epoch. On any failure the in-memory state, already
   * ahead of the database, is dropped: the next run rebuilds it from what did commit, and the inputs come again.
   */
  private async commit(effects: DecisionEffects): Promise<void> {
    if (effects.isEmpty) return;
    const write = effects.toWrite({
      domain: this.domain, epoch: this.epoch, randomState: this.random.state, nextSequence: this.state!.nextSequence,
      publishedTx: this.publisher.positionToSave(),
    });
    let tx: string;
    let visitsUpdated: VisitStored[];
    try {
      [tx, visitsUpdated] = await this.options.db.$client.begin(async (sql) => {
        // One round trip: the fence goes first in the pipeline, so it runs first and holds the domain's row until the
        // commit. If it finds another epoch it throws once the writes behind it ran, and the transaction rolls them back.
        const [txId, , written] = await Promise.all([
          fenceDecision(sql, write),
          effects.events.length ? insertCallEvents(sql, effects.events) : null,
          writeDecision(sql, write),
        ]);
        return [txId, written.visitsUpdated] as const;
      });
    } catch (error) {
      this.state = null;
      if (error instanceof FencedError) throw this.fenced();
      throw error;
    }
    if (effects.applied) this.applied = { ...effects.applied };
    for (const callId of effects.ended) this.lastSequence.delete(callId);
    for (const [key, timer] of effects.timers) {
      if (timer) this.timers.set(key, timer.at, timer.input);
      else this.timers.cancel(key);
    }
    if (write.publishedTx !== null) this.publisher.positionSaved(write.publishedTx);
    this.publisher.committed(tx, effects.published);
    this.measureHandleTimes(write.visits, visitsUpdated);
    this.options.onCommitted?.({ decisions: effects.decisions, visits: write.visits, visitsUpdated });
  }

  private handleTimesOf(queueId: string): HandleTimeWindow {
    let window = this.live.handleTimes.get(queueId);
    if (!window) this.live.handleTimes.set(queueId, (window = new HandleTimeWindow(handleTimeWindowCalls)));
    return window;
  }

  /** Answered calls that ended at a queue in this commit join its handle-time window, as `loadDomain` reads them back. */
  private measureHandleTimes(visits: DecisionWrite['visits'], stored: VisitStored[]): void {
    const where = new Map(stored.map((v) => [v.callId, v]));
    const ended = [
      ...visits.opened,
      ...visits.updated.flatMap((v) => {
        const s = where.get(v.callId);
        return s ? [{ ...v, destinationKind: s.destinationKind, destinationId: s.destinationId, answeredAt: v.answeredAt ?? s.answeredAt, rungAt: v.rungAt ?? s.rungAt }] : [];
      }),
    ];
    for (const v of ended) {
      if (v.destinationKind !== 'queue' || v.endedAt === null || v.answeredAt === null || v.rungAt === null) continue;
      this.handleTimesOf(v.destinationId).add({ ringToAnswerSec: v.answeredAt - v.rungAt, ringToEndSec: v.endedAt - v.rungAt });
    }
  }

  private fenced(): FencedError {
    if (!this.stopped) {
      this.stopped = true;
      this.timers.clear();
      void this.publisher.stop();
      this.options.log.warn({ domain: this.domain, epoch: this.epoch }, 'another worker owns the routing domain now; this one writes nothing more for it');
      this.options.onFenced?.(this.domain);
    }
    return new FencedError(this.domain, this.epoch);
  }
}

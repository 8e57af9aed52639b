// The whole system as processes: HTTP in, PostgreSQL and Kafka between, the worker out; and faults that lose nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicUntil } from '../../messaging/test/read-topic.ts';
import { readWholeTopic } from '../../messaging/test/read-whole-topic.ts';
import { expectStoredEventsOnTopicInOrder } from './call-events-topic.ts';
import { startKafka, stopKafka } from '../../local-stack/src/test/context.ts';
import { eventually, startSystem, type System } from './system.ts';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

/** Posts `count` calls at once; every answer must be 202. */
async function postCalls(count: number, to: string): Promise<string[]> {
  const responses = await Promise.all(Array.from({ length: count }, (_, i) => system.post({ from: `+1555${String(i).padStart(7, '0')}`, to, language: 'en' })));
  const statuses = responses.map((r) => r.status);
  expect(statuses.filter((s) => s !== 202), 'answers that were not 202').toEqual([]);
  return Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id));
}

/**
 * Each call queued once, with exactly its two events, both on call-events in order. On routing-inputs each call's request is there once, or (where a
 * send may have been abandoned at the relay's deadline and then completed by Kafka anyway) at least once: the copies
 * are returned, for the worker's count of requests it recognised and skipped.
 */
async function expectEachQueuedOnce(ids: string[], delivery: 'exactly once' | 'at least once' = 'exactly once'): Promise<number> {
  for (const id of ids) {
    const call = await system.getCall(id);
    expect(call.status).toBe('queued');
    expect(call.events.map((e: { type: string }) => e.type)).toEqual(['call.received', 'call.queued']);
  }
  const requests = await readWholeTopic(system.kafka, system.topics.routingInputs);
  const copies = new Map<string, number>();
  for (const m of requests) if (m.value.type === 'call.requested') copies.set(m.value.call.id, (copies.get(m.value.call.id) ?? 0) + 1);
  expect(ids.filter((id) => (copies.get(id) ?? 0) < 1), 'calls missing from routing-inputs').toEqual([]);
  if (delivery === 'exactly once') expect(ids.filter((id) => copies.get(id) !== 1).map((id) => copies.get(id) ?? 0), 'calls not on routing-inputs exactly once').toEqual([]);
  // And on call-events, both events of each, in order (the worker publishes them from what its decisions committed).
  await expectStoredEventsOnTopicInOrder(system.kafka, system.topics.callEvents, new Map(ids.map((id) => [id, [1, 2]])));
  return ids.reduce((extra, id) => extra + (copies.get(id)! - 1), 0);
}

describe('a call through the running system', () => {
  it('is accepted with 202, queued by the worker within a second, with its events on call-events', async () => {
    const response = await system.post({ from: '+15550001', to: system.queue.number, language: 'en' });
    const posted = performance.now();
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(response.headers.get('location')).toBe(`/calls/${id}`);

    const call = await eventually(() => system.getCall(id), (c) => c.status === 'queued', 'the call to be queued', 5_000);
    const waitedMs = performance.now() - posted;
    expect(waitedMs, `queued after ${waitedMs.toFixed(0)} ms`).toBeLessThan(1_000);
    expect(call.events.map((e: { type: string; sequence: number }) => [e.sequence, e.type])).toEqual([[1, 'call.received'], [2, 'call.queued']]);

    const { match: request } = await readTopicUntil(system.kafka, system.topics.routingInputs, (m) => m.value.call?.id === id);
    expect(request.key).toBe(system.domain);
    const { all } = await readTopicUntil(system.kafka, system.topics.callEvents, (_m, all) => all.filter((m) => m.key === id).length >= 2);
    expect(all.filter((m) => m.key === id).map((m) => m.value.type)).toEqual(['call.received', 'call.queued']);
  });

  it('ends a ring-group call unanswered when the group has nobody to ring and no failover', async () => {
    const response = await system.post({ from: '+15550002', to: system.group.number, language: 'fr' });
    const { id } = (await response.json()) as { id: string };
    const call = await eventually(() => system.getCall(id), (c) => c.status === 'unanswered', 'the call to end unanswered');
    expect(call.events.map((e: { type: string }) => e.type)).toEqual(['call.received', 'call.unanswered']);
  });
});

describe('faults lose nothing', () => {
  it('takes 100 calls while Kafka is down and delivers every one to the worker, each decided once, once Kafka is back', async () => {
    const decidedBefore = await system.workerCount('decided');
    const redeliveredBefore = await system.workerCount('redelivered');
    await stopKafka();
    let ids: string[];
    try {
      ids = await postCalls(100, system.queue.number);
      const whileDown = await Promise.all(ids.slice(0, 5).map((id) => system.getCall(id)));
      expect(whileDown.map((c) => c.status)).toEqual(Array(5).fill('received'));
    } finally {
      await startKafka();
    }
    await eventually(async () => (await Promise.all(ids.map((id) => system.getCall(id)))).filter((c) => c.status === 'queued').length, (n) => n === 100, 'all 100 calls to be queued', 90_000);
    // Kafka's stop and start can outlast OUTBOX_SEND_TIMEOUT_MS: a claim then rolls back while Kafka may still take the
    // abandoned send, so a request can be on the topic twice (at least once). The worker decides each call once and
    // recognises every copy.
    const copies = await expectEachQueuedOnce(ids, 'at least once');
    expect(await system.workerCount('decided')).toBe(decidedBefore + 100);
    expect(await system.workerCount('redelivered')).toBe(redeliveredBefore + copies);
  });

  it('loses no call when the worker is killed (SIGKILL) and another takes over', async () => {
    system.worker.child.kill('SIGKILL');
    await eventually(async () => system.worker.child.exitCode !== null || system.worker.child.signalCode !== null, Boolean, 'the worker to die');
    const ids = await postCalls(50, system.queue.number);
    await system.startWorker();
    await eventually(async () => (await Promise.all(ids.map((id) => system.getCall(id)))).filter((c) => c.status === 'queued').length, (n) => n === 50, 'all 50 calls to be queued', 60_000);
    // The calls wait `received` while no worker runs, longer than CALL_REQUEST_RESEND_AFTER_MS: their requests may be
    // sent again (at least once). The new worker decides each call once and recognises every copy.
    const copies = await expectEachQueuedOnce(ids, 'at least once');
    expect(await system.workerCount('decided')).toBe(50);
    expect(await system.workerCount('redelivered')).toBe(copies);
    expect(system.exits).toEqual(['queue-worker exited SIGKILL']);
  });

  it('drains on SIGTERM: the worker exits 0 and leaves its group, and the calls it did not take wait for the next one', async () => {
    const worker = system.worker;
    await worker.stop();
    expect(worker.child.exitCode).toBe(0);
    const ids = await postCalls(30, system.queue.number);
    await system.startWorker();
    await eventually(async () => (await Promise.all(ids.map((id) => system.getCall(id)))).filter((c) => c.status === 'queued').length, (n) => n === 30, 'all 30 calls to be queued', 30_000);
    await expectEachQueuedOnce(ids);
  });

  it('drains on SIGTERM: every call the API answered 202 before it closed is stored and reaches the worker', async () => {
    const api = system.api;
    const inFlight = Array.from({ length: 60 }, (_, i) =>
      system.post({ from: `+1666${String(i).padStart(7, '0')}`, to: system.queue.number, language: 'en' }).then(
        async (r) => ({ status: r.status, id: r.status === 202 ? ((await r.json()) as { id: string }).id : undefined }),
        () => ({ status: 0, id: undefined }), // refused: the listener had closed
      ),
    );
    // SIGTERM once the first answer is back, with the rest still in flight.
    await Promise.race(inFlight);
    await api.stop();
    expect(api.child.exitCode).toBe(0);
    const answers = await Promise.all(inFlight);
    expect(answers.filter((a) => a.status !== 202 && a.status !== 0 && a.status !== 503), 'answers other than 202 or a refusal').toEqual([]);
    const accepted = answers.flatMap((a) => (a.id ? [a.id] : []));
    expect(accepted.length).toBeGreaterThan(0);
    await system.startApi();
    await eventually(async () => (await Promise.all(accepted.map((id) => system.getCall(id)))).filter((c) => c.status === 'queued').length, (n) => n === accepted.length, 'every accepted call to be queued', 30_000);
    await expectEachQueuedOnce(accepted);
  });
});

// Snapshot and restore: a restored state decides exactly as the original, and `touched` names every record that changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRandom, restoreRoutingState, snapshotRoutingState,
  type DecisionResult, type RoutingConfig, type RoutingInput, type RoutingSnapshot,
} from '../src/index.ts';
import { configArbitrary, reconfigurationArbitrary, stepAction, stepArbitrary, type Step } from './random-scenarios.ts';
import { agents, TestShell } from './test-shell.ts';

describe('the random source can be saved', () => {
  it('createRandom(random.state) draws what random would have drawn next', () => {
    const random = createRandom(42);
    for (let index = 0; index < 17; index++) random.next();
    const saved = JSON.parse(JSON.stringify({ state: random.state })) as { state: number };
    const resumed = createRandom(saved.state);
    const expected = Array.from({ length: 50 }, () => random.next());
    expect(Array.from({ length: 50 }, () => resumed.next())).toEqual(expected);
    expect(resumed.state).toBe(random.state);
  });

  it('the state is a uint32, and a fresh source starts at its seed', () => {
    expect(createRandom(7).state).toBe(7);
    expect(createRandom(-1).state).toBe(4294967295);
    const random = createRandom(1);
    random.next();
    expect(Number.isInteger(random.state) && random.state >= 0 && random.state < 2 ** 32).toBe(true);
  });
});

type Logged = { input: RoutingInput } & Pick<DecisionResult, 'commands' | 'ignored' | 'touched'>;

function logDecisions(shell: TestShell): Logged[] {
  const log: Logged[] = [];
  shell.afterDecide = (input, { commands, ignored, touched }) => log.push({ input, commands, ignored, touched });
  return log;
}

/**
 * Runs the steps on one shell, saves it at `splitAt` (JSON round trip, random position, timers, clock), restores a
 * second shell from the save, then feeds both the same inputs and lets both fire their own timers: every decision
 * must be the same, and so must the states.
 */
function replayAcrossRestore(config: RoutingConfig, steps: readonly Step[], splitAt: number, seed: number): number {
  const original = new TestShell(config, seed);
  let nextCall = 0;
  const newCallId = () => `c${nextCall++}`;
  const play = (shells: readonly TestShell[], step: Step) => {
    const action = stepAction(step, shells[0]!.state, newCallId);
    for (const shell of shells) {
      if (action.kind === 'advance') shell.advance(action.seconds);
      else if (action.kind === 'send') shell.send(action.input);
    }
  };
  for (const step of steps.slice(0, splitAt)) play([original], step);
  const saved = original.save();
  const restored = TestShell.restored(config, saved);
  expect(restored.save(), 'restore then snapshot gives the snapshot back').toEqual(saved);
  const expected = logDecisions(original);
  const actual = logDecisions(restored);
  let compared = 0;
  const compare = () => {
    expect(actual.length).toBe(expected.length);
    expect(actual.slice(compared)).toEqual(expected.slice(compared));
    compared = expected.length;
  };
  for (const step of steps.slice(splitAt)) {
    play([original, restored], step);
    compare();
  }
  // Both wind down the same way: every call ends, everyone logs off, every timer runs out.
  for (const call of [...original.state.calls.values()]) {
    if (call.status === 'answered') for (const shell of [original, restored]) shell.send({ type: 'call_ended', callId: call.id });
  }
  for (const agent of [...original.state.agents.values()]) {
    if (agent.state === 'offline' || agent.state === 'on_call') continue;
    for (const shell of [original, restored]) shell.send({ type: 'agent_presence_changed', agentId: agent.id, state: 'offline' });
  }
  for (const shell of [original, restored]) shell.advance(100);
  compare();
  expect(restored.save()).toEqual(original.save());
  return expected.length;
}

describe('a restored state decides exactly as the original would', () => {
  it('over random configurations, inputs and restore points', { timeout: 60_000 }, () => {
    let decisions = 0;
    const scenario = fc.record({
      config: configArbitrary,
      steps: fc.array(stepArbitrary, { minLength: 60, maxLength: 300, size: 'max' }),
      split: fc.nat(),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(scenario, ({ config, steps, split, seed }) => {
        decisions += replayAcrossRestore(config, steps, split % (steps.length + 1), seed);
      }),
      { numRuns: 200, seed: 20_250_301 },
    );
    // Thousands of decisions after a restore, or the property proves little.
    expect(decisions).toBeGreaterThan(10_000);
  });

  it('with one busy queue and every strategy that depends on who became free when', () => {
    for (const strategy of ['ring_all', 'random', 'weighted_random', 'longest_idle', 'round_robin'] as const) {
      const config: RoutingConfig = {
        agents: agents(5),
        queues: [{ id: 'q0', strategy, ringTimeoutSec: 2, members: agents(5).map(({ id }, position) => ({ agentId: id, position, penalty: position % 3 })) }],
        ringGroups: [{ id: 'g0', strategy: 'ring_all', members: ['a1', 'a2'] }],
      };
      fc.assert(
        fc.property(fc.array(stepArbitrary, { minLength: 100, maxLength: 300 }), fc.nat(), (steps, split) => {
          replayAcrossRestore(config, steps, split % steps.length, 3);
        }),
        { numRuns: 15, seed: 11 },
      );
    }
  });
});

/** Ids of the records that differ between two lists of snapshots, including those only in one. */
function changedIds<T extends { id: string }>(before: readonly T[], after: readonly T[]): string[] {
  const old = new Map(before.map((record) => [record.id, JSON.stringify(record)]));
  const now = new Map(after.map((record) => [record.id, JSON.stringify(record)]));
  return [...new Set([...old.keys(), ...now.keys()])].filter((id) => old.get(id) !== now.get(id));
}

function checkTouched(config: RoutingConfig, steps: readonly Step[], reconfigure: { at: number; config: RoutingConfig }): number {
  const shell = new TestShell(config, 9);
  let before: RoutingSnapshot | undefined;
  let decisions = 0;
  shell.beforeDecide = () => {
    before = snapshotRoutingState(shell.state);
  };
  shell.afterDecide = (input, { touched, ignored }) => {
    decisions++;
    const after = snapshotRoutingState(shell.state);
    const lists = [
      ['call', changedIds(before!.calls, after.calls), touched.callIds],
      ['agent', changedIds(before!.agents, after.agents), touched.agentIds],
      ['queue', changedIds(before!.queues, after.queues), touched.queueIds],
      ['ring group', changedIds(before!.ringGroups, after.ringGroups), touched.ringGroupIds],
    ] as const;
    for (const [kind, changed, listed] of lists) {
      for (const id of changed) expect(listed, `${input.type} changed ${kind} ${id}`).toContain(id);
      expect(new Set(listed).size, `${kind} listed once`).toBe(listed.length);
    }
    if (after.nextSequence !== before!.nextSequence) expect(input.type).toBe('call_arrived');
    if (ignored !== undefined) {
      expect(after, `${input.type} ignored (${ignored}) yet changed the state`).toEqual(before);
      expect(touched).toEqual({ callIds: [], agentIds: [], queueIds: [], ringGroupIds: [] });
    }
  };
  let nextCall = 0;
  for (const [index, step] of steps.entries()) {
    if (index === reconfigure.at) shell.reconfigure(reconfigure.config);
    const action = stepAction(step, shell.state, () => `c${nextCall++}`);
    if (action.kind === 'advance') shell.advance(action.seconds);
    else if (action.kind === 'send') shell.send(action.input);
  }
  return decisions;
}

describe('touched lists every record a decision changed', () => {
  it('over random configurations and inputs, across a configuration change', { timeout: 60_000 }, () => {
    let decisions = 0;
    const scenario = fc.record({
      config: configArbitrary,
      next: reconfigurationArbitrary,
      steps: fc.array(stepArbitrary, { minLength: 60, maxLength: 300, size: 'max' }),
      at: fc.nat(),
    });
    fc.assert(
      fc.property(scenario, ({ config, next, steps, at }) => {
        decisions += checkTouched(config, steps, { at: at % steps.length, config: next });
      }),
      { numRuns: 200, seed: 20_250_302 },
    );
    expect(decisions).toBeGreaterThan(10_000);
  });

  it('lists a call that ended in the decision, though the state no longer has it', () => {
    const shell = new TestShell({ agents: agents(1), queues: [{ id: 'q1', strategy: 'ring_all', members: [{ agentId: 'a1' }] }] });
    shell.arrive('c1', 'q1');
    shell.answer('c1', 'a1');
    const { touched } = shell.end('c1');
    expect(shell.state.calls.has('c1')).toBe(false);
    expect(touched).toEqual({ callIds: ['c1'], agentIds: ['a1'], queueIds: [], ringGroupIds: [] });
  });

  it('lists the queue whose round-robin cursor (the member last rung) changed, and only for round_robin', () => {
    const members = [{ agentId: 'a1' }, { agentId: 'a2' }];
    const shell = new TestShell({
      agents: agents(4),
      queues: [
        { id: 'q1', strategy: 'round_robin', members },
        { id: 'q2', strategy: 'longest_idle', members: [{ agentId: 'a3' }] },
      ],
      ringGroups: [{ id: 'g1', strategy: 'round_robin', members: ['a4'] }],
    });
    expect(shell.arrive('c1', 'q1').touched).toMatchObject({ queueIds: ['q1'], ringGroupIds: [] });
    expect(shell.answer('c1', 'a1').touched).toMatchObject({ queueIds: [], ringGroupIds: [] });
    expect(shell.arrive('c2', 'q2').touched).toMatchObject({ queueIds: [], ringGroupIds: [] });
    expect(shell.arrive('c3', 'g1', { kind: 'ring_group' }).touched).toMatchObject({ queueIds: [], ringGroupIds: ['g1'] });
  });
});

describe('restore from a snapshot taken under another configuration', () => {
  const base: RoutingConfig = {
    agents: agents(3),
    queues: [
      { id: 'sales', strategy: 'ring_all', members: [{ agentId: 'a1' }, { agentId: 'a2' }] },
      { id: 'support', strategy: 'top_down', wrapUpSec: 30, members: [{ agentId: 'a3' }] },
    ],
  };

  function busyShell() {
    const shell = new TestShell(base);
    shell.arrive('ringing', 'sales');
    shell.arrive('talking', 'support');
    shell.answer('talking', 'a3');
    shell.arrive('waiting', 'support');
    return shell;
  }

  it('keeps an agent deleted from the configuration while a call rings it, outside every queue', () => {
    const shell = busyShell();
    const config = { ...base, agents: base.agents.filter(({ id }) => id !== 'a1') };
    const state = restoreRoutingState(config, shell.save().routing);
    expect(state.agents.get('a1')).toMatchObject({ state: 'ringing', callId: 'ringing', queueIds: [] });
    expect(state.queues.get('sales')!.members.has('a1')).toBe(false);
    expect([...state.calls.get('ringing')!.ringing]).toEqual(['a1', 'a2']);
  });

  it('drops a deleted agent that no call needs, and starts a new one as configured with availableSince 0', () => {
    const shell = new TestShell(base);
    shell.advance(50);
    shell.send({ type: 'agent_presence_changed', agentId: 'a1', state: 'break' });
    const config: RoutingConfig = { ...base, agents: [...base.agents.filter(({ id }) => id !== 'a2'), { id: 'new', languages: ['en'], state: 'available' }] };
    const state = restoreRoutingState(config, shell.save().routing);
    expect(state.agents.has('a2')).toBe(false);
    expect(state.agents.get('a1')!.state).toBe('break');
    expect(state.agents.get('new')).toMatchObject({ state: 'available', availableSince: 0, callsAnswered: 0 });
  });

  it('keeps calls whose queue was deleted: the answered one ends without wrap-up, the waiting one fails', () => {
    const shell = busyShell();
    shell.reconfigure({ ...base, queues: base.queues!.filter(({ id }) => id !== 'support') });
    const commands = shell.take();
    expect(commands).toContainEqual({ type: 'end_call', callId: 'waiting', status: 'failed', reason: 'unknown_destination' });
    expect(shell.status('talking')).toBe('answered');
    shell.end('talking');
    expect(shell.agentState('a3')).toBe('available');
  });

  it('a call ringing in a deleted queue rings on: an answer connects it, no answer fails it', () => {
    const withoutSales = { ...base, queues: base.queues!.filter(({ id }) => id !== 'sales') };
    const answered = busyShell();
    answered.reconfigure(withoutSales);
    expect(answered.ringing('ringing')).toEqual(['a1', 'a2']);
    answered.take();
    answered.answer('ringing', 'a2');
    expect(answered.take()).toContainEqual({ type: 'connect', callId: 'ringing', agentId: 'a2' });

    const unanswered = busyShell();
    unanswered.reconfigure(withoutSales);
    unanswered.take();
    unanswered.advance(15);
    expect(unanswered.take()).toContainEqual({ type: 'end_call', callId: 'ringing', status: 'failed', reason: 'unknown_destination' });
    expect(unanswered.agentState('a1')).toBe('available');
  });

  it('a call answered by an agent deleted with its snapshot still ends, and its agent is dropped at the next restore', () => {
    const shell = busyShell();
    const saved = shell.save().routing;
    const config = { ...base, agents: base.agents.filter(({ id }) => id !== 'a3') };
    const withoutAgentRow = { ...saved, agents: saved.agents.filter(({ id }) => id !== 'a3') };
    const state = restoreRoutingState(config, withoutAgentRow);
    expect(state.agents.get('a3')).toMatchObject({ state: 'on_call', callId: 'talking' });
    const restored = TestShell.restored(config, { ...shell.save(), routing: withoutAgentRow });
    restored.end('talking');
    expect(restoreRoutingState(config, snapshotRoutingState(restored.state)).agents.has('a3')).toBe(false);
  });
});

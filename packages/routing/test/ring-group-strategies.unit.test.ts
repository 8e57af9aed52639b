// Who rings at each step for each ring-group strategy, and when the call fails over.
import { describe, expect, it } from 'vitest';
import type { RingGroupConfig, RingGroupStrategy } from '../src/index.ts';
import { agents, TestShell } from './test-shell.ts';

function groupShell(strategy: RingGroupStrategy, extra: Partial<RingGroupConfig> = {}, seed = 1) {
  return new TestShell({
    agents: agents(4),
    queues: [{ id: 'fallback', strategy: 'ring_all', members: [] }],
    ringGroups: [{
      id: 'g1', strategy, ringTimeoutSec: 10, totalTimeoutSec: 300,
      failover: { kind: 'queue', id: 'fallback' }, members: ['a1', 'a2', 'a3'], ...extra,
    }],
  }, seed);
}

/** Who rang at each step until the call left the group. */
function steps(shell: TestShell, callId: string, busy: string[] = []): string[][] {
  for (const agentId of busy) shell.send({ type: 'agent_presence_changed', agentId, state: 'break' });
  shell.arrive(callId, 'g1', { kind: 'ring_group' });
  const rung: string[][] = [];
  while (shell.state.calls.get(callId)?.destination.id === 'g1' && rung.length < 10) {
    rung.push(shell.ringing(callId));
    shell.advance(10);
  }
  return rung;
}

describe('ring-group strategies: who rings at each step', () => {
  const cases: { strategy: RingGroupStrategy; busy?: string[]; rung: string[][] }[] = [
    { strategy: 'ring_all', rung: [['a1', 'a2', 'a3']] },
    { strategy: 'hunt', rung: [['a1'], ['a2'], ['a3']] },
    { strategy: 'hunt', busy: ['a2'], rung: [['a1'], ['a3']] },
    { strategy: 'memory_hunt', rung: [['a1'], ['a1', 'a2'], ['a1', 'a2', 'a3']] },
    { strategy: 'memory_hunt', busy: ['a1'], rung: [['a2'], ['a2', 'a3']] },
    { strategy: 'round_robin', rung: [['a1'], ['a2'], ['a3']] },
    { strategy: 'first_available', rung: [['a1']] },
    { strategy: 'first_available', busy: ['a1', 'a2'], rung: [['a3']] },
  ];
  it.each(cases)('$strategy with busy $busy rings $rung, then fails over', ({ strategy, busy, rung }) => {
    const shell = groupShell(strategy);
    expect(steps(shell, 'c1', busy)).toEqual(rung);
    expect(shell.state.calls.get('c1')?.destination).toEqual({ kind: 'queue', id: 'fallback' });
    expect(shell.eventsOf('c1', shell.take())).toContain('call.overflowed');
  });

  it('random rings each member once, in an order that replays from the seed', () => {
    const run = (seed: number) => steps(groupShell('random', {}, seed), 'c1');
    const first = run(11);
    expect(first.flat().sort()).toEqual(['a1', 'a2', 'a3']);
    expect(run(11)).toEqual(first);
    const orders = new Set(Array.from({ length: 30 }, (_, seed) => run(seed).flat().join()));
    expect(orders.size).toBeGreaterThan(3);
  });

  it('round_robin starts after the member rung last (here the one who answered)', () => {
    const shell = groupShell('round_robin');
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    shell.advance(10);
    shell.answer('c1', 'a2');
    shell.end('c1');
    shell.arrive('c2', 'g1', { kind: 'ring_group' });
    expect(shell.ringing('c2')).toEqual(['a3']);
    shell.advance(10);
    expect(shell.ringing('c2')).toEqual(['a1']);
  });

  it('a decline moves the hunt on at once', () => {
    const shell = groupShell('hunt');
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    shell.decline('c1', 'a1');
    expect(shell.ringing('c1')).toEqual(['a2']);
  });

  it('ring_all adds members who became free while it rang', () => {
    const shell = groupShell('ring_all');
    shell.send({ type: 'agent_presence_changed', agentId: 'a3', state: 'break' });
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    shell.send({ type: 'agent_presence_changed', agentId: 'a3', state: 'available' });
    shell.decline('c1', 'a1');
    expect(shell.ringing('c1')).toEqual(['a2']);
    shell.advance(10);
    expect(shell.ringing('c1')).toEqual(['a3']);
  });

  it('totalTimeoutSec stops the ringing and fails over; with no failover the call is unanswered', () => {
    const shell = groupShell('hunt', { totalTimeoutSec: 15, failover: null });
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    shell.advance(10);
    expect(shell.ringing('c1')).toEqual(['a2']);
    shell.take();
    shell.advance(5);
    const commands = shell.take();
    expect(commands).toContainEqual({ type: 'stop_ringing', callId: 'c1', agentIds: ['a2'] });
    expect(shell.eventsOf('c1', commands)).toEqual(['call.no_answer', 'call.unanswered']);
    expect(shell.agentState('a2')).toBe('available');
    expect(shell.timers.size).toBe(0);
  });

  it('with no member free the call fails over at once: a ring group has no line', () => {
    const shell = groupShell('ring_all');
    for (const agentId of ['a1', 'a2', 'a3']) shell.send({ type: 'agent_presence_changed', agentId, state: 'offline' });
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    expect(shell.state.calls.get('c1')?.destination).toEqual({ kind: 'queue', id: 'fallback' });
  });

  it('the answer connects one member and stops the others; after the call the agent is free at once', () => {
    const shell = groupShell('memory_hunt');
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    shell.advance(10);
    shell.take();
    shell.answer('c1', 'a2');
    const commands = shell.take();
    expect(commands).toContainEqual({ type: 'stop_ringing', callId: 'c1', agentIds: ['a1'] });
    expect(commands).toContainEqual({ type: 'connect', callId: 'c1', agentId: 'a2' });
    shell.end('c1');
    expect(shell.agentState('a2')).toBe('available');
  });
});

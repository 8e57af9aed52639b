// A configuration change under live calls: restore with the new configuration, then `configuration_changed`.
import { describe, expect, it } from 'vitest';
import type { QueueConfig, RoutingConfig } from '../src/index.ts';
import { agents, TestShell } from './test-shell.ts';

const sales = (members: QueueConfig['members'], extra: Partial<QueueConfig> = {}): QueueConfig => ({
  id: 'sales', strategy: 'top_down', ringTimeoutSec: 10, members, ...extra,
});

/** a1 talks on `busy`; `old`, then `urgent` (priority 9), then `new` wait in sales. a2 is free but in no queue. */
function waitingCalls(extra: Partial<QueueConfig> = {}) {
  const config: RoutingConfig = { agents: agents(3), queues: [sales([{ agentId: 'a1' }], extra)] };
  const shell = new TestShell(config);
  shell.arrive('busy', 'sales');
  shell.answer('busy', 'a1');
  shell.advance(1);
  shell.arrive('old', 'sales');
  shell.advance(1);
  shell.arrive('urgent', 'sales', { priority: 9 });
  shell.advance(1);
  shell.arrive('new', 'sales');
  shell.take();
  return { shell, config };
}

describe('configuration_changed', () => {
  it('an agent added to a queue while calls wait takes the best of them', () => {
    const { shell, config } = waitingCalls();
    const result = shell.reconfigure({ ...config, queues: [sales([{ agentId: 'a1' }, { agentId: 'a2' }])] });
    expect(result.ignored).toBeUndefined();
    expect(shell.ringing('urgent')).toEqual(['a2']);
    expect(shell.status('old')).toBe('queued');
    expect(result.touched.agentIds).toEqual(['a2']);
    expect(result.touched.callIds).toEqual(['urgent']);
  });

  /**
   * a2 (sales and support) and a3 (sales only) join while `x` waits in sales and `y` (priority 5) in support. Whoever is
   * dispatched first decides which ring comes first: a3 takes `x` (a2 waits for the better `y`), a2 takes `y`.
   */
  function twoNewAgents(agentOrder: readonly string[], a2ComesBackAt: number | null) {
    const base: RoutingConfig = {
      agents: agents(3),
      queues: [sales([{ agentId: 'a1' }]), { id: 'support', strategy: 'ring_all', members: [{ agentId: 'a1' }] }],
    };
    const shell = new TestShell(base);
    shell.arrive('busy', 'sales');
    shell.answer('busy', 'a1');
    shell.arrive('x', 'sales');
    shell.arrive('y', 'support', { priority: 5 });
    if (a2ComesBackAt !== null) {
      shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'break' });
      shell.advance(a2ComesBackAt);
      shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' });
    }
    shell.take();
    const { commands } = shell.reconfigure({
      agents: agentOrder.map((id) => ({ id, languages: ['en'], state: 'available' as const })),
      queues: [
        sales([{ agentId: 'a1' }, { agentId: 'a2' }, { agentId: 'a3' }]),
        { id: 'support', strategy: 'ring_all', members: [{ agentId: 'a1' }, { agentId: 'a2' }] },
      ],
    });
    return commands.flatMap((command) => (command.type === 'ring' ? [`${command.callId}:${command.agentIds.join('+')}`] : []));
  }

  it('dispatches the longest available agent first, then by id', () => {
    expect(twoNewAgents(['a1', 'a2', 'a3'], null), 'equally long: a2 before a3').toEqual(['y:a2', 'x:a3']);
    expect(twoNewAgents(['a1', 'a2', 'a3'], 5), 'a3 available longer than a2').toEqual(['x:a3', 'y:a2']);
  });

  it('dispatches in an order that depends on the state only, not on the order agents are configured in', () => {
    expect(twoNewAgents(['a3', 'a2', 'a1'], null)).toEqual(twoNewAgents(['a1', 'a2', 'a3'], null));
    expect(twoNewAgents(['a1', 'a2', 'a3'], 5)).toEqual(twoNewAgents(['a3', 'a2', 'a1'], 5));
  });

  it('a strategy change takes effect for the next call', () => {
    const config: RoutingConfig = { agents: agents(3), queues: [sales([{ agentId: 'a1' }, { agentId: 'a2' }, { agentId: 'a3' }])] };
    const shell = new TestShell(config);
    shell.arrive('c1', 'sales');
    expect(shell.ringing('c1')).toEqual(['a1']);
    shell.reconfigure({ ...config, queues: [sales(config.queues![0]!.members, { strategy: 'ring_all' })] });
    expect(shell.ringing('c1'), 'the call ringing rings on as it was').toEqual(['a1']);
    shell.arrive('c2', 'sales');
    expect(shell.ringing('c2')).toEqual(['a2', 'a3']);
  });

  it('calls ringing stay ringing, even for an agent no longer a member', () => {
    const config: RoutingConfig = { agents: agents(2), queues: [sales([{ agentId: 'a1' }, { agentId: 'a2' }], { strategy: 'ring_all' })] };
    const shell = new TestShell(config);
    shell.arrive('c1', 'sales');
    shell.take();
    const result = shell.reconfigure({ ...config, queues: [sales([{ agentId: 'a2' }], { strategy: 'ring_all' })] });
    expect(result.ignored).toBe('unchanged');
    expect(result.commands).toEqual([]);
    expect(shell.ringing('c1')).toEqual(['a1', 'a2']);
    shell.answer('c1', 'a1');
    expect(shell.take()).toContainEqual({ type: 'connect', callId: 'c1', agentId: 'a1' });
  });

  it('an agent who now speaks the language takes the call that waited for one', () => {
    const config: RoutingConfig = {
      agents: [{ id: 'a1', languages: ['en'], state: 'available' }],
      queues: [sales([{ agentId: 'a1' }], { requireLanguage: true })],
    };
    const shell = new TestShell(config);
    shell.arrive('c1', 'sales', { language: 'es-MX' });
    expect(shell.status('c1')).toBe('queued');
    shell.reconfigure({ ...config, agents: [{ id: 'a1', languages: ['en', 'es'] }] });
    expect(shell.ringing('c1')).toEqual(['a1']);
  });

  it('tiers that no longer gate open at once to every member', () => {
    const config: RoutingConfig = { agents: agents(2), queues: [sales([{ agentId: 'a1' }, { agentId: 'a2', tier: 2 }], { tierWaitSec: 60 })] };
    const shell = new TestShell(config);
    shell.send({ type: 'agent_presence_changed', agentId: 'a1', state: 'break' });
    shell.arrive('c1', 'sales');
    expect(shell.status('c1')).toBe('queued');
    shell.reconfigure({ ...config, queues: [sales(config.queues![0]!.members, { tierWaitSec: null })] });
    expect(shell.ringing('c1')).toEqual(['a2']);
    // The tier timer the old configuration set is recognised as stale when it fires.
    shell.answer('c1', 'a2');
    shell.take();
    shell.advance(120);
    expect(shell.status('c1')).toBe('answered');
  });

  it('a tier added above the one a waiting call reached opens on time', () => {
    const members = [{ agentId: 'a1' }, { agentId: 'a2', tier: 2 }];
    const config: RoutingConfig = { agents: agents(3), queues: [sales(members, { tierWaitSec: 10 })] };
    const shell = new TestShell(config);
    shell.arrive('b1', 'sales');
    shell.answer('b1', 'a1');
    shell.arrive('b2', 'sales');
    shell.advance(10);
    shell.answer('b2', 'a2');
    shell.arrive('c1', 'sales');
    shell.advance(12); // c1 reached tier 2, the last: no tier timer is left for it
    shell.reconfigure({ ...config, queues: [sales([...members, { agentId: 'a3', tier: 3 }], { tierWaitSec: 10 })] });
    expect(shell.status('c1')).toBe('queued');
    shell.advance(7.9);
    expect(shell.status('c1')).toBe('queued');
    shell.advance(0.1);
    expect(shell.ringing('c1')).toEqual(['a3']);
  });

  it('lists each of many agents it rings once', () => {
    const { shell, config } = waitingCalls({ strategy: 'ring_all' });
    const many = agents(40);
    const result = shell.reconfigure({ agents: many, queues: [sales(many.map(({ id }) => ({ agentId: id })), { strategy: 'ring_all' })] });
    // Member order breaks ties by agent id, as strings: a10 comes before a2.
    const rung = many.map(({ id }) => id).filter((id) => id !== 'a1').sort();
    expect(shell.ringing('urgent')).toEqual(rung);
    expect([...result.touched.agentIds].sort()).toEqual(rung);
    expect(config.agents).toHaveLength(3);
  });

  it('with nothing to do it changes nothing', () => {
    const { shell, config } = waitingCalls();
    const result = shell.reconfigure(config);
    expect(result).toMatchObject({ ignored: 'unchanged', commands: [], touched: { callIds: [], agentIds: [], queueIds: [], ringGroupIds: [] } });
  });
});

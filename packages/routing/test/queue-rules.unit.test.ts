// Order, eligibility, tiers and overflow in queues: the rules of DOMAIN.md case by case.
import { describe, expect, it } from 'vitest';
import { languageMatches } from '../src/index.ts';
import { agents, TestShell } from './test-shell.ts';

describe('order: higher priority first, then longest waiting', () => {
  it('serves the waiting calls of one queue by priority, then arrival', () => {
    const shell = new TestShell({ agents: agents(1), queues: [{ id: 'q1', strategy: 'longest_idle', members: [{ agentId: 'a1' }] }] });
    shell.arrive('busy', 'q1');
    shell.answer('busy', 'a1');
    for (const [callId, priority] of [['low1', 0], ['high', 5], ['low2', 0], ['mid', 3]] as const) {
      shell.advance(1);
      shell.arrive(callId, 'q1', { priority });
    }
    const served: string[] = [];
    let current = 'busy';
    for (let index = 0; index < 4; index++) {
      shell.end(current);
      current = [...shell.state.calls.values()].find((call) => call.ringing.has('a1'))!.id;
      served.push(current);
      shell.answer(current, 'a1');
    }
    expect(served).toEqual(['high', 'mid', 'low1', 'low2']);
  });

  it('an agent who becomes free takes the best call across all its queues', () => {
    const shell = new TestShell({
      agents: agents(1),
      queues: [
        { id: 'q1', strategy: 'longest_idle', members: [{ agentId: 'a1' }] },
        { id: 'q2', strategy: 'longest_idle', members: [{ agentId: 'a1' }] },
      ],
    });
    shell.arrive('busy', 'q1');
    shell.answer('busy', 'a1');
    shell.arrive('old-q2', 'q2');
    shell.advance(1);
    shell.arrive('new-q1', 'q1');
    shell.advance(1);
    shell.arrive('urgent-q1', 'q1', { priority: 9 });
    shell.end('busy');
    expect(shell.ringing('urgent-q1')).toEqual(['a1']);
    shell.answer('urgent-q1', 'a1');
    shell.end('urgent-q1');
    expect(shell.ringing('old-q2')).toEqual(['a1']);
  });
});

describe('eligibility', () => {
  it('language tags match by subtag prefix', () => {
    expect(languageMatches('es', 'es-mx')).toBe(true);
    expect(languageMatches('es-mx', 'es')).toBe(true);
    expect(languageMatches('es-es', 'es-mx')).toBe(false);
    expect(languageMatches('e', 'es')).toBe(false);
    expect(languageMatches('en', 'es')).toBe(false);
  });

  it('a queue that requires a language rings only agents who speak it (es-MX matches es)', () => {
    const shell = new TestShell({
      agents: [
        { id: 'en1', languages: ['en'], state: 'available' },
        { id: 'es1', languages: ['en', 'ES'], state: 'available' },
      ],
      queues: [{ id: 'q1', strategy: 'ring_all', requireLanguage: true, members: [{ agentId: 'en1' }, { agentId: 'es1' }] }],
    });
    shell.arrive('c1', 'q1', { language: 'es-MX' });
    expect(shell.ringing('c1')).toEqual(['es1']);
    shell.answer('c1', 'es1');
    shell.arrive('c2', 'q1', { language: 'es' });
    expect(shell.status('c2')).toBe('queued');
    shell.arrive('c3', 'q1', { language: 'en-GB' });
    expect(shell.ringing('c3')).toEqual(['en1']);
    shell.end('c1');
    expect(shell.ringing('c2')).toEqual(['es1']);
  });

  it('without requireLanguage the language is ignored', () => {
    const shell = new TestShell({ agents: agents(1), queues: [{ id: 'q1', strategy: 'ring_all', members: [{ agentId: 'a1' }] }] });
    shell.arrive('c1', 'q1', { language: 'fr' });
    expect(shell.ringing('c1')).toEqual(['a1']);
  });

  it('a queue that names skills rings only members who have them all', () => {
    const shell = new TestShell({
      agents: [
        { id: 'a1', languages: ['en'], skills: ['billing'], state: 'available' },
        { id: 'a2', languages: ['en'], skills: ['billing', 'vip'], state: 'available' },
      ],
      queues: [{ id: 'q1', strategy: 'ring_all', skills: ['billing', 'vip'], members: [{ agentId: 'a1' }, { agentId: 'a2' }] }],
    });
    shell.arrive('c1', 'q1');
    expect(shell.ringing('c1')).toEqual(['a2']);
  });

  it('agents on break, offline or in wrap-up do not ring', () => {
    const shell = new TestShell({
      agents: [{ id: 'a1', languages: ['en'], state: 'break' }, { id: 'a2', languages: ['en'] }],
      queues: [{ id: 'q1', strategy: 'ring_all', members: [{ agentId: 'a1' }, { agentId: 'a2' }] }],
    });
    shell.arrive('c1', 'q1');
    expect(shell.status('c1')).toBe('queued');
    shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' });
    expect(shell.ringing('c1')).toEqual(['a2']);
  });
});

describe('tiers', () => {
  const config = {
    agents: agents(3),
    queues: [{
      id: 'q1', strategy: 'ring_all' as const, tierWaitSec: 10, ringTimeoutSec: 100,
      members: [{ agentId: 'a1', tier: 1 }, { agentId: 'a2', tier: 2 }, { agentId: 'a3', tier: 3 }],
    }],
  };

  it('tier n+1 joins after the call waited tierWaitSec × n', () => {
    const shell = new TestShell(config);
    shell.arrive('busy', 'q1');
    shell.answer('busy', 'a1');
    shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'break' });
    shell.arrive('c1', 'q1');
    shell.advance(9.9);
    expect(shell.status('c1')).toBe('queued');
    shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' });
    expect(shell.status('c1')).toBe('queued'); // a3 and a2 may not ring yet
    shell.advance(0.1);
    expect(shell.ringing('c1')).toEqual(['a2']);
  });

  it('tier 3 joins at 2 × tierWaitSec, and tier 1 always could', () => {
    const shell = new TestShell(config);
    shell.arrive('b1', 'q1');
    shell.answer('b1', 'a1');
    shell.advance(10);
    shell.arrive('b2', 'q1');
    shell.advance(10);
    shell.answer('b2', 'a2');
    shell.arrive('c1', 'q1');
    shell.advance(19);
    expect(shell.status('c1')).toBe('queued');
    shell.advance(1);
    expect(shell.ringing('c1')).toEqual(['a3']);
  });

  it('a younger call of higher priority does not keep an old call from a tier-2 agent', () => {
    const shell = new TestShell(config);
    shell.arrive('b1', 'q1');
    shell.answer('b1', 'a1');
    shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'break' });
    shell.arrive('old', 'q1');
    shell.advance(15);
    shell.arrive('young-vip', 'q1', { priority: 50 });
    shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' });
    expect(shell.ringing('old')).toEqual(['a2']);
    expect(shell.status('young-vip')).toBe('queued');
  });
});

describe('max wait, overflow and a full queue', () => {
  it('maxWaitSec moves the call to the overflow queue, where it rings', () => {
    const shell = new TestShell({
      agents: agents(2),
      queues: [
        { id: 'q1', strategy: 'ring_all', maxWaitSec: 30, overflow: { kind: 'queue', id: 'q2' }, members: [{ agentId: 'a1' }] },
        { id: 'q2', strategy: 'ring_all', members: [{ agentId: 'a2' }] },
      ],
    });
    shell.send({ type: 'agent_presence_changed', agentId: 'a1', state: 'break' });
    shell.arrive('c1', 'q1');
    shell.take();
    shell.advance(30);
    const commands = shell.take();
    expect(commands).toContainEqual({ type: 'move', callId: 'c1', from: { kind: 'queue', id: 'q1' }, to: { kind: 'queue', id: 'q2' } });
    expect(shell.eventsOf('c1', commands)).toEqual(['call.overflowed', 'call.queued', 'call.ringing']);
    expect(shell.ringing('c1')).toEqual(['a2']);
  });

  it('maxWaitSec while ringing stops the ring; with nowhere to go the call is unanswered', () => {
    const shell = new TestShell({
      agents: agents(1),
      queues: [{ id: 'q1', strategy: 'ring_all', maxWaitSec: 5, ringTimeoutSec: 20, members: [{ agentId: 'a1' }] }],
    });
    shell.arrive('c1', 'q1');
    shell.take();
    shell.advance(5);
    const commands = shell.take();
    expect(shell.eventsOf('c1', commands)).toEqual(['call.no_answer', 'call.unanswered']);
    expect(commands).toContainEqual({ type: 'end_call', callId: 'c1', status: 'unanswered' });
    expect(commands).toContainEqual({ type: 'cancel_timer', key: 'ring:c1' });
    expect(shell.agentState('a1')).toBe('available');
    expect(shell.timers.size).toBe(0);
  });

  it('a full queue (maxWaiting) overflows at once, or fails the call with nowhere to go', () => {
    const shell = new TestShell({
      agents: agents(1),
      queues: [
        { id: 'q1', strategy: 'ring_all', maxWaiting: 1, overflow: { kind: 'hangup' }, members: [{ agentId: 'a1' }] },
      ],
    });
    shell.arrive('c1', 'q1');
    shell.arrive('c2', 'q1');
    shell.take();
    shell.arrive('c3', 'q1');
    expect(shell.take()).toContainEqual({ type: 'end_call', callId: 'c3', status: 'failed', reason: 'queue_full' });
    expect(shell.status('c2')).toBe('queued');
  });

  it('a loop of overflows with nobody free ends, failed as a routing loop', () => {
    const shell = new TestShell({
      agents: agents(1),
      ringGroups: [
        { id: 'g1', strategy: 'ring_all', failover: { kind: 'ring_group', id: 'g2' }, members: ['a1'] },
        { id: 'g2', strategy: 'ring_all', failover: { kind: 'ring_group', id: 'g1' }, members: ['a1'] },
      ],
    });
    shell.send({ type: 'agent_presence_changed', agentId: 'a1', state: 'offline' });
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    expect(shell.take()).toContainEqual({ type: 'end_call', callId: 'c1', status: 'failed', reason: 'routing_loop' });
  });

  it('an unknown destination fails the call', () => {
    const shell = new TestShell({ agents: [] });
    shell.arrive('c1', 'nowhere');
    expect(shell.take()).toContainEqual({ type: 'end_call', callId: 'c1', status: 'failed', reason: 'unknown_destination' });
  });
});

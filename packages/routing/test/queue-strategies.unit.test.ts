// Who rings, in which order, for each queue strategy: after answers, timeouts, declines and hang-ups.
import { describe, expect, it } from 'vitest';
import type { QueueConfig, QueueStrategy } from '../src/index.ts';
import { agents, TestShell } from './test-shell.ts';

function queueShell(strategy: QueueStrategy, extra: Partial<QueueConfig> = {}, agentCount = 3, seed = 1) {
  const members = Array.from({ length: agentCount }, (_, index) => ({ agentId: `a${index + 1}`, position: index }));
  return new TestShell({ agents: agents(agentCount), queues: [{ id: 'q1', strategy, members, ringTimeoutSec: 10, ...extra }] }, seed);
}

/** Rings a call, lets `agentId` answer and talk for `talkSec`, and ends it. */
function serve(shell: TestShell, callId: string, talkSec = 1) {
  shell.arrive(callId, 'q1');
  const [agentId] = shell.ringing(callId);
  shell.answer(callId, agentId!);
  shell.advance(talkSec);
  shell.end(callId);
  return agentId;
}

describe('queue strategies: who rings for each call', () => {
  const cases: { strategy: QueueStrategy; served: string[]; note: string }[] = [
    { strategy: 'longest_idle', served: ['a1', 'a2', 'a3', 'a1', 'a2'], note: 'never-called agents first, then the oldest call end' },
    { strategy: 'round_robin', served: ['a1', 'a2', 'a3', 'a1', 'a2'], note: 'after the member rung last' },
    { strategy: 'top_down', served: ['a1', 'a1', 'a1', 'a1', 'a1'], note: 'always the first free member' },
    { strategy: 'fewest_calls', served: ['a1', 'a2', 'a3', 'a1', 'a2'], note: 'the fewest answered calls' },
    { strategy: 'least_talk_time', served: ['a1', 'a2', 'a3', 'a1', 'a2'], note: 'the least talk time' },
  ];
  it.each(cases)('$strategy: $note', ({ strategy, served }) => {
    const shell = queueShell(strategy);
    expect(served.map((_, index) => serve(shell, `c${index}`))).toEqual(served);
  });

  it('ring_all rings every free member; the first answer stops the others', () => {
    const shell = queueShell('ring_all');
    shell.arrive('c1', 'q1');
    expect(shell.ringsSince()).toEqual([['a1', 'a2', 'a3']]);
    shell.answer('c1', 'a2');
    const commands = shell.take();
    expect(commands).toContainEqual({ type: 'stop_ringing', callId: 'c1', agentIds: ['a1', 'a3'] });
    expect(commands).toContainEqual({ type: 'connect', callId: 'c1', agentId: 'a2' });
    expect(shell.answer('c1', 'a1').ignored).toBe('not_ringing');
    shell.arrive('c2', 'q1');
    expect(shell.ringsSince()).toEqual([['a1', 'a3']]);
  });

  it('least_talk_time picks by total talk time, not by number of calls', () => {
    const shell = queueShell('least_talk_time', {}, 3);
    for (const [callId, talk] of [['c1', 100], ['c2', 30], ['c3', 60]] as const) serve(shell, callId, talk);
    expect(serve(shell, 'c4')).toBe('a2');
  });

  it('fewest_calls picks the member who answered fewest, whatever the talk time', () => {
    const shell = queueShell('fewest_calls', {}, 2);
    serve(shell, 'c1', 500); // a1: 1 call, long
    serve(shell, 'c2', 1); // a2: 1 call
    serve(shell, 'c3', 1); // tie → a1 by order; a1 now has 2
    expect(serve(shell, 'c4')).toBe('a2');
  });

  it('top_down orders by tier, then position', () => {
    const shell = new TestShell({
      agents: agents(3),
      queues: [{ id: 'q1', strategy: 'top_down', members: [
        { agentId: 'a1', tier: 2, position: 0 }, { agentId: 'a2', tier: 1, position: 5 }, { agentId: 'a3', tier: 1, position: 1 },
      ] }],
    });
    const order: string[] = [];
    for (const callId of ['c1', 'c2', 'c3']) {
      shell.arrive(callId, 'q1');
      order.push(shell.ringing(callId)[0]!);
      shell.answer(callId, order.at(-1)!);
    }
    expect(order).toEqual(['a3', 'a2', 'a1']);
  });

  it('round_robin resumes after the member rung last, skipping busy members', () => {
    const shell = queueShell('round_robin', {}, 4);
    shell.arrive('c1', 'q1');
    shell.decline('c1', 'a1');
    expect(shell.ringing('c1')).toEqual(['a2']);
    shell.answer('c1', 'a2');
    serve(shell, 'c2');
    expect(shell.state.queues.get('q1')!.lastRungAgentId).toBe('a3');
    shell.arrive('c3', 'q1');
    expect(shell.ringing('c3')).toEqual(['a4']);
    shell.answer('c3', 'a4');
    shell.arrive('c4', 'q1');
    expect(shell.ringing('c4')).toEqual(['a1']); // wraps; a2 is on c1
  });

  it('random is uniform and replays exactly from its seed', () => {
    const picks = (seed: number) => {
      const shell = queueShell('random', {}, 3, seed);
      return Array.from({ length: 3000 }, (_, index) => serve(shell, `c${index}`, 0));
    };
    const first = picks(7);
    expect(picks(7)).toEqual(first);
    for (const agentId of ['a1', 'a2', 'a3']) {
      const share = first.filter((id) => id === agentId).length / first.length;
      expect(share).toBeGreaterThan(0.3);
      expect(share).toBeLessThan(0.37);
    }
  });

  it('weighted_random draws below (1 + penalty) × 1000 per member and rings the lowest, as Asterisk\'s wrandom', () => {
    const members = [{ agentId: 'a1', penalty: 0 }, { agentId: 'a2', penalty: 1 }, { agentId: 'a3', penalty: 3 }];
    const shell = new TestShell({ agents: agents(3), queues: [{ id: 'q1', strategy: 'weighted_random', members }] }, 3);
    const served = Array.from({ length: 7000 }, (_, index) => serve(shell, `c${index}`, 0));
    const share = (agentId: string) => served.filter((id) => id === agentId).length / served.length;
    // Draws below 1000, 2000 and 4000: a1 is lowest with probability 0.6670, a2 0.2290, a3 0.1040 (summed exactly);
    // ±0.02 is over 3.5 standard deviations at 7,000 calls.
    expect(Math.abs(share('a1') - 0.667)).toBeLessThan(0.02);
    expect(Math.abs(share('a2') - 0.229)).toBeLessThan(0.02);
    expect(Math.abs(share('a3') - 0.104)).toBeLessThan(0.02);
  });
});

describe('queue: ring timeouts, declines and hang-ups', () => {
  it('no answer moves to the next member by the strategy; nobody rings twice before the others were tried', () => {
    const shell = queueShell('top_down');
    shell.arrive('c1', 'q1');
    const rung: string[] = [shell.ringing('c1')[0]!];
    for (let step = 0; step < 4; step++) {
      shell.advance(10);
      rung.push(shell.ringing('c1')[0]!);
    }
    // a3 does not ring twice in a row: the new round starts with the others.
    expect(rung).toEqual(['a1', 'a2', 'a3', 'a1', 'a2']);
    expect(shell.eventsOf('c1', shell.take())).toContain('call.no_answer');
  });

  it('after a decline, a free member who has not let it ring goes before the one who did', () => {
    const shell = queueShell('longest_idle', {}, 2);
    shell.arrive('c1', 'q1');
    shell.answer('c1', 'a1');
    shell.arrive('c2', 'q1');
    expect(shell.ringing('c2')).toEqual(['a2']);
    shell.end('c1'); // a1 is free now, and idle for less time than a2
    shell.decline('c2', 'a2');
    expect(shell.ringing('c2')).toEqual(['a1']);
    shell.advance(10);
    // Both let it ring: a new round, but a1 (who just did) does not ring twice in a row.
    expect(shell.ringing('c2')).toEqual(['a2']);
  });

  it('a decline acts at once, like a ring timeout for that agent', () => {
    const shell = queueShell('longest_idle');
    shell.arrive('c1', 'q1');
    shell.take();
    shell.decline('c1', 'a1');
    const commands = shell.take();
    expect(shell.eventsOf('c1', commands)).toEqual(['call.declined', 'call.ringing']);
    expect(shell.ringing('c1')).toEqual(['a2']);
    expect(shell.agentState('a1')).toBe('available');
  });

  it('with nobody else free, the agent who declined rings again for the best call (rule 4 still holds)', () => {
    const shell = queueShell('longest_idle', {}, 2);
    shell.arrive('c0', 'q1');
    shell.answer('c0', 'a1');
    shell.arrive('c1', 'q1');
    shell.answer('c1', 'a2');
    shell.arrive('c2', 'q1');
    shell.advance(1);
    shell.arrive('c3', 'q1');
    shell.end('c0');
    expect(shell.ringing('c2')).toEqual(['a1']);
    shell.decline('c2', 'a1');
    expect(shell.ringing('c2')).toEqual(['a1']);
    shell.end('c1');
    expect(shell.ringing('c3')).toEqual(['a2']);
  });

  it('a late ring timer is ignored', () => {
    const shell = queueShell('longest_idle');
    shell.arrive('c1', 'q1');
    shell.decline('c1', 'a1');
    expect(shell.send({ type: 'ring_timed_out', callId: 'c1', step: 1 }).ignored).toBe('stale_timer');
    expect(shell.ringing('c1')).toEqual(['a2']);
  });

  it('a caller hanging up while it rings abandons the call; the agent takes the next call', () => {
    const shell = queueShell('longest_idle', {}, 1);
    shell.arrive('c1', 'q1');
    shell.arrive('c2', 'q1');
    expect(shell.status('c2')).toBe('queued');
    shell.take();
    shell.send({ type: 'caller_hung_up', callId: 'c1' });
    const commands = shell.take();
    expect(commands).toContainEqual({ type: 'stop_ringing', callId: 'c1', agentIds: ['a1'] });
    expect(commands).toContainEqual({ type: 'end_call', callId: 'c1', status: 'abandoned' });
    expect(shell.ringing('c2')).toEqual(['a1']);
    expect(shell.state.calls.has('c1')).toBe(false);
  });

  it('hanging up after the answer completes the call; wrap-up keeps the agent from the next call', () => {
    const shell = queueShell('longest_idle', { wrapUpSec: 5 }, 1);
    shell.arrive('c1', 'q1');
    shell.answer('c1', 'a1');
    shell.arrive('c2', 'q1');
    shell.advance(30);
    shell.take();
    shell.send({ type: 'caller_hung_up', callId: 'c1' });
    expect(shell.take()).toContainEqual({ type: 'end_call', callId: 'c1', status: 'completed' });
    expect(shell.agentState('a1')).toBe('wrap_up');
    shell.advance(4.5);
    expect(shell.status('c2')).toBe('queued');
    shell.advance(0.5);
    expect(shell.ringing('c2')).toEqual(['a1']);
    expect(shell.state.agents.get('a1')!.talkTimeSec).toBe(30);
  });

  it('an agent who goes on break while ringing counts as no answer; an agent on a call cannot', () => {
    const shell = queueShell('top_down', {}, 2);
    shell.arrive('c1', 'q1');
    shell.send({ type: 'agent_presence_changed', agentId: 'a1', state: 'break' });
    expect(shell.ringing('c1')).toEqual(['a2']);
    expect(shell.agentState('a1')).toBe('break');
    shell.answer('c1', 'a2');
    expect(shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'offline' }).ignored).toBe('on_call');
  });
});

// Property tests: over random configurations and thousands of random inputs, the rules of DOMAIN.md always hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  queueStrategies, ringGroupStrategies, speaks,
  type CallRecord, type QueueConfig, type RoutingCommand, type RoutingConfig,
} from '../src/index.ts';
import { ranksBefore } from '../src/waiting-line.ts';
import { TestShell } from './test-shell.ts';

const languages = ['en', 'es', 'es-MX', 'fr'];

const configArbitrary: fc.Arbitrary<RoutingConfig> = fc
  .record({
    agents: fc.array(fc.record({ languages: fc.subarray(['en', 'es', 'fr'], { minLength: 1 }), skills: fc.subarray(['vip']) }), { minLength: 1, maxLength: 6 }),
    queues: fc.array(
      fc.record({
        strategy: fc.constantFrom(...queueStrategies),
        requireLanguage: fc.boolean(),
        skills: fc.subarray(['vip']),
        ringTimeoutSec: fc.constantFrom(2, 5, 10),
        maxWaitSec: fc.option(fc.constantFrom(5, 20, 60)),
        wrapUpSec: fc.constantFrom(0, 0.5, 3),
        tierWaitSec: fc.option(fc.constantFrom(1, 4)),
        maxWaiting: fc.option(fc.constantFrom(1, 3)),
        overflow: fc.option(fc.constantFrom<QueueConfig['overflow']>({ kind: 'queue', id: 'q0' }, { kind: 'queue', id: 'q1' }, { kind: 'ring_group', id: 'g0' }, { kind: 'hangup' })),
        members: fc.array(fc.record({ agent: fc.nat(5), tier: fc.integer({ min: 1, max: 3 }), position: fc.nat(3), penalty: fc.nat(4) }), { maxLength: 6 }),
      }),
      { minLength: 2, maxLength: 2 },
    ),
    group: fc.record({
      strategy: fc.constantFrom(...ringGroupStrategies),
      members: fc.array(fc.nat(5), { maxLength: 4 }),
      failover: fc.option(fc.constantFrom<QueueConfig['overflow']>({ kind: 'queue', id: 'q0' }, { kind: 'ring_group', id: 'g0' })),
    }),
  })
  .map(({ agents, queues, group }) => ({
    agents: agents.map((agent, index) => ({ id: `a${index}`, ...agent, state: 'available' as const })),
    queues: queues.map(({ members, ...queue }, index) => ({
      id: `q${index}`,
      ...queue,
      members: members.filter(({ agent }) => agent < agents.length).map(({ agent, ...member }) => ({ agentId: `a${agent}`, ...member })),
    })),
    ringGroups: [{
      id: 'g0', strategy: group.strategy, ringTimeoutSec: 3, totalTimeoutSec: 8, failover: group.failover,
      members: group.members.filter((agent) => agent < agents.length).map((agent) => `a${agent}`),
    }],
  }));

type Step =
  | { kind: 'arrive'; destination: number; language: number; priority: number }
  | { kind: 'presence'; agent: number; state: 'available' | 'break' | 'offline' }
  | { kind: 'answer' | 'decline' | 'hangup' | 'end'; pick: number }
  | { kind: 'advance'; seconds: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('arrive' as const), destination: fc.nat(2), language: fc.nat(3), priority: fc.constantFrom(0, 0, 5, 9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('presence' as const), agent: fc.nat(5), state: fc.constantFrom('available' as const, 'available' as const, 'break' as const, 'offline' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('decline' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hangup' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('end' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.constantFrom(0.5, 1, 3, 7) }) },
);

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length ? items[index % items.length] : undefined;
}

/** Drives the engine through the steps, checking every rule after every input. */
function run(config: RoutingConfig, steps: readonly Step[]): void {
  const shell = new TestShell(config, 5);
  const { state } = shell;
  const arrived = new Set<string>();
  const ended = new Map<string, string>();
  const answers = new Map<string, number>();
  let nextCall = 0;
  let seen = 0;
  let waitingBefore = new Set<string>();
  shell.beforeDecide = () => {
    waitingBefore = new Set([...state.calls.values()].filter((call) => call.line).map((call) => call.id));
  };
  shell.afterDecide = () => check(waitingBefore);

  const check = (waitingBefore: ReadonlySet<string>) => {
    const commands = shell.commands.slice(seen);
    seen = shell.commands.length;
    checkCommands(commands, waitingBefore);
    checkState();
  };

  const checkCommands = (commands: readonly RoutingCommand[], waitingBefore: ReadonlySet<string>) => {
    const destination = new Map<string, string>();
    for (const command of commands) {
      if ('callId' in command && ended.has(command.callId)) {
        throw new Error(`${command.type} for ${command.callId} after it ended`);
      }
      if (command.type === 'emit' && command.event.type === 'call.queued') destination.set(command.callId, command.event.data.queueId);
      if (command.type === 'emit' && command.event.type === 'call.answered') {
        answers.set(command.callId, (answers.get(command.callId) ?? 0) + 1);
        expect(answers.get(command.callId), 'rule 2: answered at most once').toBe(1);
      }
      if (command.type === 'end_call') ended.set(command.callId, command.status);
      if (command.type === 'ring') {
        const call = state.calls.get(command.callId);
        const queueId = destination.get(command.callId) ?? (call?.destination.kind === 'queue' ? call.destination.id : undefined);
        const queue = queueId === undefined ? undefined : state.queues.get(queueId);
        if (!queue || !call || call.destination.id !== queueId) continue;
        for (const agentId of command.agentIds) {
          const agent = state.agents.get(agentId)!;
          expect(queue.members.has(agentId), 'rings only qualified members').toBe(true);
          if (queue.requireLanguage) expect(speaks(agent.languages, call.language), 'rule 5: language').toBe(true);
          // Rule 4: no call that was already waiting, and still is, that this agent could take ranks before this one.
          for (const waitingId of waitingBefore) {
            const other = state.calls.get(waitingId);
            if (other && other.line && eligible(agentId, other)) {
              expect(ranksBefore(other, call), `rule 4: ${agentId} rang for ${call.id} while ${other.id} waited`).toBe(false);
            }
          }
        }
      }
    }
  };

  const eligible = (agentId: string, call: CallRecord) => {
    if (call.destination.kind !== 'queue') return false;
    const queue = state.queues.get(call.destination.id)!;
    const member = queue.members.get(agentId);
    if (!member || member.tier > call.openTier) return false;
    return !queue.requireLanguage || speaks(state.agents.get(agentId)!.languages, call.language);
  };

  const checkState = () => {
    const ringingFor = new Map<string, string>();
    const onCall = new Map<string, string>();
    for (const call of state.calls.values()) {
      expect(['queued', 'ringing', 'answered']).toContain(call.status);
      expect(call.line !== null, `${call.id} in line iff queued and idle`).toBe(call.status === 'queued');
      for (const agentId of call.ringing) {
        expect(ringingFor.has(agentId), `rule 1: ${agentId} rings for two calls`).toBe(false);
        ringingFor.set(agentId, call.id);
      }
      if (call.status === 'answered') {
        expect(onCall.has(call.agentId!), 'rule 1: on two calls').toBe(false);
        onCall.set(call.agentId!, call.id);
        expect(call.ringing.size).toBe(0);
      }
      if (call.status === 'ringing') expect(call.ringing.size).toBeGreaterThan(0);
    }
    for (const agent of state.agents.values()) {
      expect(agent.state === 'ringing', `${agent.id} ringing state`).toBe(ringingFor.has(agent.id));
      expect(agent.state === 'on_call', `${agent.id} on_call state`).toBe(onCall.has(agent.id));
      expect(onCall.has(agent.id) && ringingFor.has(agent.id)).toBe(false);
      if (agent.state !== 'available') continue;
      // Work is never left undone: a free agent has no waiting call it could take.
      for (const call of state.calls.values()) {
        if (call.line) expect(eligible(agent.id, call), `${agent.id} idle while ${call.id} waits`).toBe(false);
      }
    }
    for (const queue of state.queues.values()) {
      expect(queue.waiting).toBe([...state.calls.values()].filter((call) => call.line && call.destination.id === queue.id).length);
      for (const agentId of queue.members.keys()) {
        expect(queue.freeMemberIds.has(agentId)).toBe(state.agents.get(agentId)!.state === 'available');
      }
    }
    // Rule 3: every call that arrived is live or ended exactly once with a terminal status.
    for (const callId of arrived) expect(state.calls.has(callId) !== ended.has(callId), `${callId} lost`).toBe(true);
  };

  for (const step of steps) {
    const live = [...state.calls.values()];
    const ringing = live.flatMap((call) => [...call.ringing].map((agentId) => ({ callId: call.id, agentId })));
    switch (step.kind) {
      case 'arrive': {
        const id = `c${nextCall++}`;
        arrived.add(id);
        const destination = step.destination === 2 ? { kind: 'ring_group' as const, id: 'g0' } : { kind: 'queue' as const, id: `q${step.destination}` };
        shell.send({ type: 'call_arrived', call: { id, destination, language: languages[step.language]!, priority: step.priority } });
        break;
      }
      case 'presence':
        shell.send({ type: 'agent_presence_changed', agentId: `a${step.agent % state.agents.size}`, state: step.state });
        break;
      case 'answer':
      case 'decline': {
        const target = pick(ringing, step.pick);
        if (target) shell.send({ type: step.kind === 'answer' ? 'agent_answered' : 'agent_declined', ...target });
        else expect(shell.send({ type: 'agent_answered', callId: 'c0', agentId: 'a0' }).ignored).toBeDefined();
        break;
      }
      case 'hangup': {
        const call = pick(live, step.pick);
        if (call) shell.send({ type: 'caller_hung_up', callId: call.id });
        break;
      }
      case 'end': {
        const call = pick(live.filter((candidate) => candidate.status === 'answered'), step.pick);
        if (call) shell.send({ type: 'call_ended', callId: call.id, by: 'agent' });
        break;
      }
      case 'advance':
        shell.advance(step.seconds);
        break;
    }
  }
  // Everyone hangs up and logs off; then every timer runs out: no call may be stuck ringing or lost.
  for (const call of [...state.calls.values()]) if (call.status === 'answered') shell.send({ type: 'call_ended', callId: call.id });
  for (const agent of state.agents.values()) {
    if (agent.state !== 'offline') shell.send({ type: 'agent_presence_changed', agentId: agent.id, state: 'offline' });
  }
  shell.advance(100);
  // Nobody is online: whatever is still live waits in a queue (one without a max wait, or overflowing in a circle).
  for (const call of state.calls.values()) expect(call.status).toBe('queued');
}

describe('rules that never break', () => {
  it('hold over random configurations and input sequences', { timeout: 60_000 }, () => {
    fc.assert(fc.property(configArbitrary, fc.array(stepArbitrary, { minLength: 50, maxLength: 300 }), run), { numRuns: 150, seed: 20_240_601 });
  });

  it('hold with many agents and one busy queue', { timeout: 60_000 }, () => {
    const config: RoutingConfig = {
      agents: Array.from({ length: 6 }, (_, index) => ({ id: `a${index}`, languages: [['en'], ['es'], ['en', 'fr']][index % 3]!, state: 'available' as const })),
      queues: [0, 1].map((index) => ({
        id: `q${index}`, strategy: index ? 'ring_all' as const : 'round_robin' as const, requireLanguage: true, tierWaitSec: 2, ringTimeoutSec: 2,
        members: Array.from({ length: 6 }, (_, agent) => ({ agentId: `a${agent}`, tier: 1 + ((agent + index) % 3) })),
      })),
      ringGroups: [{ id: 'g0', strategy: 'memory_hunt', members: ['a0', 'a1', 'a2'], failover: { kind: 'queue', id: 'q1' } }],
    };
    fc.assert(fc.property(fc.array(stepArbitrary, { minLength: 200, maxLength: 600 }), (steps) => run(config, steps)), { numRuns: 12, seed: 7 });
  });
});

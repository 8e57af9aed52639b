// Random configurations and input sequences shared by the property tests, and how one step becomes an input.
import fc from 'fast-check';
import { queueStrategies, ringGroupStrategies, type QueueConfig, type RoutingConfig, type RoutingInput, type RoutingState } from '../src/index.ts';

export const languages = ['en', 'es', 'es-MX', 'fr'];

export const configArbitrary: fc.Arbitrary<RoutingConfig> = fc
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
        noAgentNoWait: fc.boolean(),
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

/**
 * Another configuration for the same domain, as an operator would leave it: anything may change (members, strategies,
 * languages, agents added or removed), and destinations may be deleted while calls are live in them.
 */
export const reconfigurationArbitrary: fc.Arbitrary<RoutingConfig> = fc
  .tuple(configArbitrary, fc.subarray(['q0', 'q1', 'g0']))
  .map(([config, deleted]) => ({
    agents: config.agents,
    queues: config.queues!.filter((queue) => !deleted.includes(queue.id)),
    ringGroups: config.ringGroups!.filter((group) => !deleted.includes(group.id)),
  }));

export type Step =
  | { kind: 'arrive'; destination: number; language: number; priority: number }
  | { kind: 'presence'; agent: number; state: 'available' | 'break' | 'offline' }
  | { kind: 'answer' | 'decline' | 'hangup' | 'end'; pick: number }
  | { kind: 'advance'; seconds: number };

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
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

/**
 * What a step does to the state as it is now: an input to send (`mustBeIgnored` for an answer when nobody rings),
 * time passing, or nothing. `newCallId` names an arriving call.
 */
export type StepAction =
  | { kind: 'send'; input: RoutingInput; mustBeIgnored?: true }
  | { kind: 'advance'; seconds: number }
  | { kind: 'none' };

export function stepAction(step: Step, state: RoutingState, newCallId: () => string): StepAction {
  const live = [...state.calls.values()];
  switch (step.kind) {
    case 'arrive': {
      const destination = step.destination === 2 ? { kind: 'ring_group' as const, id: 'g0' } : { kind: 'queue' as const, id: `q${step.destination}` };
      return { kind: 'send', input: { type: 'call_arrived', call: { id: newCallId(), destination, language: languages[step.language]!, priority: step.priority } } };
    }
    case 'presence': {
      const agentIds = [...state.agents.keys()];
      return { kind: 'send', input: { type: 'agent_presence_changed', agentId: agentIds[step.agent % agentIds.length]!, state: step.state } };
    }
    case 'answer':
    case 'decline': {
      const ringing = live.flatMap((call) => [...call.ringing].map((agentId) => ({ callId: call.id, agentId })));
      const target = pick(ringing, step.pick);
      if (!target) return { kind: 'send', input: { type: 'agent_answered', callId: 'c0', agentId: 'a0' }, mustBeIgnored: true };
      return { kind: 'send', input: { type: step.kind === 'answer' ? 'agent_answered' : 'agent_declined', ...target } };
    }
    case 'hangup': {
      const call = pick(live, step.pick);
      return call ? { kind: 'send', input: { type: 'caller_hung_up', callId: call.id } } : { kind: 'none' };
    }
    case 'end': {
      const call = pick(live.filter((candidate) => candidate.status === 'answered'), step.pick);
      return call ? { kind: 'send', input: { type: 'call_ended', callId: call.id, by: 'agent' } } : { kind: 'none' };
    }
    case 'advance':
      return { kind: 'advance', seconds: step.seconds };
  }
}

// Property tests: over random configurations and thousands of random inputs, the rules of DOMAIN.md always hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { servingAgentStates, speaks, type CallRecord, type RoutingCommand, type RoutingConfig } from '../src/index.ts';
import { ranksBefore } from '../src/waiting-line.ts';
import { configArbitrary, reconfigurationArbitrary, stepAction, stepArbitrary, type Step } from './random-scenarios.ts';
import { TestShell } from './test-shell.ts';

/**
 * Drives the engine through the steps, checking every rule after every input. With `reconfigure`, the configuration
 * changes before step `at` (a restore with the new one, then `configuration_changed`), as a worker does live.
 */
function run(config: RoutingConfig, steps: readonly Step[], reconfigure?: { at: number; config: RoutingConfig }): void {
  const shell = new TestShell(config, 5);
  const arrived = new Set<string>();
  const ended = new Map<string, string>();
  const answers = new Map<string, number>();
  let nextCall = 0;
  let seen = 0;
  let waitingBefore = new Set<string>();
  shell.beforeDecide = () => {
    waitingBefore = new Set([...shell.state.calls.values()].filter((call) => call.line).map((call) => call.id));
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
        const call = shell.state.calls.get(command.callId);
        const queueId = destination.get(command.callId) ?? (call?.destination.kind === 'queue' ? call.destination.id : undefined);
        const queue = queueId === undefined ? undefined : shell.state.queues.get(queueId);
        if (!queue || !call || call.destination.id !== queueId) continue;
        for (const agentId of command.agentIds) {
          const agent = shell.state.agents.get(agentId)!;
          expect(queue.members.has(agentId), 'rings only qualified members').toBe(true);
          if (queue.requireLanguage) expect(speaks(agent.languages, call.language), 'rule 5: language').toBe(true);
          // Rule 4: no call that was already waiting, and still is, that this agent could take ranks before this one.
          for (const waitingId of waitingBefore) {
            const other = shell.state.calls.get(waitingId);
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
    const queue = shell.state.queues.get(call.destination.id)!;
    const member = queue.members.get(agentId);
    if (!member || member.tier > call.openTier) return false;
    return !queue.requireLanguage || speaks(shell.state.agents.get(agentId)!.languages, call.language);
  };

  const checkState = () => {
    const ringingFor = new Map<string, string>();
    const onCall = new Map<string, string>();
    for (const call of shell.state.calls.values()) {
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
    for (const agent of shell.state.agents.values()) {
      expect(agent.state === 'ringing', `${agent.id} ringing state`).toBe(ringingFor.has(agent.id));
      expect(agent.state === 'on_call', `${agent.id} on_call state`).toBe(onCall.has(agent.id));
      expect(onCall.has(agent.id) && ringingFor.has(agent.id)).toBe(false);
      if (agent.state !== 'available') continue;
      // Work is never left undone: a free agent has no waiting call it could take.
      for (const call of shell.state.calls.values()) {
        if (call.line) expect(eligible(agent.id, call), `${agent.id} idle while ${call.id} waits`).toBe(false);
      }
    }
    for (const queue of shell.state.queues.values()) {
      expect(queue.waiting).toBe([...shell.state.calls.values()].filter((call) => call.line && call.destination.id === queue.id).length);
      for (const agentId of queue.members.keys()) {
        expect(queue.freeMemberIds.has(agentId)).toBe(shell.state.agents.get(agentId)!.state === 'available');
        expect(queue.servingMemberIds.has(agentId)).toBe(servingAgentStates.includes(shell.state.agents.get(agentId)!.state));
      }
      expect(queue.servingMemberIds.size).toBe([...queue.servingMemberIds].filter((id) => queue.members.has(id)).length);
    }
    // Rule 3: every call that arrived is live or ended exactly once with a terminal status.
    for (const callId of arrived) expect(shell.state.calls.has(callId) !== ended.has(callId), `${callId} lost`).toBe(true);
  };

  for (const [index, step] of steps.entries()) {
    if (reconfigure?.at === index) {
      shell.reconfigure(reconfigure.config);
    }
    const action = stepAction(step, shell.state, () => `c${nextCall++}`);
    if (action.kind === 'advance') shell.advance(action.seconds);
    else if (action.kind === 'send') {
      if (action.input.type === 'call_arrived') arrived.add(action.input.call.id);
      const result = shell.send(action.input);
      if (action.mustBeIgnored) expect(result.ignored).toBeDefined();
    }
  }
  // Everyone hangs up and logs off; then every timer runs out: no call may be stuck ringing or lost.
  for (const call of [...shell.state.calls.values()]) if (call.status === 'answered') shell.send({ type: 'call_ended', callId: call.id });
  for (const agent of shell.state.agents.values()) {
    if (agent.state !== 'offline') shell.send({ type: 'agent_presence_changed', agentId: agent.id, state: 'offline' });
  }
  shell.advance(100);
  // Nobody is online: whatever is still live waits in a queue (one without a max wait, or overflowing in a circle).
  for (const call of shell.state.calls.values()) expect(call.status).toBe('queued');
}

describe('rules that never break', () => {
  it('hold over random configurations and input sequences', { timeout: 60_000 }, () => {
    fc.assert(fc.property(configArbitrary, fc.array(stepArbitrary, { minLength: 50, maxLength: 300 }), (config, steps) => run(config, steps)), { numRuns: 150, seed: 20_240_601 });
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

  it('hold across a configuration change under live calls (restore with the new one, then configuration_changed)', { timeout: 60_000 }, () => {
    const scenario = fc.record({
      config: configArbitrary,
      next: reconfigurationArbitrary,
      steps: fc.array(stepArbitrary, { minLength: 40, maxLength: 200 }),
      at: fc.nat(),
    });
    fc.assert(
      fc.property(scenario, ({ config, next, steps, at }) => run(config, steps, { at: at % steps.length, config: next })),
      { numRuns: 150, seed: 20_250_114 },
    );
  });
});

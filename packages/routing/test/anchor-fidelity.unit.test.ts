// Each strategy against the systems its users come from: Asterisk app_queue, FreeSWITCH mod_callcenter and FreePBX ring
// groups. Every case is written from the anchor's own rule, named in `source` (repository, file, function or setting);
// where Switchboard chooses differently, the case says so and packages/routing/README.md says why.
import { describe, expect, it } from 'vitest';
import type { QueueConfig, RingGroupConfig, RoutingConfig } from '../src/index.ts';
import { agents, TestShell } from './test-shell.ts';

/** Records every ring as `<second> <agent>+<agent>…` while the scenario runs. */
function ringLog(shell: TestShell): string[] {
  const log: string[] = [];
  const before = shell.afterDecide;
  shell.afterDecide = (input, result) => {
    before?.(input, result);
    for (const command of result.commands) if (command.type === 'ring') log.push(`${shell.now} ${command.agentIds.join('+')}`);
  };
  return log;
}

function queueConfig(queue: Partial<QueueConfig> & Pick<QueueConfig, 'members'>, agentCount = 4): RoutingConfig {
  return { agents: agents(agentCount), queues: [{ id: 'q1', strategy: 'ring_all', ringTimeoutSec: 10, ...queue }] };
}

function groupConfig(group: Partial<RingGroupConfig> & Pick<RingGroupConfig, 'members'>, agentCount = 4): RoutingConfig {
  return { agents: agents(agentCount), ringGroups: [{ id: 'g1', strategy: 'ring_all', failover: null, ...group }] };
}

const onBreak = (shell: TestShell, ...agentIds: string[]) => {
  for (const agentId of agentIds) shell.send({ type: 'agent_presence_changed', agentId, state: 'break' });
};

interface AnchorCase {
  readonly name: string;
  /** Where the rule comes from. */
  readonly source: string;
  readonly config: RoutingConfig;
  /** Drives the shell; the rings it logs are compared with `rings`. */
  readonly run: (shell: TestShell) => void;
  readonly rings: readonly string[];
}

const queueCases: AnchorCase[] = [
  {
    name: 'ring_all: after A declines and B, C ring out, the next ring rings all three again',
    source:
      'asterisk/asterisk apps/app_queue.c ring_one(): for QUEUE_STRATEGY_RINGALL every member sharing the best metric rings at each attempt; ' +
      "signalwire/freeswitch mod_callcenter.c agents_callback(): ring-all offers every agent in state 'Waiting'",
    config: queueConfig({ strategy: 'ring_all', members: [{ agentId: 'a1' }, { agentId: 'a2' }, { agentId: 'a3' }] }, 3),
    run: (shell) => {
      shell.arrive('c1', 'q1');
      shell.advance(2);
      shell.decline('c1', 'a1');
      shell.advance(23);
    },
    rings: ['0 a1+a2+a3', '10 a1+a2+a3', '20 a1+a2+a3'],
  },
  {
    name: 'ring_all with tiers: tier 2 opening while tier 1 rings joins the ring',
    source:
      "signalwire/freeswitch mod_callcenter.c: a ring-all caller stays 'Trying' with serving_agent 'ring-all', which the dispatch " +
      'query keeps selecting, so agents_callback() offers it the next level once tier-rule-wait-second has passed, while the first ring goes on',
    config: queueConfig(
      {
        strategy: 'ring_all',
        tierWaitSec: 10,
        ringTimeoutSec: 15,
        members: [
          { agentId: 'a1', tier: 1 },
          { agentId: 'a2', tier: 2 },
        ],
      },
      2,
    ),
    run: (shell) => {
      shell.arrive('c1', 'q1');
      shell.advance(10);
      expect(shell.ringing('c1')).toEqual(['a1', 'a2']);
      shell.advance(20);
    },
    // The ring's timeout restarts when members join, so a2 rings a full ringTimeoutSec (and a1 longer).
    rings: ['0 a1', '10 a2', '25 a1+a2'],
  },
];

describe('queues against Asterisk app_queue and FreeSWITCH mod_callcenter', () => {
  it.each(queueCases)('$name', ({ config, run, rings }) => {
    const shell = new TestShell(config);
    const log = ringLog(shell);
    run(shell);
    expect(log).toEqual(rings);
  });
});

const groupCases: AnchorCase[] = [
  {
    name: 'memory_hunt with a busy member in the middle: A, then A+C, then A+C+D within the default 60 s',
    source:
      'FreePBX/core agi-bin/dialparties.agi: a busy extension (ExtensionState busy, no call waiting) is dropped from the list, ' +
      "then memoryhunt sets HuntMemberN to the remaining members 0..N joined by '&'",
    config: groupConfig({ strategy: 'memory_hunt', members: ['a1', 'a2', 'a3', 'a4'] }),
    run: (shell) => {
      onBreak(shell, 'a2');
      shell.arrive('c1', 'g1', { kind: 'ring_group' });
      shell.advance(60);
    },
    rings: ['0 a1', '20 a1+a3', '40 a1+a3+a4'],
  },
];

describe('ring groups against FreePBX', () => {
  it.each(groupCases)('$name', ({ config, run, rings }) => {
    const shell = new TestShell(config);
    const log = ringLog(shell);
    run(shell);
    expect(log).toEqual(rings);
  });
});

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

const offline = (shell: TestShell, ...agentIds: string[]) => {
  for (const agentId of agentIds) shell.send({ type: 'agent_presence_changed', agentId, state: 'offline' });
};

/** Tiers 1–3 (a1, a2, a3), one wait of 30 s per tier; `noAgentNoWait` as given (default on). */
function noAgentNoWaitCases(): AnchorCase[] {
  const source =
    'signalwire/freeswitch mod_callcenter.c agents_callback(): with tier-rule-no-agent-no-wait and tier_agent_available == 0 the next ' +
    "level opens without waiting; members_callback()'s query counts agents whose status is Available, On Break or Available (On Demand); " +
    'load_queue(): tier-rule-no-agent-no-wait defaults to true';
  const tiers = (noAgentNoWait?: boolean) =>
    queueConfig(
      {
        strategy: 'longest_idle',
        tierWaitSec: 30,
        ringTimeoutSec: 100,
        ...(noAgentNoWait === undefined ? {} : { noAgentNoWait }),
        members: [
          { agentId: 'a1', tier: 1 },
          { agentId: 'a2', tier: 2 },
          { agentId: 'a3', tier: 3 },
        ],
      },
      3,
    );
  return [
    {
      name: 'no-agent-no-wait (on by default): nobody logged in to tier 1, a free tier-2 member rings at once',
      source,
      config: tiers(),
      run: (shell) => {
        offline(shell, 'a1', 'a3');
        shell.arrive('c1', 'q1');
        shell.advance(1);
      },
      rings: ['0 a2'],
    },
    {
      name: 'no-agent-no-wait off: the caller waits the whole tier wait',
      source: `${source}; with it false the level waits tier-rule-wait-second`,
      config: tiers(false),
      run: (shell) => {
        offline(shell, 'a1', 'a3');
        shell.arrive('c1', 'q1');
        shell.advance(40);
      },
      rings: ['30 a2'],
    },
    {
      name: 'no-agent-no-wait: a tier-1 member on break is logged in, so the caller waits',
      source,
      config: tiers(),
      run: (shell) => {
        onBreak(shell, 'a1');
        offline(shell, 'a3');
        shell.arrive('c1', 'q1');
        shell.advance(40);
      },
      rings: ['30 a2'],
    },
    {
      name: 'no-agent-no-wait: the last tier-1 member logs out while the call waits, and tier 2 opens then',
      source: `${source}; the dispatch thread evaluates the tiers again on every pass`,
      config: tiers(),
      run: (shell) => {
        onBreak(shell, 'a1');
        offline(shell, 'a3');
        shell.arrive('c1', 'q1');
        shell.advance(5);
        offline(shell, 'a1');
        shell.advance(35);
      },
      rings: ['5 a2'],
    },
    {
      name: 'no-agent-no-wait: nobody logged in to tiers 1 and 2, a tier-3 member rings at once',
      source,
      config: tiers(),
      run: (shell) => {
        offline(shell, 'a1', 'a2');
        shell.arrive('c1', 'q1');
        shell.advance(1);
      },
      rings: ['0 a3'],
    },
    {
      name: 'no-agent-no-wait: tier 1 staffed, nobody in tier 2: tier 3 opens with tier 2, after one wait instead of two',
      source: `${source}; tier_agent_available counts from the level last opened by its wait`,
      config: tiers(),
      run: (shell) => {
        onBreak(shell, 'a1');
        offline(shell, 'a2');
        shell.arrive('c1', 'q1');
        shell.advance(70);
      },
      rings: ['30 a3'],
    },
  ];
}

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
  {
    name: 'longest_idle: a member who never took a call rings before one whose last call ended long ago',
    source:
      'asterisk/asterisk apps/app_queue.c calc_metric(), QUEUE_STRATEGY_LEASTRECENT: `if (!mem->lastcall) tmp->metric = 0`; ' +
      'signalwire/freeswitch mod_callcenter.c members_callback(), longest-idle-agent: ORDER BY level, agents.last_bridge_end (0 before a first call)',
    config: queueConfig({ strategy: 'longest_idle', members: [{ agentId: 'a1' }, { agentId: 'a2' }] }, 2),
    run: (shell) => {
      offline(shell, 'a2');
      shell.arrive('c1', 'q1');
      shell.answer('c1', 'a1');
      shell.advance(5);
      shell.end('c1');
      shell.advance(95);
      shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' }); // logs in late, at 100
      shell.advance(100);
      shell.arrive('c2', 'q1');
    },
    rings: ['0 a1', '200 a2'],
  },
  {
    name: 'round_robin resumes after the last member rung, whether or not anyone answered',
    source:
      'asterisk/asterisk apps/app_queue.c store_next_rr(): after each attempt rrpos moves past the member rung (rrmemory); ' +
      'signalwire/freeswitch mod_callcenter.c members_callback(), round-robin: the agent after the one with the latest last_offered_call',
    config: queueConfig({ strategy: 'round_robin', members: [{ agentId: 'a1' }, { agentId: 'a2' }, { agentId: 'a3' }] }, 3),
    run: (shell) => {
      shell.arrive('c1', 'q1');
      shell.advance(2);
      shell.send({ type: 'caller_hung_up', callId: 'c1' }); // nobody answered c1
      shell.arrive('c2', 'q1');
    },
    rings: ['0 a1', '2 a2'],
  },
  ...noAgentNoWaitCases(),
];

describe('queues against Asterisk app_queue and FreeSWITCH mod_callcenter', () => {
  it.each(queueCases)('$name', ({ config, run, rings }) => {
    const shell = new TestShell(config);
    const log = ringLog(shell);
    run(shell);
    expect(log).toEqual(rings);
  });
});

describe('tiers order before the strategy’s metric', () => {
  // asterisk/asterisk apps/app_queue.c calc_metric(): every strategy but wrandom adds penalty × 1,000,000 to its metric, so a
  // lower penalty always rings first; signalwire/freeswitch mod_callcenter.c members_callback(): every strategy orders by
  // level first (`level, agents.calls_answered, position`, `level, agents.last_bridge_end, position`, `level, random()`…).
  // a1 is tier 1 and loses on every metric to a2, tier 2 (no tierWaitSec: tiers do not gate, they order).
  const history = (shell: TestShell) => {
    onBreak(shell, 'a2');
    for (const [callId, talkSec] of [
      ['h1', 30],
      ['h2', 30],
    ] as const) {
      shell.arrive(callId, 'q1');
      shell.answer(callId, 'a1');
      shell.advance(talkSec);
      shell.end(callId);
    }
    shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' });
    shell.advance(100);
  };
  const members = [
    { agentId: 'a1', tier: 1, penalty: 9 },
    { agentId: 'a2', tier: 2, penalty: 0 },
  ];
  it.each(['longest_idle', 'round_robin', 'fewest_calls', 'least_talk_time', 'random', 'weighted_random'] as const)(
    '%s rings the tier-1 member first, every time',
    (strategy) => {
      const shell = new TestShell(queueConfig({ strategy, members }, 2), 7);
      history(shell);
      const first = Array.from({ length: 20 }, (_, index) => {
        shell.arrive(`c${index}`, 'q1');
        const [agentId] = shell.ringing(`c${index}`);
        shell.send({ type: 'caller_hung_up', callId: `c${index}` });
        return agentId;
      });
      expect(new Set(first)).toEqual(new Set(['a1']));
    },
  );

  it('ring_all rings every tier at once when tiers do not gate (FreeSWITCH with tier-rules-apply false; Asterisk rings the lowest penalty only)', () => {
    const shell = new TestShell(queueConfig({ strategy: 'ring_all', members }, 2));
    shell.arrive('c1', 'q1');
    expect(shell.ringing('c1')).toEqual(['a1', 'a2']);
  });
});

describe('weighted_random is Asterisk’s wrandom', () => {
  // asterisk/asterisk apps/app_queue.c calc_metric(), QUEUE_STRATEGY_WRANDOM: `tmp->metric = ast_random() % ((1 + penalty) * 1000)`,
  // and ring_one() rings the member with the lowest metric (find_best(): the first of equal ones).
  it('penalties 0 and 1 split the calls 75/25, not 67/33', () => {
    const members = [
      { agentId: 'a1', penalty: 0 },
      { agentId: 'a2', penalty: 1 },
    ];
    const shell = new TestShell(queueConfig({ strategy: 'weighted_random', members }, 2), 5);
    const first = Array.from({ length: 10_000 }, (_, index) => {
      shell.arrive(`c${index}`, 'q1');
      const [agentId] = shell.ringing(`c${index}`);
      shell.send({ type: 'caller_hung_up', callId: `c${index}` });
      return agentId;
    });
    // Exactly 0.75025 (ties go to a1); the 99.9% interval over 10,000 calls is ±0.014.
    expect(Math.abs(first.filter((agentId) => agentId === 'a1').length / first.length - 0.75025)).toBeLessThan(0.014);
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

describe('no-agent-no-wait where FreeSWITCH has nothing to say', () => {
  const tiered = (extra: Partial<QueueConfig> = {}): QueueConfig => ({
    id: 'q1',
    strategy: 'top_down',
    tierWaitSec: 30,
    ringTimeoutSec: 100,
    members: [
      { agentId: 'a1', tier: 1 },
      { agentId: 'a2', tier: 2 },
    ],
    ...extra,
  });

  it('with requireLanguage, a tier nobody logged in to speaks the caller’s language is not waited for', () => {
    const shell = new TestShell({
      agents: [
        { id: 'a1', languages: ['en'], state: 'break' },
        { id: 'a2', languages: ['es'], state: 'available' },
      ],
      queues: [tiered({ requireLanguage: true })],
    });
    const log = ringLog(shell);
    shell.arrive('c1', 'q1', { language: 'es-MX' });
    shell.arrive('c2', 'q1', { language: 'en' });
    shell.advance(1);
    expect(log).toEqual(['0 a2']);
    expect(shell.status('c2')).toBe('queued'); // a1 (on break) speaks English: c2 waits for tier 2 as usual
  });

  it('the tier-1 member who rings logs out: the ring ends and tier 2 rings at once', () => {
    const shell = new TestShell({ agents: agents(2), queues: [tiered()] });
    const log = ringLog(shell);
    shell.arrive('c1', 'q1');
    shell.advance(3);
    offline(shell, 'a1');
    expect(log).toEqual(['0 a1', '3 a2']);
    expect(shell.state.calls.get('c1')!.openTier).toBe(2);
  });

  it('turned on by a configuration change, it opens the tiers of the calls already waiting', () => {
    const config = (noAgentNoWait: boolean): RoutingConfig => ({ agents: agents(2), queues: [tiered({ noAgentNoWait })] });
    const shell = new TestShell(config(false));
    offline(shell, 'a1');
    shell.arrive('c1', 'q1');
    shell.advance(5);
    expect(shell.status('c1')).toBe('queued');
    shell.reconfigure(config(true));
    expect(shell.ringing('c1')).toEqual(['a2']);
  });

  it('a tier once open stays open when somebody logs in to the tier below', () => {
    const shell = new TestShell({ agents: agents(2), queues: [tiered()] });
    offline(shell, 'a1');
    shell.arrive('busy', 'q1');
    shell.answer('busy', 'a2');
    shell.arrive('c1', 'q1');
    shell.send({ type: 'agent_presence_changed', agentId: 'a1', state: 'break' });
    expect(shell.state.calls.get('c1')!.openTier).toBe(2);
    shell.end('busy');
    expect(shell.ringing('c1')).toEqual(['a2']);
  });
});

describe('ring-group round_robin, which FreePBX ring groups do not have', () => {
  it('resumes after the last member rung, as the queue strategy of the same name', () => {
    const shell = new TestShell(groupConfig({ strategy: 'round_robin', ringTimeoutSec: 10, members: ['a1', 'a2', 'a3'] }, 3));
    const log = ringLog(shell);
    shell.arrive('c1', 'g1', { kind: 'ring_group' });
    shell.advance(2);
    shell.send({ type: 'caller_hung_up', callId: 'c1' });
    shell.arrive('c2', 'g1', { kind: 'ring_group' });
    shell.advance(10);
    shell.answer('c2', 'a3');
    shell.arrive('c3', 'g1', { kind: 'ring_group' });
    expect(log).toEqual(['0 a1', '2 a2', '12 a3', '12 a1']);
  });
});

/** Where the anchors disagree with each other, or where Switchboard keeps its own rule: the choice, pinned. */
const choiceCases: AnchorCase[] = [
  {
    name: 'after a decline the next member rings a full ringTimeoutSec (FreeSWITCH), not what is left of it (Asterisk)',
    source:
      'signalwire/freeswitch mod_callcenter.c outbound_agent_thread_run(): every agent offered gets its own originate with the whole ' +
      'agent-originate-timeout; asterisk/asterisk apps/app_queue.c wait_for_answer(): after AST_CONTROL_BUSY the next member rings for ' +
      'the rest of the attempt, unless the queue sets timeoutrestart',
    config: queueConfig({ strategy: 'top_down', members: [{ agentId: 'a1' }, { agentId: 'a2' }, { agentId: 'a3' }] }, 3),
    run: (shell) => {
      shell.arrive('c1', 'q1');
      shell.advance(8);
      shell.decline('c1', 'a1');
      shell.advance(10);
    },
    rings: ['0 a1', '8 a2', '18 a3'],
  },
  {
    name: 'no pause between rings: the next ring starts as the last one ends (FreeSWITCH), not after Asterisk’s retry',
    source:
      'asterisk/asterisk apps/app_queue.c queue_exec(): after an attempt nobody answered, wait_a_bit() waits `retry` (DEFAULT_RETRY 5 s); ' +
      'signalwire/freeswitch mod_callcenter.c: the member is Waiting again at once, the agent sleeps only its no-answer-delay-time (default 0)',
    config: queueConfig({ strategy: 'top_down', members: [{ agentId: 'a1' }] }, 1),
    run: (shell) => {
      shell.arrive('c1', 'q1');
      shell.advance(25);
    },
    rings: ['0 a1', '10 a1', '20 a1'],
  },
  {
    name: 'a member who let the call ring goes after every member who has not, whatever the tier (both anchors would ring tier 1 again)',
    source:
      'asterisk/asterisk apps/app_queue.c try_calling(): each attempt computes the metrics afresh, and penalty × 1,000,000 puts the ' +
      'tier-1 member first again; signalwire/freeswitch mod_callcenter.c members_callback(): ORDER BY level offers it again once its no-answer-delay-time has passed',
    config: queueConfig(
      {
        strategy: 'top_down',
        members: [
          { agentId: 'a1', tier: 1 },
          { agentId: 'a2', tier: 2 },
        ],
      },
      2,
    ),
    run: (shell) => {
      shell.arrive('c1', 'q1');
      shell.advance(25);
    },
    rings: ['0 a1', '10 a2', '20 a1'],
  },
  {
    name: 'ring_all: a member who becomes free while the call rings rings at the next ring (Asterisk), not at once (FreeSWITCH)',
    source:
      'asterisk/asterisk apps/app_queue.c try_calling(): the members of an attempt are listed when it starts; signalwire/freeswitch ' +
      "mod_callcenter.c: a ring-all caller stays selectable ('Trying', serving_agent 'ring-all') and is offered each agent who becomes Waiting",
    config: queueConfig({ strategy: 'ring_all', members: [{ agentId: 'a1' }, { agentId: 'a2' }] }, 2),
    run: (shell) => {
      onBreak(shell, 'a2');
      shell.arrive('c1', 'q1');
      shell.advance(3);
      shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' });
      shell.advance(8);
    },
    rings: ['0 a1', '10 a1+a2'],
  },
  {
    name: 'memory_hunt: a member busy at their turn who is free at a later step rings with the others (FreePBX fixes the list at the start)',
    source: 'FreePBX/core agi-bin/dialparties.agi: the extension states are read once, when the call comes in, and HuntMember0..N built from them',
    config: { agents: agents(4), ringGroups: [{ id: 'g1', strategy: 'memory_hunt', failover: null, members: ['a1', 'a2', 'a3', 'a4'] }] },
    run: (shell) => {
      onBreak(shell, 'a2');
      shell.arrive('c1', 'g1', { kind: 'ring_group' });
      shell.advance(25);
      shell.send({ type: 'agent_presence_changed', agentId: 'a2', state: 'available' });
      shell.advance(35);
    },
    rings: ['0 a1', '20 a1+a3', '40 a1+a2+a3+a4'],
  },
];

describe('where the anchors disagree, or Switchboard keeps its rule', () => {
  it.each(choiceCases)('$name', ({ config, run, rings }) => {
    const shell = new TestShell(config);
    const log = ringLog(shell);
    run(shell);
    expect(log).toEqual(rings);
  });
});

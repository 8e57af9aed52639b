// A tiny imperative shell for tests: applies the engine's commands, keeps its timers, and fires them on a virtual clock.
import {
  createRandom, createRoutingState, decide, restoreRoutingState, snapshotRoutingState,
  type DecisionResult, type RoutingCommand, type RoutingConfig, type RoutingEvent, type RoutingInput, type RoutingSnapshot,
  type RandomSource, type RoutingState,
} from '../src/index.ts';

type Timer = { at: number; input: RoutingInput };

/** What a worker keeps in the database between decisions, after a JSON round trip as PostgreSQL would give it back. */
export interface SavedShell {
  readonly routing: RoutingSnapshot;
  readonly randomState: number;
  /** In the order they were set: ties fire in this order. */
  readonly timers: readonly (readonly [string, Timer])[];
  readonly now: number;
}

export class TestShell {
  state: RoutingState;
  now = 0;
  readonly timers = new Map<string, Timer>();
  readonly commands: RoutingCommand[] = [];
  random: RandomSource;
  /** Called around every decision, timers included: property tests check the rules here. */
  beforeDecide?: (input: RoutingInput) => void;
  afterDecide?: (input: RoutingInput, result: DecisionResult) => void;

  constructor(config: RoutingConfig, seed = 1) {
    this.state = createRoutingState(config);
    this.random = createRandom(seed);
  }

  /** A shell that takes over from a saved one, as a new worker does after a restart or a rebalance. */
  static restored(config: RoutingConfig, saved: SavedShell): TestShell {
    const shell = new TestShell(config);
    shell.state = restoreRoutingState(config, saved.routing);
    shell.random = createRandom(saved.randomState);
    for (const [key, timer] of saved.timers) shell.timers.set(key, timer);
    shell.now = saved.now;
    return shell;
  }

  save(): SavedShell {
    const saved: SavedShell = {
      routing: snapshotRoutingState(this.state), randomState: this.random.state, timers: [...this.timers], now: this.now,
    };
    return JSON.parse(JSON.stringify(saved)) as SavedShell;
  }

  /** The configuration changes under the live state: save, restore with the new one, and tell the engine. */
  reconfigure(config: RoutingConfig): DecisionResult {
    this.state = restoreRoutingState(config, this.save().routing);
    return this.send({ type: 'configuration_changed' });
  }

  send(input: RoutingInput): DecisionResult {
    this.beforeDecide?.(input);
    const result = decide(this.state, input, { now: this.now, random: this.random });
    for (const command of result.commands) {
      this.commands.push(command);
      if (command.type === 'set_timer') this.timers.set(command.key, { at: command.at, input: command.input });
      if (command.type === 'cancel_timer') this.timers.delete(command.key);
    }
    this.afterDecide?.(input, result);
    return result;
  }

  /** Moves the clock forward, firing due timers in time order (ties in the order they were set). */
  advance(seconds: number): void {
    const until = this.now + seconds;
    for (;;) {
      let due: [string, Timer] | undefined;
      for (const entry of this.timers) if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      this.send(due[1].input);
    }
    this.now = until;
  }

  /** Commands since the last call of `take`, then forgets them. */
  take(): RoutingCommand[] {
    return this.commands.splice(0);
  }

  arrive(id: string, destinationId: string, options: { language?: string; priority?: number; kind?: 'queue' | 'ring_group' } = {}) {
    return this.send({
      type: 'call_arrived',
      call: {
        id,
        destination: { kind: options.kind ?? 'queue', id: destinationId },
        language: options.language ?? 'en',
        priority: options.priority ?? 0,
      },
    });
  }

  answer(callId: string, agentId: string) {
    return this.send({ type: 'agent_answered', callId, agentId });
  }

  decline(callId: string, agentId: string) {
    return this.send({ type: 'agent_declined', callId, agentId });
  }

  end(callId: string) {
    return this.send({ type: 'call_ended', callId, by: 'agent' });
  }

  /** Who rings for the call right now, in ring order. */
  ringing(callId: string): string[] {
    return [...(this.state.calls.get(callId)?.ringing ?? [])];
  }

  /** The agents each `ring` command rang, in order, since the last `take`. */
  ringsSince(): string[][] {
    return this.take().flatMap((command) => (command.type === 'ring' ? [[...command.agentIds]] : []));
  }

  agentState(agentId: string) {
    return this.state.agents.get(agentId)!.state;
  }

  status(callId: string) {
    return this.state.calls.get(callId)?.status;
  }

  eventsOf(callId: string, commands: readonly RoutingCommand[]): RoutingEvent['type'][] {
    return commands.flatMap((command) => (command.type === 'emit' && command.callId === callId ? [command.event.type] : []));
  }
}

export function agents(count: number, languages: string[] = ['en']) {
  return Array.from({ length: count }, (_, index) => ({ id: `a${index + 1}`, languages, state: 'available' as const }));
}

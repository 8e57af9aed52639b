// A tiny imperative shell for tests: applies the engine's commands, keeps its timers, and fires them on a virtual clock.
import {
  createRandom, createRoutingState, decide,
  type DecisionResult, type RoutingCommand, type RoutingConfig, type RoutingEvent, type RoutingInput, type RoutingState,
} from '../src/index.ts';

export class TestShell {
  readonly state: RoutingState;
  now = 0;
  readonly timers = new Map<string, { at: number; input: RoutingInput }>();
  readonly commands: RoutingCommand[] = [];
  private readonly random;
  /** Called around every decision, timers included: property tests check the rules here. */
  beforeDecide?: () => void;
  afterDecide?: () => void;

  constructor(config: RoutingConfig, seed = 1) {
    this.state = createRoutingState(config);
    this.random = createRandom(seed);
  }

  send(input: RoutingInput): DecisionResult {
    this.beforeDecide?.();
    const result = decide(this.state, input, { now: this.now, random: this.random });
    for (const command of result.commands) {
      this.commands.push(command);
      if (command.type === 'set_timer') this.timers.set(command.key, { at: command.at, input: command.input });
      if (command.type === 'cancel_timer') this.timers.delete(command.key);
    }
    this.afterDecide?.();
    return result;
  }

  /** Moves the clock forward, firing due timers in time order (ties in the order they were set). */
  advance(seconds: number): void {
    const until = this.now + seconds;
    for (;;) {
      let due: [string, { at: number; input: RoutingInput }] | undefined;
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

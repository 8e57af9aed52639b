// The load test's agents: each answers its ring after a short delay and hangs up after the call's talk time, through
// call-api as the edge would (POST /calls/{id}/answer, then /hangup).
import type { ApiClient } from './api-client.ts';
import type { SeenEvent } from './call-event-reader.ts';

export interface AgentTally {
  answered: number;
  /** 409 to an answer: the ring had ended (it should not: the ring timeout is far longer than the delay). */
  answersRefused: number;
  hungUp: number;
  /** Requests that failed for good (network, 5xx after retries); each is a defect of the run or the system. */
  failures: string[];
}

export class SimulatedAgents {
  private readonly pending = new Set<Promise<void>>();
  readonly tally: AgentTally = { answered: 0, answersRefused: 0, hungUp: 0, failures: [] };

  constructor(
    private readonly edge: ApiClient,
    private readonly agentIds: ReadonlySet<string>,
    private readonly answerDelaySec: number,
    /** The call's drawn talk time; waits for it when the ring came before the POST's answer did. */
    private readonly talkTimeOf: (callId: string) => Promise<number>,
  ) {}

  /** Fed every new event of `call-events`: a ring for one of ours is answered after the delay. */
  onEvent(event: SeenEvent): void {
    if (event.type !== 'call.ringing') return;
    const rung = Array.isArray(event.data.agentIds) ? (event.data.agentIds as string[]) : [];
    for (const agentId of rung) if (this.agentIds.has(agentId)) this.track(this.handle(event.callId, agentId));
  }

  /** Resolves when every answer and hang-up begun has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => {
        this.tally.failures.push(error instanceof Error ? error.message : String(error));
      })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async handle(callId: string, agentId: string): Promise<void> {
    await delay(this.answerDelaySec);
    const answer = await this.edge.decided('POST', `/calls/${callId}/answer`, { agentId });
    if (answer.status === 409) {
      this.tally.answersRefused++;
      return;
    }
    if (answer.status !== 200) throw new Error(`answer ${callId} as ${agentId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    this.tally.answered++;
    await delay(await this.talkTimeOf(callId));
    const hangup = await this.edge.decided('POST', `/calls/${callId}/hangup`, { by: 'agent' });
    if (hangup.status !== 200) throw new Error(`hang up ${callId}: ${hangup.status} ${JSON.stringify(hangup.body)}`);
    this.tally.hungUp++;
  }
}

const delay = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1_000));

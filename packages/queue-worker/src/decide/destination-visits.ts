// Calls' stays at destinations (queues, ring groups), folded from the events a run of decisions emits, for the
// statistics: written with the decisions, so what `GET /queues/{id}/stats` reads is as durable as the calls themselves.
import type { CallEvent } from '@switchboard/contracts';
import type { DecisionWrite, VisitOpened, VisitUpdated } from '@switchboard/db';

/** How an event ends a call's stay at its destination, if it does. */
const endings: Partial<Record<CallEvent['type'], string>> = {
  'call.completed': 'completed',
  'call.abandoned': 'abandoned',
  'call.unanswered': 'unanswered',
  'call.failed': 'failed',
  'call.overflowed': 'overflowed',
};

export class DestinationVisits {
  private readonly opened: VisitOpened[] = [];
  private readonly updated: VisitUpdated[] = [];
  /** The visit each call is at in this run: opened here, or one opened before whose changes are gathered here. */
  private readonly current = new Map<string, VisitOpened | VisitUpdated>();

  /** A new call enters the destination it dialed. `at`: seconds since the epoch. */
  arrived(callId: string, destination: { kind: string; id: string }, priority: number, at: number): void {
    this.open(callId, destination.kind, destination.id, priority, at);
  }

  /**
   * An event the engine emitted for a call; `priority` is the call's, for a visit an overflow opens; `rungAt`, for an
   * answer, when the answering agent's phone started ringing.
   */
  event(event: CallEvent, at: number, priority: number, rungAt: number | null = null): void {
    if (event.type === 'call.answered') {
      const visit = this.visitOf(event.callId);
      visit.answeredAt = at;
      visit.agentId = event.data.agentId;
      visit.rungAt = rungAt ?? at;
      return;
    }
    const outcome = endings[event.type];
    if (!outcome) return;
    const visit = this.visitOf(event.callId);
    visit.endedAt = at;
    visit.outcome = outcome;
    this.current.delete(event.callId);
    if (event.type === 'call.overflowed' && event.data.to.kind !== 'hangup' && event.data.to.id) {
      this.open(event.callId, event.data.to.kind, event.data.to.id, priority, at);
    }
  }

  toWrite(): DecisionWrite['visits'] {
    return { updated: this.updated, opened: this.opened };
  }

  private open(callId: string, destinationKind: string, destinationId: string, priority: number, enteredAt: number): void {
    const visit: VisitOpened = {
      callId,
      destinationKind,
      destinationId,
      priority,
      enteredAt,
      answeredAt: null,
      agentId: null,
      rungAt: null,
      endedAt: null,
      outcome: null,
    };
    this.opened.push(visit);
    this.current.set(callId, visit);
  }

  /** The call's visit in this run; a visit opened by an earlier run is changed through an update of its open row. */
  private visitOf(callId: string): VisitOpened | VisitUpdated {
    let visit = this.current.get(callId);
    if (!visit) {
      visit = { callId, answeredAt: null, agentId: null, rungAt: null, endedAt: null, outcome: null };
      this.updated.push(visit);
      this.current.set(callId, visit);
    }
    return visit;
  }
}

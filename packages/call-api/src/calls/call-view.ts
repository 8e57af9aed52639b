// Turns database rows into the API's and Kafka's call shapes.
import type { Call, CallDetail, CallRequested, CallTimelineEvent } from '@switchboard/contracts';
import type { CallEventRow, CallRow, WaitingCallFigures } from '@switchboard/db';
import { estimateWaitSec, handleTimesOf } from '@switchboard/routing';

export type { CallEventRow, CallRow } from '@switchboard/db';

export function toCall(row: CallRow): Call {
  return {
    id: row.id,
    status: row.status,
    from: row.from,
    to: row.to,
    language: row.language,
    type: row.type,
    priority: row.priority,
    metadata: row.metadata,
    destination: { kind: row.type, id: row.destinationId, name: row.destinationName, number: row.destinationNumber },
    agentId: row.agentId,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * The call as GET /calls/{id} shows it: who rings now (from the engine's record of the live call), where it stands and
 * how long it may still wait while it waits at a queue (`waiting`, from `waitingCallFigures`), and its timeline.
 */
export function toCallDetail(row: CallRow, events: CallEventRow[], waiting?: WaitingCallFigures): CallDetail {
  const ringing = (row.routing as { ringing?: string[] } | null)?.ringing ?? [];
  let position: number | null = null;
  let estimatedWaitSec: number | null = null;
  if (waiting) {
    position = waiting.callsAhead + 1;
    const times = handleTimesOf(waiting.handledCalls, waiting.ringToEndSum, waiting.ringToAnswerSum, waiting.wrapUpSec);
    estimatedWaitSec = Math.round(estimateWaitSec(waiting, times) * 1000) / 1000;
  }
  return { ...toCall(row), ringing, position, estimatedWaitSec, events: events.map(toTimelineEvent) };
}

export function toTimelineEvent(row: CallEventRow): CallTimelineEvent {
  return { id: row.id, sequence: row.sequence, type: row.type, data: row.data, occurredAt: row.occurredAt.toISOString() };
}

export function toCallRequested(call: Call, domain: string, messageId: string): CallRequested {
  const { id, from, to, language, type, priority, metadata, destination, createdAt } = call;
  return {
    id: messageId,
    type: 'call.requested',
    version: 1,
    domain,
    occurredAt: createdAt,
    call: { id, from, to, language, type, priority, metadata, destination, createdAt },
  };
}

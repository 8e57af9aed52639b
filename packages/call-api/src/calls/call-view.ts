// Turns database rows into the API's and Kafka's call shapes.
import type { Call, CallRequested, CallTimelineEvent } from '@switchboard/contracts';
import type { callEvents, calls } from '@switchboard/db';

export type CallRow = typeof calls.$inferSelect;
export type CallEventRow = typeof callEvents.$inferSelect;

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

export function toTimelineEvent(row: CallEventRow): CallTimelineEvent {
  return { id: row.id, sequence: row.sequence, type: row.type, data: row.data, occurredAt: row.occurredAt.toISOString() };
}

export function toCallRequested(call: Call, messageId: string): CallRequested {
  const { id, from, to, language, type, priority, metadata, destination, createdAt } = call;
  return {
    id: messageId,
    type: 'call.requested',
    version: 1,
    occurredAt: createdAt,
    call: { id, from, to, language, type, priority, metadata, destination, createdAt },
  };
}

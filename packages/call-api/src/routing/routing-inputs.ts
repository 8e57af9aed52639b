// The messages call-api writes to `routing-inputs`: configuration changes (through the outbox, with the change) and
// actions for the engine (sent straight to Kafka by routing-requests.ts).
import { randomUUID } from 'node:crypto';
import type { RoutingAction, RoutingActionRequested, RoutingConfigChanged } from '@switchboard/contracts';
import type { OutboxMessage } from '@switchboard/db';

/** Tells the domain's owner to reload its configuration before its next decision; write it in the change's transaction. */
export function configChangedMessage(topic: string, domain: string, reason: string): OutboxMessage {
  const payload: RoutingConfigChanged = {
    id: randomUUID(), type: 'routing.config_changed', version: 1, occurredAt: new Date().toISOString(), domain, reason,
  };
  return { topic, key: domain, payload, headers: { type: payload.type } };
}

/** An action for the domain's owner; the worker answers `requestId` once its decision has committed. */
export function actionMessage(topic: string, domain: string, requestId: string, action: RoutingAction): OutboxMessage {
  const payload: RoutingActionRequested = {
    id: randomUUID(), type: 'routing.action', version: 1, occurredAt: new Date().toISOString(), domain, requestId, action,
  };
  return { topic, key: domain, payload, headers: { type: payload.type } };
}

// Checks a raw routing-inputs message against the contracts; what fails gets a reason for the dead-letter topic.
import { RoutingInputMessage } from '@switchboard/contracts';
import type { KafkaMessage } from 'kafkajs';

export type CheckedMessage = { ok: true; message: RoutingInputMessage } | { ok: false; reason: string };

export function checkRoutingInput(raw: KafkaMessage): CheckedMessage {
  if (!raw.value) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  const parsed = RoutingInputMessage.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, reason: `not a routing input v1 envelope: ${issues.join('; ')}`.slice(0, 1_000) };
  }
  const key = raw.key?.toString('utf8');
  if (key !== parsed.data.domain) {
    // The key decides the partition and so the owner: a message keyed otherwise would be decided by the wrong worker.
    return { ok: false, reason: `key ${JSON.stringify(key ?? null)} is not the message's routing domain ${JSON.stringify(parsed.data.domain)}` };
  }
  return { ok: true, message: parsed.data };
}

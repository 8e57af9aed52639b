// Checks a raw call-requests message against the contracts; what fails gets a reason for the dead-letter topic.
import { CallRequested } from '@switchboard/contracts';
import type { KafkaMessage } from 'kafkajs';

export type CheckedMessage = { ok: true; message: CallRequested } | { ok: false; reason: string };

export function checkCallRequest(raw: KafkaMessage): CheckedMessage {
  if (!raw.value) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  const parsed = CallRequested.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, reason: `not a call.requested v1 envelope: ${issues.join('; ')}`.slice(0, 1_000) };
  }
  return { ok: true, message: parsed.data };
}

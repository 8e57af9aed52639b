// Which raw routing-inputs messages the worker applies and which it dead-letters, with the reason.
import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import { checkRoutingInput } from '../src/consume/routing-input-message.ts';

const raw = (value: string | null, key: string | null = 'default'): KafkaMessage =>
  ({ key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), offset: '0', timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

const envelope = { id: 'a1b2c3d4-0000-4000-8000-000000000001', version: 1, occurredAt: '2026-11-24T10:00:00.000Z', domain: 'default' };
const call = {
  ...envelope, type: 'call.requested',
  call: {
    id: '0b3f7c55-1f6e-4a8e-9a57-0c6f4a1c2d11', from: '1', to: '100', language: 'en', type: 'queue', priority: 0, metadata: {},
    destination: { kind: 'queue', id: '6c1b2f0e-8f0a-4d5e-9b1c-2a3b4c5d6e7f', name: 'Support', number: '100' },
    createdAt: '2026-11-24T10:00:00.000Z',
  },
};
const answer = {
  ...envelope, type: 'routing.action', requestId: 'a1b2c3d4-0000-4000-8000-000000000002',
  action: { type: 'agent_answered', callId: call.call.id, agentId: 'a1b2c3d4-0000-4000-8000-000000000003' },
};
const reload = { ...envelope, type: 'routing.config_changed', reason: 'queue updated' };

describe('checkRoutingInput', () => {
  it.each([['a new call', call], ['an answer', answer], ['a configuration change', reload]])('accepts %s', (_name, message) => {
    const checked = checkRoutingInput(raw(JSON.stringify(message)));
    expect(checked.ok && checked.message.type).toBe(message.type);
  });
  it.each([
    ['an empty value', null, 'default', /empty/],
    ['bytes that are not JSON', '{not json', 'default', /not JSON/],
    ['JSON of another shape', JSON.stringify({ hello: 'world' }), 'default', /not a routing input v1 envelope/],
    ['a call without an id', JSON.stringify({ ...call, call: { ...call.call, id: 'x' } }), 'default', /call\.id/],
    ['an action of an unknown type', JSON.stringify({ ...answer, action: { type: 'teleport', callId: call.call.id } }), 'default', /action/],
    ['a message keyed by another domain than its own', JSON.stringify(call), 'emea', /key "emea" is not the message's routing domain "default"/],
  ])('rejects %s with a reason', (_name, value, key, reason) => {
    const checked = checkRoutingInput(raw(value, key));
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(reason);
  });
});


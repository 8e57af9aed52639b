// Which raw messages the worker applies and which it dead-letters, with the reason.
import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import { checkCallRequest } from '../src/distribution/call-request-message.ts';

const raw = (value: string | null): KafkaMessage =>
  ({ key: null, value: value === null ? null : Buffer.from(value), offset: '0', timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

const good = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001', type: 'call.requested', version: 1, occurredAt: '2026-11-24T10:00:00.000Z',
  call: {
    id: '0b3f7c55-1f6e-4a8e-9a57-0c6f4a1c2d11', from: '1', to: '100', language: 'en', type: 'queue', priority: 0, metadata: {},
    destination: { kind: 'queue', id: '6c1b2f0e-8f0a-4d5e-9b1c-2a3b4c5d6e7f', name: 'Support', number: '100' },
    createdAt: '2026-11-24T10:00:00.000Z',
  },
};

describe('checkCallRequest', () => {
  it('accepts a valid envelope', () => {
    const checked = checkCallRequest(raw(JSON.stringify(good)));
    expect(checked.ok && checked.message.call.id).toBe(good.call.id);
  });
  it.each([
    ['an empty value', null, /empty/],
    ['bytes that are not JSON', '{not json', /not JSON/],
    ['JSON of another shape', JSON.stringify({ hello: 'world' }), /not a call.requested v1 envelope: id:/],
    ['a call without an id', JSON.stringify({ ...good, call: { ...good.call, id: 'x' } }), /call\.id/],
  ])('rejects %s with a reason', (_name, value, reason) => {
    const checked = checkCallRequest(raw(value));
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(reason);
  });
});

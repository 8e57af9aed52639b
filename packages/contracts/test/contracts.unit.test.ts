// The contracts accept what DOMAIN.md allows and name what they reject.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CallEvent, CallRequested, commonEnv, CreateCallBody, CreateAgentBody, CreateQueueBody, EnvError, LatestSequencePerCall, metadataLimits, parseEnv, Seconds,
} from '@switchboard/contracts';

describe('CreateCallBody', () => {
  it.each([
    [{ from: '+15550001', to: '100', language: 'en' }],
    [{ from: 'anonymous', to: '+15551234567', language: 'es-MX', type: 'queue', priority: 10, metadata: { sip: 'x' } }],
  ])('accepts %j', (body) => expect(CreateCallBody.safeParse(body).success).toBe(true));

  it.each([
    ['missing language', { from: '1', to: '100' }, 'language'],
    ['from as a number', { from: 1, to: '100', language: 'en' }, 'from'],
    ['to with letters', { from: '1', to: 'abc', language: 'en' }, 'to'],
    ['a language that is not BCP 47', { from: '1', to: '100', language: 'english!' }, 'language'],
    ['an unknown type', { from: '1', to: '100', language: 'en', type: 'ivr' }, 'type'],
    ['a priority over 100', { from: '1', to: '100', language: 'en', priority: 101 }, 'priority'],
    ['a fractional priority', { from: '1', to: '100', language: 'en', priority: 1.5 }, 'priority'],
    ['an unknown field', { from: '1', to: '100', language: 'en', lang: 'en' }, ''],
  ])('rejects %s, naming the field', (_name, body, field) => {
    const result = CreateCallBody.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });
});

describe('CreateCallBody refuses what PostgreSQL would refuse, naming the field, before anything recurses into it', () => {
  const call = (fields: Record<string, unknown>) => ({ from: '+15550001', to: '100', language: 'en', ...fields });
  /** `{"a":{"a":…}}` with `levels` objects in all, the outermost being metadata itself. */
  const nested = (levels: number): Record<string, unknown> => {
    let value: Record<string, unknown> = { a: 1 };
    for (let i = 1; i < levels; i++) value = { a: value };
    return value;
  };
  const paths = (body: unknown) => CreateCallBody.safeParse(body).error?.issues.map((i) => i.path.join('.'));

  it.each([
    ['NUL in from', call({ from: '+1\u0000' }), 'from'],
    ['NUL in a metadata value', call({ metadata: { a: '\u0000' } }), 'metadata.a'],
    ['NUL deep in metadata', call({ metadata: { sip: { headers: ['ok', 'x\u0000y'] } } }), 'metadata.sip.headers.1'],
    ['NUL in a metadata key', call({ metadata: { sip: { ['a\u0000']: 1 } } }), 'metadata.sip'],
    ['an unpaired surrogate in metadata', call({ metadata: { a: '\ud800' } }), 'metadata.a'],
    ['metadata one level too deep', call({ metadata: nested(metadataLimits.depth + 1) }), `metadata${'.a'.repeat(metadataLimits.depth)}`],
    ['too many metadata keys', call({ metadata: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`k${j}`, j]))])) }), 'metadata'],
    ['metadata over the byte limit', call({ metadata: { a: 'x'.repeat(metadataLimits.bytes) } }), 'metadata'],
  ])('refuses %s at its path', (_name, body, path) => {
    expect(paths(body)).toContain(path);
  });

  it('takes metadata at its limits', () => {
    expect(paths(call({ metadata: nested(metadataLimits.depth) }))).toBeUndefined();
    const keys = Object.fromEntries(Array.from({ length: metadataLimits.keys }, (_, i) => [`k${i}`, i]));
    expect(paths(call({ metadata: keys }))).toBeUndefined();
    expect(paths(call({ metadata: { a: 'é'.repeat(4_000) } }))).toBeUndefined(); // 8,008 bytes as JSON
    expect(paths(call({ metadata: { emoji: '📞', text: 'Café' } }))).toBeUndefined();
  });

  it('checks metadata thousands of levels deep without overflowing the stack, naming where the limit is crossed', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(paths(call({ metadata: { a: deep } }))).toEqual([`metadata.a${'.0'.repeat(metadataLimits.depth - 1)}`]);
  });

  it('names at most ten problems, however many there are', () => {
    const metadata = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, '\u0000']));
    expect(paths(call({ metadata }))).toHaveLength(10);
  });

  it('refuses NUL in the configuration\'s free text too', () => {
    const agent = { name: 'Ana', extension: '7001', languages: ['en'] };
    expect(CreateAgentBody.safeParse({ ...agent, name: 'A\u0000' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['name']);
    expect(CreateAgentBody.safeParse({ ...agent, skills: ['ok', 'b\u0000'] }).error?.issues.map((i) => i.path.join('.'))).toEqual(['skills.1']);
  });
});

describe('Seconds: what PostgreSQL\'s real can hold', () => {
  // A positive value under about 1.4e-45 made the insert fail (a 500, found by the API fuzz test).
  it.each([0, 0.001, 0.5, 15, 86_400])('takes %d', (seconds) => expect(Seconds.safeParse(seconds).success).toBe(true));
  it.each([5e-324, 1e-300, 1e-46, 0.0009])('refuses %d, saying why', (seconds) => {
    expect(Seconds.safeParse(seconds).error?.issues.map((i) => i.message)).toEqual(['must be 0 or at least 0.001 (a millisecond)']);
  });
  it('a negative value gets only the minimum\'s message', () => {
    expect(Seconds.safeParse(-1).error?.issues.map((i) => i.code)).toEqual(['too_small']);
  });
  it('the document states the rule, even where a field describes itself', () => {
    const schema = z.toJSONSchema(CreateQueueBody, { io: 'input' }) as { $defs: Record<string, { properties: Record<string, unknown> }> };
    expect(schema.$defs.CreateQueueBody!.properties.ringTimeoutSec).toMatchObject({
      minimum: 0, maximum: 86_400, not: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.001 },
    });
  });
});

describe('Kafka envelopes', () => {
  const call = {
    id: '0b3f7c55-1f6e-4a8e-9a57-0c6f4a1c2d11', from: '1', to: '100', language: 'en', type: 'queue', priority: 0, metadata: {},
    destination: { kind: 'queue', id: '6c1b2f0e-8f0a-4d5e-9b1c-2a3b4c5d6e7f', name: 'Support', number: '100' },
    createdAt: '2026-11-24T10:00:00.000Z',
  };
  it('reads a call.requested v1 envelope and refuses another version', () => {
    const message = { id: 'a1b2c3d4-0000-4000-8000-000000000001', type: 'call.requested', version: 1, occurredAt: call.createdAt, domain: 'default', call };
    expect(CallRequested.parse(message).call.id).toBe(call.id);
    expect(CallRequested.safeParse({ ...message, version: 2 }).success).toBe(false);
  });
  it('checks the data of each call event type', () => {
    const base = { id: 'a1b2c3d4-0000-4000-8000-000000000002', version: 1, occurredAt: call.createdAt, callId: call.id, sequence: 2 };
    expect(CallEvent.safeParse({ ...base, type: 'call.queued', status: 'queued', data: { queueId: call.destination.id } }).success).toBe(true);
    expect(CallEvent.safeParse({ ...base, type: 'call.answered', status: 'answered', data: {} }).success).toBe(false);
  });
});

describe('parseEnv', () => {
  const schema = z.object({ DATABASE_URL: commonEnv.DATABASE_URL, KAFKA_BROKERS: commonEnv.KAFKA_BROKERS, PORT: z.coerce.number().int() });
  it('parses brokers into a list', () => {
    const env = parseEnv(schema, { DATABASE_URL: 'postgres://u:p@h:5432/d', KAFKA_BROKERS: 'a:9092, b:9093', PORT: '3000' });
    expect(env.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
  });
  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      parseEnv(schema, { DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohost', PORT: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).issues.map((i) => i.variable).sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'PORT']);
    expect(() => parseEnv(schema, {})).toThrow(/DATABASE_URL: is required but not set/);
  });
});

describe('LatestSequencePerCall: the call-events consumer rule', () => {
  it('applies each call’s events once, in sequence, and drops a redelivered older one', () => {
    const latest = new LatestSequencePerCall();
    // As a relay redelivery can deliver them: 1, 2, 1 (the claim of 1 failed after Kafka's ack), 3, 2; another call between.
    const delivered = [['a', 1], ['a', 2], ['a', 1], ['b', 1], ['a', 3], ['a', 2], ['b', 1], ['b', 2]] as const;
    const applied = delivered.filter(([callId, sequence]) => latest.accept({ callId, sequence })).map(([c, s]) => `${c}${s}`);
    expect(applied).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
    latest.forget('a');
    expect(latest.accept({ callId: 'a', sequence: 1 })).toBe(true);
  });
});

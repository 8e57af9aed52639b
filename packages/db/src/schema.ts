// The database's source of truth: destinations, agents, calls, their events, and the outbox.
import { sql } from 'drizzle-orm';
import {
  bigserial, boolean, check, index, integer, jsonb, pgEnum, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import {
  agentStates, callEventTypes, callStatuses, destinationKinds, queueStrategies, ringGroupStrategies,
} from '@switchboard/contracts';

export const callStatus = pgEnum('call_status', callStatuses);
export const agentState = pgEnum('agent_state', agentStates);
export const destinationKind = pgEnum('destination_kind', destinationKinds);
export const queueStrategy = pgEnum('queue_strategy', queueStrategies);
export const ringGroupStrategy = pgEnum('ring_group_strategy', ringGroupStrategies);
export const callEventType = pgEnum('call_event_type', callEventTypes);

/** Where a queue overflows or a ring group fails over to. */
export type Route = { kind: 'queue' | 'ring_group' | 'hangup'; id?: string };

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

export const agents = pgTable('agents', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  extension: text('extension').notNull().unique(),
  languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
  skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
  state: agentState('state').notNull().default('offline'),
  stateChangedAt: timestamp('state_changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  ...timestamps,
});

export const queues = pgTable('queues', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  number: text('number').notNull().unique(),
  strategy: queueStrategy('strategy').notNull().default('longest_idle'),
  requireLanguage: boolean('require_language').notNull().default(false),
  skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
  ringTimeoutSec: real('ring_timeout_sec').notNull().default(15),
  maxWaitSec: real('max_wait_sec'),
  wrapUpSec: real('wrap_up_sec').notNull().default(0),
  tierWaitSec: real('tier_wait_sec'),
  maxWaiting: integer('max_waiting'),
  overflow: jsonb('overflow').$type<Route>(),
  ...timestamps,
});

export const queueMembers = pgTable(
  'queue_members',
  {
    queueId: uuid('queue_id').notNull().references(() => queues.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    tier: integer('tier').notNull().default(1),
    position: integer('position').notNull().default(0),
    penalty: integer('penalty').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.queueId, t.agentId] }), index('queue_members_agent_idx').on(t.agentId)],
);

export const ringGroups = pgTable('ring_groups', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  number: text('number').notNull().unique(),
  strategy: ringGroupStrategy('strategy').notNull().default('ring_all'),
  ringTimeoutSec: real('ring_timeout_sec').notNull().default(20),
  totalTimeoutSec: real('total_timeout_sec').notNull().default(60),
  failover: jsonb('failover').$type<Route>(),
  ...timestamps,
});

export const ringGroupMembers = pgTable(
  'ring_group_members',
  {
    ringGroupId: uuid('ring_group_id').notNull().references(() => ringGroups.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.ringGroupId, t.agentId] }), index('ring_group_members_agent_idx').on(t.agentId)],
);

export const calls = pgTable(
  'calls',
  {
    id: uuid('id').primaryKey(),
    from: text('from').notNull(),
    to: text('to').notNull(),
    language: text('language').notNull(),
    type: destinationKind('type').notNull(),
    priority: integer('priority').notNull().default(0),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    destinationId: uuid('destination_id').notNull(),
    destinationName: text('destination_name').notNull(),
    destinationNumber: text('destination_number').notNull(),
    status: callStatus('status').notNull().default('received'),
    agentId: uuid('agent_id'),
    reason: text('reason'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('calls_idempotency_key_idx').on(t.idempotencyKey),
    index('calls_status_created_idx').on(t.status, t.createdAt, t.id),
    index('calls_destination_created_idx').on(t.destinationId, t.createdAt, t.id),
    check('calls_priority_range', sql`${t.priority} between 0 and 100`),
  ],
);

/** Each transition of a call, numbered per call: the timeline of GET /calls/{id}. */
export const callEvents = pgTable(
  'call_events',
  {
    id: uuid('id').primaryKey(),
    callId: uuid('call_id').notNull().references(() => calls.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    type: callEventType('type').notNull(),
    status: callStatus('status').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('call_events_call_sequence_idx').on(t.callId, t.sequence)],
);

/**
 * Messages committed in the same transaction as the state change they describe. The relay publishes
 * them to Kafka and then deletes them: a row still here is owed to Kafka, and the sweep will send it.
 */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  topic: text('topic').notNull(),
  key: text('key').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

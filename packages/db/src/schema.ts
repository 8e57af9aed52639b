// The database's source of truth: destinations, agents, calls, their events, and the outbox.
import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, boolean, check, customType, doublePrecision, index, integer, jsonb, pgEnum, pgTable, primaryKey, real, text, timestamp,
  uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import {
  agentStates, apiRoles, callEventTypes, callStatuses, destinationKinds, queueStrategies, ringGroupStrategies,
} from '@switchboard/contracts';

export const callStatus = pgEnum('call_status', callStatuses);
export const agentState = pgEnum('agent_state', agentStates);
export const destinationKind = pgEnum('destination_kind', destinationKinds);
export const queueStrategy = pgEnum('queue_strategy', queueStrategies);
export const ringGroupStrategy = pgEnum('ring_group_strategy', ringGroupStrategies);
export const callEventType = pgEnum('call_event_type', callEventTypes);

/** Where a queue overflows or a ring group fails over to. */
export type Route = { kind: 'queue' | 'ring_group' | 'hangup'; id?: string };

/** The engine's own record of a live call (`@switchboard/routing` CallSnapshot), kept beside the call so a worker can rebuild. */
export type CallRouting = Record<string, unknown>;

/** Statuses of a call that is still live: routing state, timers and the delete checks look only at these. */
/**
 * The statuses of a call its worker holds (the live-call indexes cover only these). A `received` call has not reached
 * its worker yet: it is found through `calls_status_created_idx`, and leaving it out keeps two index entries off every
 * call's insert.
 */
export const liveCallStatuses = sql`('queued', 'ringing', 'answered')`;

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

/**
 * A set of agents, queues and ring groups that shares no member with any other. One worker at a time decides for a
 * domain: it claims it by raising `epoch`, and every decision's transaction first checks that the epoch is still its
 * own (the fence against a worker that lost its Kafka partition without noticing).
 */
/** PostgreSQL's 64-bit transaction id (`xid8`), read as text: it outgrows a JavaScript number's exact range only in theory, but text costs nothing. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const routingDomains = pgTable('routing_domains', {
  name: text('name').primaryKey(),
  epoch: bigint('epoch', { mode: 'number' }).notNull().default(0),
  /** Which worker process holds the current epoch (for operators; the epoch is what fences). */
  owner: text('owner'),
  /** The engine's random source position, saved with each decision so a new owner draws what the old one would have. */
  randomState: bigint('random_state', { mode: 'number' }).notNull().default(1),
  /** The engine's arrival counter (the last tie-break of the order rule). */
  nextSequence: bigint('next_sequence', { mode: 'number' }).notNull().default(1),
  /** The last routing-inputs message applied: a redelivery at or below it is skipped (exactly-once effects). */
  appliedPartition: integer('applied_partition'),
  appliedOffset: bigint('applied_offset', { mode: 'number' }),
  /** Which Kafka log that offset is in (the cluster's id): an offset of another log, one made anew, means nothing here. */
  appliedLog: text('applied_log'),
  /**
   * How far the domain's call events are published to Kafka: every event written by a decision of this domain whose
   * transaction is at or before it (with the `call.received` of each call such a decision first decided) was
   * acknowledged. Written with the next decision, or alone when none comes; a new owner sends what is past it first.
   */
  publishedTx: xid8('published_tx').notNull().default(sql`pg_current_xact_id()`),
  ...timestamps,
});

const domainColumn = () => text('domain').notNull().default('default').references(() => routingDomains.name);

export const agents = pgTable('agents', {
  id: uuid('id').primaryKey().defaultRandom(),
  domain: domainColumn(),
  name: text('name').notNull(),
  extension: text('extension').notNull().unique(),
  languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
  skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
  state: agentState('state').notNull().default('offline'),
  stateChangedAt: timestamp('state_changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** The call the agent rings for or is on. */
  currentCallId: uuid('current_call_id'),
  // The counters strategies read (fewest_calls, least_talk_time, longest_idle), written by the worker with each decision.
  callsAnswered: integer('calls_answered').notNull().default(0),
  talkTimeSec: doublePrecision('talk_time_sec').notNull().default(0),
  lastCallEndedAt: timestamp('last_call_ended_at', { withTimezone: true, mode: 'date' }),
  availableSince: timestamp('available_since', { withTimezone: true, mode: 'date' }),
  answeredAt: timestamp('answered_at', { withTimezone: true, mode: 'date' }),
  ...timestamps,
});

export const queues = pgTable('queues', {
  id: uuid('id').primaryKey().defaultRandom(),
  domain: domainColumn(),
  name: text('name').notNull(),
  number: text('number').notNull().unique(),
  strategy: queueStrategy('strategy').notNull().default('longest_idle'),
  requireLanguage: boolean('require_language').notNull().default(false),
  skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
  ringTimeoutSec: real('ring_timeout_sec').notNull().default(15),
  maxWaitSec: real('max_wait_sec'),
  wrapUpSec: real('wrap_up_sec').notNull().default(0),
  tierWaitSec: real('tier_wait_sec'),
  /** A tier nobody is logged in to is not waited for (FreeSWITCH's tier-rule-no-agent-no-wait). */
  noAgentNoWait: boolean('no_agent_no_wait').notNull().default(true),
  maxWaiting: integer('max_waiting'),
  overflow: jsonb('overflow').$type<Route>(),
  /** Where `round_robin` resumes: after the member last rung for any of the queue's calls. */
  lastRungAgentId: uuid('last_rung_agent_id'),
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
  domain: domainColumn(),
  name: text('name').notNull(),
  number: text('number').notNull().unique(),
  strategy: ringGroupStrategy('strategy').notNull().default('ring_all'),
  ringTimeoutSec: real('ring_timeout_sec').notNull().default(20),
  totalTimeoutSec: real('total_timeout_sec').notNull().default(60),
  failover: jsonb('failover').$type<Route>(),
  /** Where `round_robin` resumes: after the member last rung for any of the group's calls. */
  lastRungAgentId: uuid('last_rung_agent_id'),
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
    /** The routing domain of the dialed destination: whose worker decides for the call. */
    domain: text('domain').notNull().default('default'),
    /** Where the call is now: the dialed destination, or where it overflowed or failed over to. */
    currentDestinationId: uuid('current_destination_id'),
    /** The engine's record of the live call (place in line, tier, who was tried, ring step); null once terminal. */
    routing: jsonb('routing').$type<CallRouting>(),
    status: callStatus('status').notNull().default('received'),
    agentId: uuid('agent_id'),
    reason: text('reason'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    ...timestamps,
  },
  (t) => [
    // Only calls posted with an Idempotency-Key: the others (most) cost the index nothing, at insert or at each update.
    uniqueIndex('calls_idempotency_key_idx').on(t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    index('calls_status_created_idx').on(t.status, t.createdAt, t.id),
    index('calls_destination_created_idx').on(t.destinationId, t.createdAt, t.id),
    check('calls_priority_range', sql`${t.priority} between 0 and 100`),
    index('calls_live_domain_idx').on(t.domain).where(sql`${t.status} in ${liveCallStatuses}`),
    index('calls_live_destination_idx').on(t.currentDestinationId).where(sql`${t.status} in ${liveCallStatuses}`),
  ],
);

/** Each transition of a call, numbered per call: the timeline of GET /calls/{id}. */
export const callEvents = pgTable(
  'call_events',
  {
    /** The event's id for its consumers (a random UUID); its key here is (call_id, sequence), so it is not indexed. */
    id: uuid('id').notNull(),
    callId: uuid('call_id').notNull().references(() => calls.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    type: callEventType('type').notNull(),
    status: callStatus('status').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /**
     * The transaction that wrote the event. `GET /events` reads the table in (tx_id, call_id, sequence) order, only up
     * to the oldest transaction still running, so a row can never appear behind the stream's position after it passed.
     */
    txId: xid8('tx_id').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    primaryKey({ columns: [t.callId, t.sequence] }),
    // An agent's no-answers and declines over a window (GET /agents/{id}/stats): only these events are indexed.
    index('call_events_ring_misses_idx').on(t.occurredAt).where(sql`${t.type} in ('call.no_answer', 'call.declined')`),
    index('call_events_stream_idx').on(t.txId, t.callId, t.sequence),
  ],
);

/** Durable routing timers (ring timeout, max wait, tier wait, wrap-up), set and cancelled with the decisions that own them. */
export const routingTimers = pgTable(
  'routing_timers',
  {
    domain: text('domain').notNull().references(() => routingDomains.name),
    key: text('key').notNull(),
    fireAt: timestamp('fire_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The engine input to decide when the timer fires. */
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.domain, t.key] })],
);

/**
 * Messages committed in the same transaction as the state change they describe. The relay publishes
 * them to Kafka and then deletes them: a row still here is owed to Kafka, and the sweep will send it.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  // A claim takes the rows a key still owes from before its own (a failed send's, a dead worker's), so they go first.
  (t) => [index('outbox_topic_key_id_idx').on(t.topic, t.key, t.id)],
);

/**
 * A call's stay at one destination (a queue or a ring group), from entering it until it was answered and ended, or
 * left it (abandoned, unanswered, failed, overflowed on). Written by the routing worker with the decisions that make
 * them, so the statistics of `GET /queues/{id}/stats` read a narrow table by destination and time, and a restart loses
 * nothing. One call has at most one open visit.
 */
export const destinationVisits = pgTable(
  'destination_visits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    callId: uuid('call_id').notNull().references(() => calls.id, { onDelete: 'cascade' }),
    destinationKind: destinationKind('destination_kind').notNull(),
    destinationId: uuid('destination_id').notNull(),
    priority: integer('priority').notNull().default(0),
    enteredAt: timestamp('entered_at', { withTimezone: true, mode: 'date' }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true, mode: 'date' }),
    agentId: uuid('agent_id'),
    /** When the phone of the agent who answered started ringing for the call (ring-to-answer = answered_at − rung_at). */
    rungAt: timestamp('rung_at', { withTimezone: true, mode: 'date' }),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    /** How the visit ended: completed (answered, then hung up), abandoned, unanswered, failed, overflowed; null while open. */
    outcome: text('outcome'),
  },
  (t) => [
    uniqueIndex('destination_visits_open_call_idx').on(t.callId).where(sql`${t.endedAt} is null`),
    // Deleting a call cascades to its visits: without this, each deleted call scanned the whole table.
    index('destination_visits_call_idx').on(t.callId),
    // A window's figures read only these columns: with all of them in the index, a long window is an index-only scan
    // (measured with `npm run bench:statistics`, a million calls stored: 24 h window 265 ms -> see the README).
    index('destination_visits_window_idx').on(t.destinationId, t.enteredAt, t.answeredAt, t.endedAt, t.outcome),
    index('destination_visits_open_destination_idx').on(t.destinationId, t.enteredAt).where(sql`${t.endedAt} is null`),
    // A queue's last answered and ended calls: the handle time of the wait estimate.
    index('destination_visits_handled_idx').on(t.destinationId, t.endedAt).where(sql`${t.rungAt} is not null and ${t.endedAt} is not null`),
    // An agent's answered calls over a window (GET /agents/{id}/stats).
    index('destination_visits_agent_answered_idx').on(t.agentId, t.answeredAt).where(sql`${t.agentId} is not null`),
  ],
);

/**
 * Every change of an agent's state, written with the decision that made it (by the worker; an agent is created
 * `offline`). The state at any time is the `to_state` of the last change before it, or the `from_state` of the first
 * after it: occupancy over a window (GET /agents/{id}/stats) is read from here.
 */
export const agentStateChanges = pgTable(
  'agent_state_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    fromState: agentState('from_state').notNull(),
    toState: agentState('to_state').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('agent_state_changes_agent_changed_idx').on(t.agentId, t.changedAt)],
);

/**
 * The `routing.action` requests a domain's owner has applied: a copy of one sent again (an outbox claim that failed
 * after Kafka's ack) is skipped, whichever worker owns the domain by then. Rows older than a day are pruned.
 */
export const appliedRoutingActions = pgTable(
  'applied_routing_actions',
  {
    requestId: uuid('request_id').primaryKey(),
    domain: text('domain').notNull(),
    appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('applied_routing_actions_applied_at_idx').on(t.appliedAt)],
);

export const apiRole = pgEnum('api_role', apiRoles);

/**
 * API keys: who may call the API, and as what. Only the SHA-256 of a key is stored (a key is 32 random bytes, so a
 * fast hash is enough: nothing to brute-force); an `agent` key acts for one agent and goes when the agent does.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: apiRole('role').notNull(),
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'cascade' }),
    /** The key's first characters, to tell keys apart in a list. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole key, hex. */
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('api_keys_hash_idx').on(t.hash),
    check('api_keys_agent_role', sql`(${t.role} = 'agent') = (${t.agentId} is not null)`),
  ],
);

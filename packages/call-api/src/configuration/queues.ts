// Creating, changing and deleting queues, with the checks an admin expects; each change tells the domain's routing worker.
import { defaultRoutingDomain, type CreateQueueBody, type FieldError, type Queue, type QueueMemberBody, type UpdateQueueBody } from '@switchboard/contracts';
import {
  deleteQueue as deleteQueueRow, ensureRoutingDomain, insertQueue, newQueueDefaults, queueById, updateQueue as updateQueueRow,
  type QueueMemberRecord, type QueueRecord, type QueueValues,
} from '@switchboard/db';
import { checkMembers, checkRoute, claimNumber, destinationInUse } from './checks.ts';
import { conflict, notFound, unprocessable } from './refusal.ts';
import { changeConfiguration, type ConfigurationContext } from './transaction.ts';
import { isoText } from './views.ts';

export function toQueue(row: QueueRecord): Queue {
  return {
    id: row.id, name: row.name, number: row.number, strategy: row.strategy, requireLanguage: row.requireLanguage, skills: row.skills,
    ringTimeoutSec: row.ringTimeoutSec, maxWaitSec: row.maxWaitSec, wrapUpSec: row.wrapUpSec, tierWaitSec: row.tierWaitSec,
    noAgentNoWait: row.noAgentNoWait, maxWaiting: row.maxWaiting, overflow: row.overflow as Queue['overflow'], members: row.members, domain: row.domain,
    createdAt: isoText(row.createdAt), updatedAt: isoText(row.updatedAt),
  };
}

/** Defaults of a member: tier 1, position its index in the list, penalty 0. */
const toMembers = (members: readonly QueueMemberBody[]): QueueMemberRecord[] =>
  members.map((m, i) => ({ agentId: m.agentId, tier: m.tier ?? 1, position: m.position ?? i, penalty: m.penalty ?? 0 }));

const refuseIfAny = (errors: FieldError[]) => {
  if (errors.length > 0) throw unprocessable('invalid-reference', 'Invalid reference', errors);
};

export function createQueue(ctx: ConfigurationContext, body: CreateQueueBody): Promise<QueueRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const domain = body.domain ?? defaultRoutingDomain;
    const owner = `queue "${body.name}"`;
    await claimNumber(sql, body.number, null);
    const members = toMembers(body.members);
    refuseIfAny([
      ...(await checkMembers(sql, members.map((m) => m.agentId), domain, owner, (i) => `body.members.${i}.agentId`)),
      ...(await checkRoute(sql, body.overflow ?? null, null, domain, owner, 'body.overflow.id')),
    ]);
    await ensureRoutingDomain(sql, domain);
    const values: QueueValues = {
      ...newQueueDefaults, ...definedOnly(body), domain, name: body.name, number: body.number, strategy: body.strategy,
      overflow: body.overflow ?? null,
    };
    const queue = await insertQueue(sql, values, members);
    return { value: queue, domains: [domain], reason: `queue ${queue.id} created` };
  });
}

/**
 * Changes the fields given; `members`, when given, replace the list. A new domain is refused while the queue holds live
 * calls or another destination leads to it, and its members and overflow must be in the new domain.
 */
export function updateQueue(ctx: ConfigurationContext, id: string, body: UpdateQueueBody): Promise<QueueRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const current = await queueById(sql, id, 'update');
    if (!current) throw notFound('queue', id);
    const { id: _id, createdAt: _c, updatedAt: _u, members: currentMembers, ...stored } = current;
    const next: QueueValues = { ...stored, ...definedOnly(body) };
    const owner = `queue "${next.name}"`;
    const moved = next.domain !== current.domain;

    if (next.number !== current.number) await claimNumber(sql, next.number, id);
    if (moved) {
      const inUse = await destinationInUse(sql, 'queue', id, 'body.domain', `move to "${next.domain}"`);
      if (inUse.length > 0) throw conflict('destination-in-use', 'Queue in use', inUse);
    }

    const members = body.members ? toMembers(body.members) : undefined;
    const errors: FieldError[] = [];
    if (members || moved) {
      const ids = (members ?? currentMembers).map((m) => m.agentId);
      errors.push(...(await checkMembers(sql, ids, next.domain, owner, members ? (i) => `body.members.${i}.agentId` : () => 'body.domain')));
    }
    if (body.overflow !== undefined || moved) {
      errors.push(...(await checkRoute(sql, next.overflow, id, next.domain, owner, body.overflow !== undefined ? 'body.overflow.id' : 'body.domain')));
    }
    refuseIfAny(errors);

    if (moved) await ensureRoutingDomain(sql, next.domain);
    const queue = (await updateQueueRow(sql, id, next, members))!;
    return { value: queue, domains: [current.domain, next.domain], reason: `queue ${id} updated` };
  });
}

/** Deletes the queue and its memberships; refused while it holds live calls or another destination leads to it. */
export function deleteQueue(ctx: ConfigurationContext, id: string): Promise<QueueRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const queue = await queueById(sql, id, 'update');
    if (!queue) throw notFound('queue', id);
    const inUse = await destinationInUse(sql, 'queue', id, 'params.id', 'delete');
    if (inUse.length > 0) throw conflict('destination-in-use', 'Queue in use', inUse);
    await deleteQueueRow(sql, id);
    return { value: queue, domains: [queue.domain], reason: `queue ${id} deleted` };
  });
}

/** The body's fields that were given (a PATCH's `null` is given: it clears the field), without `members`. */
function definedOnly(body: UpdateQueueBody): Partial<QueueValues> {
  const { members: _members, ...fields } = body;
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<QueueValues>;
}

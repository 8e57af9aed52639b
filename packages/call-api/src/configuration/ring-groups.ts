// Creating, changing and deleting ring groups, with the checks an admin expects; each change tells the domain's routing worker.
import { defaultRoutingDomain, type CreateRingGroupBody, type FieldError, type RingGroup, type UpdateRingGroupBody } from '@switchboard/contracts';
import {
  deleteRingGroup as deleteRingGroupRow, ensureRoutingDomain, insertRingGroup, newRingGroupDefaults, ringGroupById,
  updateRingGroup as updateRingGroupRow, type RingGroupRecord, type RingGroupValues,
} from '@switchboard/db';
import { checkMembers, checkRoute, claimNumber, destinationInUse } from './checks.ts';
import { conflict, notFound, unprocessable } from './refusal.ts';
import { changeConfiguration, type ConfigurationContext } from './transaction.ts';
import { isoText } from './views.ts';

export function toRingGroup(row: RingGroupRecord): RingGroup {
  return {
    id: row.id, name: row.name, number: row.number, strategy: row.strategy, ringTimeoutSec: row.ringTimeoutSec,
    totalTimeoutSec: row.totalTimeoutSec, failover: row.failover as RingGroup['failover'], members: row.members, domain: row.domain,
    createdAt: isoText(row.createdAt), updatedAt: isoText(row.updatedAt),
  };
}

const refuseIfAny = (errors: FieldError[]) => {
  if (errors.length > 0) throw unprocessable('invalid-reference', 'Invalid reference', errors);
};

export function createRingGroup(ctx: ConfigurationContext, body: CreateRingGroupBody): Promise<RingGroupRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const domain = body.domain ?? defaultRoutingDomain;
    const owner = `ring group "${body.name}"`;
    await claimNumber(sql, body.number, null);
    refuseIfAny([
      ...(await checkMembers(sql, body.members, domain, owner, (i) => `body.members.${i}`)),
      ...(await checkRoute(sql, body.failover ?? null, null, domain, owner, 'body.failover.id')),
    ]);
    await ensureRoutingDomain(sql, domain);
    const values: RingGroupValues = {
      ...newRingGroupDefaults, ...definedOnly(body), domain, name: body.name, number: body.number, strategy: body.strategy,
      failover: body.failover ?? null,
    };
    const group = await insertRingGroup(sql, values, body.members);
    return { value: group, domains: [domain], reason: `ring group ${group.id} created` };
  });
}

/**
 * Changes the fields given; `members`, when given, replace the list (in ring order). A new domain is refused while the
 * group holds live calls or another destination leads to it, and its members and failover must be in the new domain.
 */
export function updateRingGroup(ctx: ConfigurationContext, id: string, body: UpdateRingGroupBody): Promise<RingGroupRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const current = await ringGroupById(sql, id, 'update');
    if (!current) throw notFound('ring_group', id);
    const { id: _id, createdAt: _c, updatedAt: _u, members: currentMembers, ...stored } = current;
    const next: RingGroupValues = { ...stored, ...definedOnly(body) };
    const owner = `ring group "${next.name}"`;
    const moved = next.domain !== current.domain;

    if (next.number !== current.number) await claimNumber(sql, next.number, id);
    if (moved) {
      const inUse = await destinationInUse(sql, 'ring_group', id, 'body.domain', `move to "${next.domain}"`);
      if (inUse.length > 0) throw conflict('destination-in-use', 'Ring group in use', inUse);
    }

    const errors: FieldError[] = [];
    if (body.members || moved) {
      errors.push(...(await checkMembers(sql, body.members ?? currentMembers, next.domain, owner, body.members ? (i) => `body.members.${i}` : () => 'body.domain')));
    }
    if (body.failover !== undefined || moved) {
      errors.push(...(await checkRoute(sql, next.failover, id, next.domain, owner, body.failover !== undefined ? 'body.failover.id' : 'body.domain')));
    }
    refuseIfAny(errors);

    if (moved) await ensureRoutingDomain(sql, next.domain);
    const group = (await updateRingGroupRow(sql, id, next, body.members))!;
    return { value: group, domains: [current.domain, next.domain], reason: `ring group ${id} updated` };
  });
}

/** Deletes the ring group and its memberships; refused while it holds live calls or another destination leads to it. */
export function deleteRingGroup(ctx: ConfigurationContext, id: string): Promise<RingGroupRecord> {
  return changeConfiguration(ctx, async (sql) => {
    const group = await ringGroupById(sql, id, 'update');
    if (!group) throw notFound('ring_group', id);
    const inUse = await destinationInUse(sql, 'ring_group', id, 'params.id', 'delete');
    if (inUse.length > 0) throw conflict('destination-in-use', 'Ring group in use', inUse);
    await deleteRingGroupRow(sql, id);
    return { value: group, domains: [group.domain], reason: `ring group ${id} deleted` };
  });
}

/** The body's fields that were given (a PATCH's `null` is given: it clears the field), without `members`. */
function definedOnly(body: UpdateRingGroupBody): Partial<RingGroupValues> {
  const { members: _members, ...fields } = body;
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<RingGroupValues>;
}

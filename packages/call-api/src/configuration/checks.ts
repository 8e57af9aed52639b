// The checks queues and ring groups share: the dialed number, members, the overflow/failover route, and what a
// destination still does (live calls, other destinations leading to it). Each runs inside the change's transaction and
// takes the locks that keep its answer true until commit.
import type postgres from 'postgres';
import type { DestinationKind, FieldError } from '@switchboard/contracts';
import {
  agentsByIds, countLiveCallsAt, destinationById, destinationByNumber, destinationsRoutingTo, lockDialedNumber, type DestinationRef, type Route,
} from '@switchboard/db';
import { conflict, labelOf } from './refusal.ts';

type Sql = postgres.TransactionSql;

export const describeDestination = (d: Pick<DestinationRef, 'kind' | 'name' | 'number'>) => `${labelOf(d.kind)} "${d.name}" (${d.number})`;

/**
 * Refuses (409) a number another queue or ring group has. The advisory lock on the number serializes every transaction
 * giving it out, across both tables, so of two concurrent claims the second sees the first's committed row.
 */
export async function claimNumber(sql: Sql, number: string, selfId: string | null): Promise<void> {
  await lockDialedNumber(sql, number);
  const owner = await destinationByNumber(sql, number, selfId);
  if (owner) {
    throw conflict('number-taken', 'Number in use', [{ field: 'body.number', reason: `is the number of ${describeDestination(owner)}` }]);
  }
}

/**
 * Each member must be an agent of the destination's domain. The agents stay locked (FOR SHARE) until commit, so an agent
 * cannot move to another domain or be deleted between this check and the membership rows.
 */
export async function checkMembers(
  sql: Sql, agentIds: readonly string[], domain: string, owner: string, fieldOf: (index: number) => string,
): Promise<FieldError[]> {
  const agents = new Map((await agentsByIds(sql, agentIds, 'share')).map((a) => [a.id, a]));
  return agentIds.flatMap((id, i): FieldError[] => {
    const agent = agents.get(id);
    if (!agent) return [{ field: fieldOf(i), reason: `no agent has the id ${id}` }];
    if (agent.domain !== domain) {
      return [{ field: fieldOf(i), reason: `agent "${agent.name}" is in routing domain "${agent.domain}", and ${owner} is in "${domain}"` }];
    }
    return [];
  });
}

/**
 * An overflow or failover route: `hangup`, or an existing queue or ring group of the same domain other than `selfId`.
 * The target stays locked (FOR SHARE) until commit, so it cannot be deleted or moved meanwhile.
 */
export async function checkRoute(
  sql: Sql, route: Route | null, selfId: string | null, domain: string, owner: string, field: string,
): Promise<FieldError[]> {
  if (!route || route.kind === 'hangup' || !route.id) return [];
  if (route.id === selfId) return [{ field, reason: `is ${owner} itself` }];
  const target = await destinationById(sql, route.kind, route.id, 'share');
  if (!target) return [{ field, reason: `no ${labelOf(route.kind)} has the id ${route.id}` }];
  if (target.domain !== domain) {
    return [{ field, reason: `${describeDestination(target)} is in routing domain "${target.domain}", and ${owner} is in "${domain}"` }];
  }
  return [];
}

/**
 * What keeps a destination where it is: live calls at it, and queues or ring groups that overflow or fail over to it.
 * The caller holds the destination's row FOR UPDATE, so a route to it cannot be added meanwhile (adding one locks it FOR SHARE).
 */
export async function destinationInUse(sql: Sql, kind: DestinationKind, id: string, field: string, doing: string): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const live = await countLiveCallsAt(sql, id);
  if (live > 0) errors.push({ field, reason: `cannot ${doing}: the ${labelOf(kind)} holds ${live} live call${live === 1 ? '' : 's'}` });
  for (const from of await destinationsRoutingTo(sql, id)) {
    const how = from.kind === 'queue' ? 'overflows' : 'fails over';
    errors.push({ field, reason: `cannot ${doing}: ${describeDestination(from)} ${how} to it` });
  }
  return errors;
}

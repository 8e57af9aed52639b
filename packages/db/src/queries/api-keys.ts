// API keys: made here (32 random bytes), stored as their SHA-256, looked up by it. The key itself is returned once.
import { createHash, randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import type { ApiRole } from '@switchboard/contracts';
import type { PageRequest } from './configuration.ts';

type Sql = postgres.Sql | postgres.TransactionSql;

export type ApiKeyRecord = { id: string; name: string; role: ApiRole; agentId: string | null; prefix: string; createdAt: string };
/** Who a key speaks for: what the API checks a request against. */
export type ApiPrincipal = { keyId: string; name: string; role: ApiRole; agentId: string | null };

const keyPrefix = 'sbk_';
/** Characters of a key shown in lists: the prefix and 6 of the random part (not enough to guess the other 37). */
const shownLength = keyPrefix.length + 6;

/** SHA-256 of the key, hex: a key is 256 random bits, so a slow password hash would add cost and no safety. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

const columns = `id, name, role, agent_id as "agentId", prefix,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdAt"`;

/** Makes a key, stores its hash, and returns the record with the key (which nothing can show again). */
export async function createApiKey(sql: Sql, fields: { name: string; role: ApiRole; agentId?: string | null }): Promise<ApiKeyRecord & { key: string }> {
  const key = `${keyPrefix}${randomBytes(32).toString('base64url')}`;
  const [row] = await sql<ApiKeyRecord[]>`
    insert into api_keys (name, role, agent_id, prefix, hash)
    values (${fields.name}, ${fields.role}, ${fields.agentId ?? null}, ${key.slice(0, shownLength)}, ${hashApiKey(key)})
    returning ${sql.unsafe(columns)}`;
  return { ...row!, key };
}

/** The principal a key speaks for, or undefined for a key that does not exist (or no longer does). */
export async function principalOfApiKey(sql: Sql, key: string): Promise<ApiPrincipal | undefined> {
  const [row] = await sql<ApiPrincipal[]>`
    select id as "keyId", name, role, agent_id as "agentId" from api_keys where hash = ${hashApiKey(key)}`;
  return row;
}

export async function listApiKeys(sql: Sql, page: PageRequest): Promise<ApiKeyRecord[]> {
  return sql<ApiKeyRecord[]>`
    select ${sql.unsafe(columns)} from api_keys
     where ${page.after?.createdAt ?? null}::timestamptz is null
        or (created_at, id) < (${page.after?.createdAt ?? null}::timestamptz, ${page.after?.id ?? null}::uuid)
     order by created_at desc, id desc
     limit ${page.limit + 1}`;
}

export async function apiKeyById(sql: Sql, id: string): Promise<ApiKeyRecord | undefined> {
  const [row] = await sql<ApiKeyRecord[]>`select ${sql.unsafe(columns)} from api_keys where id = ${id}`;
  return row;
}

/** Deletes (revokes) the key; false when there was none. */
export async function deleteApiKey(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`delete from api_keys where id = ${id} returning id`;
  return rows.length > 0;
}

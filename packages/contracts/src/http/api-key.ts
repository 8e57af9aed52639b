// HTTP shapes of API keys: who may call the API. A key is shown once, when it is created; only its hash is stored.
import { z } from 'zod';
import { Timestamp } from '../fields.ts';
import { DisplayName, pageQueryFields } from './configuration.ts';

/**
 * What a key may do. `admin`: everything (configuration, keys, and what every other role may). `edge`: the telephony
 * edge (`POST /call`, reading calls, answer, decline and hang-up for any agent). `agent`: one agent's desktop (their own
 * status and record, answering and declining their own rings, hanging up the call they are on, reading those calls).
 * `viewer`: reads (calls, configuration, metrics).
 */
export const apiRoles = ['admin', 'edge', 'agent', 'viewer'] as const;
export const ApiRole = z.enum(apiRoles).meta({ id: 'ApiRole' });
export type ApiRole = z.infer<typeof ApiRole>;

export const CreateApiKeyBody = z
  .strictObject({
    name: DisplayName.describe('who or what holds the key (`PBX 1`, `wallboard`)'),
    role: ApiRole,
    agentId: z.uuid().optional().describe('the agent an `agent` key acts for: required for that role, refused for the others'),
  })
  .superRefine((body, ctx) => {
    if (body.role === 'agent' && body.agentId === undefined) ctx.addIssue({ code: 'custom', path: ['agentId'], message: 'is required for the agent role' });
    if (body.role !== 'agent' && body.agentId !== undefined) ctx.addIssue({ code: 'custom', path: ['agentId'], message: 'is only for the agent role' });
  })
  .meta({ id: 'CreateApiKeyBody' });
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: ApiRole,
    agentId: z.uuid().nullable(),
    prefix: z.string().describe('the first characters of the key, to tell keys apart; the key itself is never shown again'),
    createdAt: Timestamp,
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('the secret, sent as `Authorization: Bearer <key>`: shown this once, stored only as a hash'),
}).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyIdParams = z.object({ id: z.uuid() });
export const ListApiKeysQuery = z.object({ ...pageQueryFields });
export const ApiKeyPage = z.object({ items: z.array(ApiKey), nextCursor: z.string().nullable() }).meta({ id: 'ApiKeyPage' });

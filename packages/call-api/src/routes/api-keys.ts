// /keys: API keys and their roles (admin only). A key is shown once, in the answer that creates it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiKey, ApiKeyIdParams, ApiKeyPage, CreateApiKeyBody, CreatedApiKey, ListApiKeysQuery, Problem } from '@switchboard/contracts';
import { agentById, createApiKey, deleteApiKey, listApiKeys, type Database } from '@switchboard/db';
import { adminOnly, problemType, sendProblem } from '@switchboard/service';
import { decodeCursor, pageOf, sendInvalidCursor } from './pagination.ts';

const tags = ['keys'];

export const apiKeyRoutes: FastifyPluginAsyncZod<{ db: Database }> = async (app, { db }) => {
  const sql = db.$client;

  app.post(
    '/keys',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Create an API key; the answer holds the key, which is never shown again',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, 400: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const { name, role, agentId } = request.body;
      if (agentId !== undefined && !(await agentById(sql, agentId))) {
        return sendProblem(reply, {
          type: problemType('unknown-agent'),
          title: 'Unknown agent',
          status: 422,
          detail: `no agent ${agentId}`,
          errors: [{ field: 'body.agentId', reason: 'no such agent' }],
        });
      }
      const created = await createApiKey(sql, { name, role, agentId: agentId ?? null });
      request.log.info({ keyId: created.id, role, by: request.principal?.keyId }, 'API key created');
      return reply.code(201).header('location', `/keys/${created.id}`).send(created);
    },
  );

  app.get(
    '/keys',
    {
      config: adminOnly,
      schema: { tags, summary: 'API keys (without their secrets), newest first', querystring: ListApiKeysQuery, response: { 200: ApiKeyPage, 400: Problem } },
    },
    async (request, reply) => {
      const { limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor) : undefined;
      if (after === null) return sendInvalidCursor(reply);
      return pageOf(await listApiKeys(sql, { limit, after }), limit, (row) => ApiKey.parse(row));
    },
  );

  app.delete(
    '/keys/:id',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Revoke an API key (instances that used it in the last AUTH_KEY_CACHE_MS may take it that long more)',
        params: ApiKeyIdParams,
        response: { 204: z.null().describe('revoked'), 400: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      if (!(await deleteApiKey(sql, request.params.id))) {
        return sendProblem(reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `no API key ${request.params.id}` });
      }
      request.log.info({ keyId: request.params.id, by: request.principal?.keyId }, 'API key revoked');
      return reply.code(204).send(null);
    },
  );
};

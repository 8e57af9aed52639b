// OpenAPI document generated from the contracts' zod schemas, Swagger UI at /docs, and /api (the prototype's path) redirecting there.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Switchboard call-api',
        version: '0.1.0',
        description: 'Inbound calls from the telephony edge, distributed to agents through queues and ring groups.',
      },
      tags: [
        { name: 'calls', description: 'calls from the telephony edge, and what agents and the edge do to them' },
        { name: 'agents', description: 'agents, and their presence' },
        { name: 'queues' },
        { name: 'ring-groups' },
        { name: 'health' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api', { schema: { hide: true } }, (_request, reply) => reply.redirect('/docs', 301));
}

import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** The OpenAPI document of every route (schemas are the route schemas), at /docs/json, with a UI at /docs. */
export const openapiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Vigil console API',
          version: '1',
          description:
            'The agent API (/api/agent/v1, `Authorization: Device <id>:<secret>`) and the dashboard API (/api, session cookie from POST /api/auth/login; state-changing requests carry `x-vigil-csrf`). Errors are `{ code, message }`.',
        },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
            csrf: { type: 'apiKey', in: 'header', name: 'x-vigil-csrf' },
          },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'vigil-openapi', fastify: '5.x' },
);

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';

export const healthRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => {
    await sql`SELECT 1`.execute(app.database.kysely);
    return { status: 'ok' as const };
  });
};

import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { ConsoleError, CONSOLE_ERRORS, type ConsoleErrorCode } from '../errors';

/** Framework error codes that mean "the client sent something wrong", mapped to ours. */
const FRAMEWORK_CODES: Record<string, ConsoleErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'CONSOLE_ERR_PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'CONSOLE_ERR_PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'CONSOLE_ERR_PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'CONSOLE_ERR_PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'CONSOLE_ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'CONSOLE_ERR_UNSUPPORTED_MEDIA',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'CONSOLE_ERR_UNSUPPORTED_MEDIA',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'CONSOLE_ERR_VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'CONSOLE_ERR_VALIDATION',
};

/** The one error handler: 4xx say what was wrong, 5xx say nothing internal. Wire shape `{ code, message }`. */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | ConsoleError, request, reply) => {
      if (error instanceof ConsoleError) {
        return reply.status(error.statusCode).send({ code: error.code, message: error.message });
      }
      if (error.validation) {
        return reply.status(400).send({ code: 'CONSOLE_ERR_VALIDATION', message: error.message });
      }
      const mapped = error.code ? FRAMEWORK_CODES[error.code] : undefined;
      if (mapped) {
        return reply.status(CONSOLE_ERRORS[mapped].status).send({ code: mapped, message: error.message });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply.status(status).send({ code: 'CONSOLE_ERR_VALIDATION', message: error.message });
      }
      request.log.error({ err: { code: error.code, name: error.name, stack: error.stack } }, 'request failed');
      return reply
        .status(500)
        .send({ code: 'CONSOLE_ERR_INTERNAL', message: CONSOLE_ERRORS.CONSOLE_ERR_INTERNAL.message });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        code: 'CONSOLE_ERR_NOT_FOUND',
        message: `No route for ${request.method} ${request.url.split('?')[0]}`,
      }),
    );
  },
  { name: 'vigil-errors', fastify: '5.x' },
);

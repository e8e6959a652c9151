import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AGENT_API,
  CAPTURE_PARTS,
  CAPTURE_UPLOAD_LIMITS,
  CaptureIngestResponseSchema,
  ErrorResponseSchema,
} from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { ingestCapture, type CaptureUpload } from '../../services/capture-ingest.service';

export const capturesRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    AGENT_API.captures,
    {
      onRequest: app.authenticateDevice,
      schema: {
        consumes: ['multipart/form-data'],
        response: {
          200: CaptureIngestResponseSchema,
          201: CaptureIngestResponseSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
          409: ErrorResponseSchema,
          413: ErrorResponseSchema,
          415: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new ConsoleError('CONSOLE_ERR_UNSUPPORTED_MEDIA', 'Captures are uploaded as multipart/form-data');
      }
      const upload: CaptureUpload = { metadataJson: undefined, screenshot: undefined, thumbnail: undefined };
      const parts = request.parts({
        limits: {
          fileSize: CAPTURE_UPLOAD_LIMITS.maxScreenshotBytes,
          fieldSize: CAPTURE_UPLOAD_LIMITS.maxMetadataBytes,
          files: 4,
          fields: 4,
          parts: 8,
        },
      });
      for await (const part of parts) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.fieldname === CAPTURE_PARTS.screenshot) upload.screenshot = bytes;
          else if (part.fieldname === CAPTURE_PARTS.thumbnail) {
            if (bytes.length > CAPTURE_UPLOAD_LIMITS.maxThumbnailBytes) {
              throw new ConsoleError('CONSOLE_ERR_PAYLOAD_TOO_LARGE', 'The thumbnail is too large');
            }
            upload.thumbnail = bytes;
          } else throw new ConsoleError('CONSOLE_ERR_BAD_MULTIPART', `Unexpected file part "${part.fieldname}"`);
        } else if (part.fieldname === CAPTURE_PARTS.metadata) {
          if (part.valueTruncated) throw new ConsoleError('CONSOLE_ERR_PAYLOAD_TOO_LARGE', 'The metadata is too large');
          upload.metadataJson = String(part.value);
        } else {
          throw new ConsoleError('CONSOLE_ERR_BAD_MULTIPART', `Unexpected field "${part.fieldname}"`);
        }
      }
      const result = await ingestCapture(app, request.device!, upload);
      if (!result.duplicate) request.log.info({ captureId: result.id, deviceId: request.device!.id }, 'capture stored');
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  );
};

import sharp from 'sharp';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CaptureMetadataSchema, type CaptureMetadata } from '@vigil/shared';
import type { FastifyInstance } from 'fastify';
import { ConsoleError } from '../errors';
import type { Device } from '../repositories/devices.repository';
import { groupCapture } from './capture-groups.service';

const metadataCheck = TypeCompiler.Compile(CaptureMetadataSchema);
const IMAGE_TYPES: Record<string, string> = { webp: 'image/webp', png: 'image/png', jpeg: 'image/jpeg' };
/** Screens larger than this (about 12K × 4K) are not screenshots. */
const MAX_IMAGE_PIXELS = 50_000_000;

export interface CaptureUpload {
  metadataJson: string | undefined;
  screenshot: Buffer | undefined;
  thumbnail: Buffer | undefined;
}

export interface IngestResult {
  id: string;
  duplicate: boolean;
}

/** Parses and checks the metadata part: JSON, the v1 schema, and the consistency the schema cannot say. */
export function parseCaptureMetadata(json: string | undefined): CaptureMetadata {
  if (json === undefined) throw new ConsoleError('CONSOLE_ERR_BAD_MULTIPART', 'The "metadata" part is missing');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConsoleError('CONSOLE_ERR_BAD_MULTIPART', 'The "metadata" part is not JSON');
  }
  if (!metadataCheck.Check(value)) {
    const first = metadataCheck.Errors(value).First();
    throw new ConsoleError(
      'CONSOLE_ERR_VALIDATION',
      `metadata${first?.path || ''}: ${first?.message ?? 'does not match the capture schema'}`,
    );
  }
  const metadata = value;
  const maxSeverity = metadata.matches.reduce((m, x) => Math.max(m, x.severity), 0);
  if (metadata.matches.length > 0 && metadata.severity !== maxSeverity) {
    throw new ConsoleError('CONSOLE_ERR_VALIDATION', 'metadata/severity must be the highest severity of its matches');
  }
  for (const m of metadata.matches) {
    if (m.end < m.start || m.end > metadata.context.length) {
      throw new ConsoleError('CONSOLE_ERR_VALIDATION', 'metadata/matches: a match lies outside its context');
    }
  }
  return metadata;
}

async function inspectImage(bytes: Buffer, part: string): Promise<{ format: string; width: number; height: number }> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
    if (meta.format && IMAGE_TYPES[meta.format] && meta.width && meta.height) {
      // Decode it fully once: a truncated or corrupt file fails here, not in front of a DSL.
      await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).stats();
      return { format: meta.format, width: meta.width, height: meta.height };
    }
  } catch {
    // fall through to the clear error below
  }
  throw new ConsoleError('CONSOLE_ERR_BAD_IMAGE', `The "${part}" part is not a readable WebP, PNG or JPEG image`);
}

/**
 * Stores a capture exactly once. A retry of a stored capture answers duplicate and stores nothing;
 * bad input throws a ConsoleError before anything is written.
 */
export async function ingestCapture(
  app: FastifyInstance,
  device: Device,
  upload: CaptureUpload,
): Promise<IngestResult> {
  const metadata = parseCaptureMetadata(upload.metadataJson);
  if (metadata.deviceId !== device.id) throw new ConsoleError('CONSOLE_ERR_DEVICE_MISMATCH');

  const existing = await app.repos.captures.byId(metadata.id);
  if (existing) {
    if (existing.deviceId !== device.id) throw new ConsoleError('CONSOLE_ERR_CAPTURE_CONFLICT');
    return { id: metadata.id, duplicate: true };
  }

  if (!upload.screenshot) throw new ConsoleError('CONSOLE_ERR_BAD_MULTIPART', 'The "screenshot" part is missing');
  const shot = await inspectImage(upload.screenshot, 'screenshot');
  const thumb = upload.thumbnail ? await inspectImage(upload.thumbnail, 'thumbnail') : undefined;

  const month = metadata.capturedAt.slice(0, 7).replace('-', '/');
  const base = `schools/${device.schoolId}/captures/${month}/${metadata.id}`;
  const screenshotKey = `${base}.${shot.format}`;
  const thumbnailKey = thumb ? `${base}.thumb.${thumb.format}` : null;
  await app.blobs.put(screenshotKey, upload.screenshot);
  if (thumbnailKey && upload.thumbnail) await app.blobs.put(thumbnailKey, upload.thumbnail);

  const now = app.clock.now();
  const stored = await app.repos.captures.insert({
    ...metadata,
    schoolId: device.schoolId,
    receivedAt: now.toISOString(),
    screenshot: {
      key: screenshotKey,
      type: IMAGE_TYPES[shot.format] ?? 'application/octet-stream',
      width: shot.width,
      height: shot.height,
    },
    thumbnailKey,
  });
  await app.repos.devices.touch(device.id, now);
  if (stored) {
    await groupCapture(app, { ...metadata, schoolId: device.schoolId });
    app.live.captureNew({
      id: metadata.id,
      schoolId: device.schoolId,
      severity: metadata.severity,
      capturedAt: metadata.capturedAt,
      matches: metadata.matches,
    });
    app.events.emit('capture:stored', {
      id: metadata.id,
      schoolId: device.schoolId,
      severity: metadata.severity,
      capturedAt: metadata.capturedAt,
    });
  }
  return { id: metadata.id, duplicate: !stored };
}

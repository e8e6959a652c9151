import sharp from 'sharp';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CaptureMetadataSchema, type CaptureMetadata } from '@vigil/shared';
import type { FastifyInstance } from 'fastify';
import { ConsoleError } from '../errors';
import type { Device } from '../repositories/devices.repository';
import { groupCapture } from './capture-groups.service';
import { imageStructureOk, readImageHeader } from './image-check';

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
    // sharp (libvips, off the event loop) reads the header: format and size (about 1 ms of CPU;
    // a full decode costs 50-90 ms, which would cap ingest far below the target). For PNG and
    // WebP our own header reader must agree with it.
    const meta = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
    const own = readImageHeader(bytes);
    if (own && (own.format !== meta.format || own.width !== meta.width || own.height !== meta.height)) {
      throw new Error('header disagrees');
    }
    if (meta.format && IMAGE_TYPES[meta.format] && meta.width && meta.height) {
      if (meta.width * meta.height > MAX_IMAGE_PIXELS) throw new Error('too many pixels');
      // A truncated or damaged file fails here, not in front of a DSL (see image-check.ts: the
      // structure is checked, not every pixel decoded, which would cap ingest far below target).
      if (!imageStructureOk(bytes, meta.format, meta.width, meta.height)) throw new Error('bad structure');
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
  await Promise.all([
    app.blobs.put(screenshotKey, upload.screenshot),
    thumbnailKey && upload.thumbnail ? app.blobs.put(thumbnailKey, upload.thumbnail) : undefined,
  ]);

  const now = app.clock.now();
  // One group commit with other agents' writes: the row, the device's last-seen, the capture's group.
  const stored = await app.writes.run(async (r) => {
    const inserted = await r.captures.insert({
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
    await r.devices.touch(device.id, now);
    if (inserted) await groupCapture(app, r.groups, { ...metadata, schoolId: device.schoolId });
    return inserted;
  });
  if (stored) {
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

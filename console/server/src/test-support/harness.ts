import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { AGENT_API, CAPTURE_PARTS, uuidv7, type CaptureMetadata, type EnrolResponse } from '@vigil/shared';
import { buildApp } from '../app';
import { loadConfig } from '../config';

export interface Harness {
  app: FastifyInstance;
  dataDir: string;
  close(): Promise<void>;
}

/** A real console on a temp data dir (real SQLite file, real blobs on disk), driven through app.inject. */
export async function startHarness(): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-console-test-'));
  const config = loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent' }, dataDir);
  const app = await buildApp(config);
  return {
    app,
    dataDir,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function enrolDevice(app: FastifyInstance, token: string): Promise<EnrolResponse & { auth: string }> {
  const res = await app.inject({
    method: 'POST',
    url: AGENT_API.enrol,
    payload: { token, hostname: 'laptop-07', os: 'linux', agentVersion: '0.1.0' },
  });
  if (res.statusCode !== 201) throw new Error(`enrol failed: ${res.statusCode} ${res.body}`);
  const body = res.json<EnrolResponse>();
  return { ...body, auth: `Device ${body.deviceId}:${body.deviceSecret}` };
}

export function captureMetadata(deviceId: string, overrides: Partial<CaptureMetadata> = {}): CaptureMetadata {
  return {
    id: uuidv7(),
    capturedAt: new Date().toISOString(),
    deviceId,
    user: 'pupil01',
    source: 'typed',
    app: 'xterm',
    windowTitle: 'Terminal',
    url: null,
    matches: [
      { entryId: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', severity: 5, start: 7, end: 18 },
    ],
    context: 'i want kill myself now',
    severity: 5,
    count: 1,
    policyVersion: 'starter-1',
    ...overrides,
  };
}

export const webpImage = (width = 640, height = 400): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 90, b: 160 } } })
    .webp()
    .toBuffer();

export interface MultipartBody {
  payload: Buffer;
  headers: Record<string, string>;
}

/** A multipart body built by the platform's own FormData, as the agent builds it. */
export async function multipart(parts: {
  metadata?: string;
  screenshot?: Buffer;
  thumbnail?: Buffer;
  extra?: Record<string, string>;
}): Promise<MultipartBody> {
  const form = new FormData();
  if (parts.metadata !== undefined) form.append(CAPTURE_PARTS.metadata, parts.metadata);
  if (parts.screenshot)
    form.append(CAPTURE_PARTS.screenshot, new Blob([parts.screenshot], { type: 'image/webp' }), 'shot.webp');
  if (parts.thumbnail)
    form.append(CAPTURE_PARTS.thumbnail, new Blob([parts.thumbnail], { type: 'image/webp' }), 'thumb.webp');
  for (const [k, v] of Object.entries(parts.extra ?? {})) form.append(k, v);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  };
}

import sharp from 'sharp';
import { AgentError } from '../errors';
import type { EvidenceStamp, Screenshot, ScreenshotImage } from '../core/ports';
import { formatEvidenceStamp } from '../core/evidence-stamp';
import { grabScreen, screenSharp, type ScreenImage } from './screen-grab';

/**
 * libwebp's effort (0–6; sharp's default 4). Measured on 1600 px screens (a terminal full of text,
 * and a photo-like one): effort 2 encodes in 43–53 ms of CPU against 100 ms at 4, for files 2–6%
 * larger at the same quality: half the encoding time of every capture, on the path from the
 * key press to the outbox.
 */
const WEBP_EFFORT = 2;

/** Height of the evidence banner added below the screen, in pixels of the final image. */
export const BANNER_HEIGHT = 28;

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

export interface NativeScreenshotOptions {
  /** Wider screens are scaled down to this (default 1600 px). */
  maxWidth?: number;
  /** Thumbnail width (default 320 px). */
  thumbnailWidth?: number;
  /** A screenshot that takes longer than this has failed (default 15 s). */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

/**
 * Every display (screen-grab.ts), with the evidence banner below it, re-encoded by sharp as WebP
 * plus a WebP thumbnail.
 */
export class NativeScreenshot implements Screenshot {
  private readonly maxWidth: number;
  private readonly thumbnailWidth: number;
  private readonly timeoutMs: number;
  private readonly platform: NodeJS.Platform;

  constructor(options: NativeScreenshotOptions = {}) {
    this.platform = options.platform ?? process.platform;
    this.maxWidth = options.maxWidth ?? 1600;
    this.thumbnailWidth = options.thumbnailWidth ?? 320;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async capture(stamp: EvidenceStamp): Promise<ScreenshotImage> {
    let screen: ScreenImage;
    try {
      screen = await grabScreen(this.timeoutMs, { allDisplays: true, platform: this.platform });
    } catch (error) {
      throw new AgentError('AGENT_ERR_SCREENSHOT_FAILED', 'The screen could not be captured.', { cause: error });
    }
    try {
      return await this.encode(screen, stamp);
    } catch (error) {
      throw new AgentError('AGENT_ERR_SCREENSHOT_FAILED', 'The screenshot could not be encoded.', { cause: error });
    }
  }

  async unavailable(stamp: EvidenceStamp): Promise<ScreenshotImage> {
    const svg = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360">` +
        `<rect width="100%" height="100%" fill="#3a3a3a"/>` +
        `<text x="320" y="190" font-family="sans-serif" font-size="28" fill="#ffffff" text-anchor="middle">Screenshot unavailable</text>` +
        `</svg>`,
    );
    return this.encode({ data: await sharp(svg).png().toBuffer() }, stamp);
  }

  /**
   * Scales the screen to at most `maxWidth`, adds the evidence banner below it (the screen itself
   * is never covered) and encodes WebP plus a WebP thumbnail of the screen.
   */
  async encode(image: ScreenImage | Buffer, stamp: EvidenceStamp): Promise<ScreenshotImage> {
    // Decode and scale once, to raw pixels; the full image and the thumbnail start from those.
    const scaled = await screenSharp(Buffer.isBuffer(image) ? { data: image } : image)
      .resize({ width: this.maxWidth, withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height, channels } = scaled.info;
    const raw = { raw: { width, height, channels } };
    const fontSize = Math.max(10, Math.min(15, Math.floor(width / 90)));
    const banner = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${BANNER_HEIGHT}">` +
        `<rect width="100%" height="100%" fill="#111111"/>` +
        `<text x="8" y="${Math.round(BANNER_HEIGHT / 2 + fontSize / 3)}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="#ffffff">` +
        `${escapeXml(formatEvidenceStamp(stamp))}</text></svg>`,
    );
    const [full, thumbnail] = await Promise.all([
      sharp(scaled.data, raw)
        .extend({ bottom: BANNER_HEIGHT, background: '#111111' })
        .composite([{ input: banner, top: height, left: 0 }])
        .webp({ quality: 80, effort: WEBP_EFFORT })
        .toBuffer({ resolveWithObject: true }),
      sharp(scaled.data, raw)
        .resize({ width: this.thumbnailWidth })
        .webp({ quality: 70, effort: WEBP_EFFORT })
        .toBuffer(),
    ]);
    return { webp: full.data, width: full.info.width, height: full.info.height, thumbnail };
  }
}

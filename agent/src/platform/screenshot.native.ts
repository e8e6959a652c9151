import screenshotDesktop from 'screenshot-desktop';
import sharp from 'sharp';
import { AgentError } from '../errors';
import type { EvidenceStamp, Screenshot, ScreenshotImage } from '../core/ports';
import { formatEvidenceStamp } from '../core/evidence-stamp';

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
 * The primary screen through screenshot-desktop (ImageMagick `import` on X11, the platform
 * tools elsewhere), re-encoded by sharp as WebP plus a WebP thumbnail.
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
    let png: Buffer;
    try {
      // Ask for the displays first: screenshot-desktop does so too but loses that error
      // (its promise would never settle), so a missing display must fail here instead.
      const displays = await withTimeout(screenshotDesktop.listDisplays(), this.timeoutMs);
      if (displays.length === 0) throw new Error('no display');
      // On X11 the root window already spans every monitor; elsewhere each display is its own
      // image, and the evidence must show them all.
      png =
        displays.length > 1 && this.platform !== 'linux'
          ? await stitchDisplays(await withTimeout(screenshotDesktop.all(), this.timeoutMs))
          : await withTimeout(screenshotDesktop({ format: 'png' }), this.timeoutMs);
    } catch (error) {
      throw new AgentError('AGENT_ERR_SCREENSHOT_FAILED', 'The screen could not be captured.', { cause: error });
    }
    try {
      return await this.encode(png, stamp);
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
    return this.encode(await sharp(svg).png().toBuffer(), stamp);
  }

  /**
   * Scales the screen to at most `maxWidth`, adds the evidence banner below it (the screen itself
   * is never covered) and encodes WebP plus a WebP thumbnail of the screen.
   */
  async encode(image: Buffer, stamp: EvidenceStamp): Promise<ScreenshotImage> {
    const scaled = await sharp(image)
      .resize({ width: this.maxWidth, withoutEnlargement: true })
      .png()
      .toBuffer({ resolveWithObject: true });
    const { width, height } = scaled.info;
    const fontSize = Math.max(10, Math.min(15, Math.floor(width / 90)));
    const banner = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${BANNER_HEIGHT}">` +
        `<rect width="100%" height="100%" fill="#111111"/>` +
        `<text x="8" y="${Math.round(BANNER_HEIGHT / 2 + fontSize / 3)}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="#ffffff">` +
        `${escapeXml(formatEvidenceStamp(stamp))}</text></svg>`,
    );
    const full = await sharp(scaled.data)
      .extend({ bottom: BANNER_HEIGHT, background: '#111111' })
      .composite([{ input: banner, top: height, left: 0 }])
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(scaled.data).resize({ width: this.thumbnailWidth }).webp({ quality: 70 }).toBuffer();
    return { webp: full.data, width: full.info.width, height: full.info.height, thumbnail };
  }
}

/** Displays side by side, top-aligned, on black: one image of everything the user could see. */
export async function stitchDisplays(images: readonly Buffer[]): Promise<Buffer> {
  const sizes = await Promise.all(images.map((image) => sharp(image).metadata()));
  let left = 0;
  const layers = images.map((input, i) => {
    const layer = { input, left, top: 0 };
    left += sizes[i]?.width ?? 0;
    return layer;
  });
  const height = Math.max(...sizes.map((m) => m.height ?? 0));
  return sharp({ create: { width: left, height, channels: 3, background: '#000000' } })
    .composite(layers)
    .png()
    .toBuffer();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

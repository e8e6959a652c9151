import screenshotDesktop from 'screenshot-desktop';
import sharp from 'sharp';
import { AgentError } from '../errors';
import type { Screenshot, ScreenshotImage } from '../core/ports';

export interface NativeScreenshotOptions {
  /** Wider screens are scaled down to this (default 1600 px). */
  maxWidth?: number;
  /** Thumbnail width (default 320 px). */
  thumbnailWidth?: number;
  /** A screenshot that takes longer than this has failed (default 15 s). */
  timeoutMs?: number;
}

/**
 * The primary screen through screenshot-desktop (ImageMagick `import` on X11, the platform
 * tools elsewhere), re-encoded by sharp as WebP plus a WebP thumbnail.
 */
export class NativeScreenshot implements Screenshot {
  private readonly maxWidth: number;
  private readonly thumbnailWidth: number;
  private readonly timeoutMs: number;

  constructor(options: NativeScreenshotOptions = {}) {
    this.maxWidth = options.maxWidth ?? 1600;
    this.thumbnailWidth = options.thumbnailWidth ?? 320;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async capture(): Promise<ScreenshotImage> {
    let png: Buffer;
    try {
      // Ask for the displays first: screenshot-desktop does so too but loses that error
      // (its promise would never settle), so a missing display must fail here instead.
      const displays = await withTimeout(screenshotDesktop.listDisplays(), this.timeoutMs);
      if (displays.length === 0) throw new Error('no display');
      png = await withTimeout(screenshotDesktop({ format: 'png' }), this.timeoutMs);
    } catch (error) {
      throw new AgentError('AGENT_ERR_SCREENSHOT_FAILED', 'The screen could not be captured.', { cause: error });
    }
    try {
      return await this.encode(png);
    } catch (error) {
      throw new AgentError('AGENT_ERR_SCREENSHOT_FAILED', 'The screenshot could not be encoded.', { cause: error });
    }
  }

  async unavailable(): Promise<ScreenshotImage> {
    const svg = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360">` +
        `<rect width="100%" height="100%" fill="#3a3a3a"/>` +
        `<text x="320" y="190" font-family="sans-serif" font-size="28" fill="#ffffff" text-anchor="middle">Screenshot unavailable</text>` +
        `</svg>`,
    );
    return this.encode(await sharp(svg).png().toBuffer());
  }

  private async encode(image: Buffer): Promise<ScreenshotImage> {
    const full = await sharp(image)
      .resize({ width: this.maxWidth, withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(image).resize({ width: this.thumbnailWidth }).webp({ quality: 70 }).toBuffer();
    return { webp: full.data, width: full.info.width, height: full.info.height, thumbnail };
  }
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

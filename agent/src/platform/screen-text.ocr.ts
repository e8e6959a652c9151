import { execFile } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import { AgentError } from '../errors';
import type { Logger, ScreenFrame, ScreenText, WindowBounds } from '../core/ports';
import { averageHash } from './image-hash';
import { grabScreen, screenSharp, withTimeout, type ScreenImage } from './screen-grab';

/**
 * The English model shipped in @tesseract.js-data/eng: `4.0.0_best_int` is the LSTM-only,
 * integer-quantised model (small and fast), stored as `eng.traineddata.gz`. Read from disk only:
 * with `langPath` a local folder and `cacheMethod: 'none'`, tesseract.js never goes to the network.
 */
export function englishModelDir(): string {
  return path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

export interface OcrScreenTextOptions {
  log: Logger;
  /** A grab or a recognition that takes longer than this has failed (default 30 s). */
  timeoutMs?: number;
  /** Regions narrower than this are scaled up before OCR (default 1600 px): small text reads better. */
  upscaleBelowWidth?: number;
}

/**
 * On-screen text by OCR: the screen is grabbed (screen-grab.ts), cropped to the region and
 * prepared (greyscale, normalised, scaled up when small) with sharp, hashed, and read by
 * tesseract.js in its own worker thread, so the agent's event loop never waits on recognition.
 * That thread runs at nice 10 (ocr-worker.js): it yields the CPU to the pupil's programs and to
 * the capture path. The worker starts at the first recognition and is replaced after a failure.
 */
export class OcrScreenText implements ScreenText {
  private readonly options: OcrScreenTextOptions;
  private readonly timeoutMs: number;
  private worker: Promise<Worker> | undefined;

  constructor(options: OcrScreenTextOptions) {
    this.options = options;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async grab(region: WindowBounds | null): Promise<ScreenFrame> {
    let screen: ScreenImage;
    try {
      // The primary display: window bounds are in its coordinates.
      screen = await grabScreen(this.timeoutMs, { allDisplays: false });
    } catch (error) {
      throw new AgentError('AGENT_ERR_SCREEN_TEXT_FAILED', 'The screen could not be grabbed.', { cause: error });
    }
    try {
      return await this.prepare(screen, region);
    } catch (error) {
      throw new AgentError('AGENT_ERR_SCREEN_TEXT_FAILED', 'The screen image could not be prepared.', { cause: error });
    }
  }

  /**
   * On X11: ImageMagick's `import` shrinks the region to 16×16 grey and hands back 256 bytes —
   * no PNG to encode or decode — hashed like a frame. Elsewhere (or if that fails): null, and the
   * watcher does a full grab.
   */
  async probe(region: WindowBounds | null): Promise<string | null> {
    if (process.platform !== 'linux' || !process.env.DISPLAY) return null;
    const args = ['-silent', '-window', 'root'];
    if (region && region.width >= 16 && region.height >= 16) {
      const x = Math.max(0, Math.floor(region.x));
      const y = Math.max(0, Math.floor(region.y));
      args.push('-crop', `${Math.floor(region.width)}x${Math.floor(region.height)}+${x}+${y}`, '+repage');
    }
    args.push('-resize', '16x16!', '-colorspace', 'Gray', '-depth', '8', 'gray:-');
    try {
      const pixels = await new Promise<Buffer>((resolve, reject) => {
        execFile('import', args, { encoding: 'buffer', timeout: 5_000, maxBuffer: 4096 }, (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        );
      });
      return pixels.length === 256 ? pixels.toString('base64') : null;
    } catch {
      return null;
    }
  }

  /** Crops `screen` to `region` (clipped to the screen; the whole screen when null) and prepares it for OCR. */
  async prepare(screen: ScreenImage | Buffer, region: WindowBounds | null): Promise<ScreenFrame> {
    const grabbed = Buffer.isBuffer(screen) ? { data: screen } : screen;
    const { width = 0, height = 0 } = grabbed.raw ?? (await sharp(grabbed.data).metadata());
    let image = screenSharp(grabbed);
    let cropWidth = width;
    if (region) {
      const left = Math.max(0, Math.floor(region.x));
      const top = Math.max(0, Math.floor(region.y));
      const right = Math.min(width, Math.floor(region.x + region.width));
      const bottom = Math.min(height, Math.floor(region.y + region.height));
      if (right - left >= 16 && bottom - top >= 16) {
        image = image.extract({ left, top, width: right - left, height: bottom - top });
        cropWidth = right - left;
      }
    }
    const grey = await image.greyscale().normalise().png().toBuffer();
    const hash = await averageHash(grey);
    const scale = cropWidth > 0 && cropWidth < (this.options.upscaleBelowWidth ?? 1600) ? 2 : 1;
    const ready =
      scale === 1
        ? grey
        : await sharp(grey)
            .resize({ width: cropWidth * scale, kernel: 'lanczos3' })
            .png()
            .toBuffer();
    return { image: ready, hash };
  }

  async recognise(frame: ScreenFrame): Promise<string> {
    let worker: Worker;
    try {
      worker = await this.startWorker();
    } catch (error) {
      this.worker = undefined;
      throw new AgentError('AGENT_ERR_SCREEN_TEXT_FAILED', 'The OCR worker could not start.', { cause: error });
    }
    try {
      const result = await withTimeout(worker.recognize(Buffer.from(frame.image)), this.timeoutMs);
      return result.data.text;
    } catch (error) {
      await this.close(); // a worker that failed or hung is replaced at the next recognition
      throw new AgentError('AGENT_ERR_SCREEN_TEXT_FAILED', 'OCR failed.', { cause: error });
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    try {
      await (await worker).terminate();
    } catch {
      // It never started, or is gone already.
    }
  }

  private startWorker(): Promise<Worker> {
    if (!this.worker) {
      const started = Date.now();
      this.worker = withTimeout(
        createWorker('eng', OEM.LSTM_ONLY, {
          langPath: englishModelDir(),
          workerPath: path.join(__dirname, 'ocr-worker.js'),
          gzip: true,
          cacheMethod: 'none',
          errorHandler: () => undefined,
        }),
        this.timeoutMs,
      );
      this.worker.then(
        () => this.options.log.info('ocr.worker_started', { ms: Date.now() - started }),
        () => undefined,
      );
    }
    return this.worker;
  }
}

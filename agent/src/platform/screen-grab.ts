import { execFile } from 'node:child_process';
import screenshotDesktop from 'screenshot-desktop';
import sharp from 'sharp';

/**
 * A grabbed screen, ready for sharp: either an encoded image (PNG from screenshot-desktop) or raw
 * 8-bit RGB pixels with their size (X11, below).
 */
export interface ScreenImage {
  data: Buffer;
  raw?: { width: number; height: number; channels: 3 };
}

/** A sharp pipeline over a grabbed screen, whichever form it came in. */
export function screenSharp(image: ScreenImage): sharp.Sharp {
  return image.raw ? sharp(image.data, { raw: image.raw }) : sharp(image.data);
}

/**
 * The screen. On X11 this runs ImageMagick's `import` (the program screenshot-desktop runs there)
 * asking for uncompressed PPM: on a busy 1920×1080 screen a PNG costs `import` about 0.4 s to
 * compress and sharp another 20–30 ms to decompress, where PPM comes back in about 60 ms and goes
 * to sharp as raw pixels. `allDisplays` takes the whole root window, which spans every monitor
 * (screenshot-desktop would crop it to the primary one); otherwise the primary display's area.
 * Elsewhere screenshot-desktop gives PNG, and with `allDisplays` each display is its own image and
 * they are put side by side. The displays are listed first (cached, see below): screenshot-desktop
 * loses that error (its promise would never settle), so "no display" fails here instead.
 */
export async function grabScreen(
  timeoutMs: number,
  options: { allDisplays: boolean; platform?: NodeJS.Platform },
): Promise<ScreenImage> {
  const platform = options.platform ?? process.platform;
  const displays = await listDisplaysCached(timeoutMs);
  if (displays.length === 0) throw new Error('no display');
  if (platform === 'linux') {
    const primary = displays.find((d) => d.primary) ?? displays[0];
    const crop = options.allDisplays ? undefined : primary?.crop;
    return grabX11(timeoutMs, crop);
  }
  if (options.allDisplays && displays.length > 1) {
    return { data: await stitchDisplays(await withTimeout(screenshotDesktop.all(), timeoutMs)) };
  }
  return { data: await withTimeout(screenshotDesktop({ format: 'png' }), timeoutMs) };
}

/** `import -window root` as binary PPM on stdout, parsed to raw RGB. */
function grabX11(timeoutMs: number, crop: string | undefined): Promise<ScreenImage> {
  const args = ['-silent', '-window', 'root'];
  if (crop && /^\d+x\d+\+\d+\+\d+$/.test(crop)) args.push('-crop', crop, '+repage');
  args.push('-depth', '8', 'ppm:-');
  return new Promise((resolve, reject) => {
    execFile(
      'import',
      args,
      { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return reject(error);
        try {
          resolve(parsePpm(stdout));
        } catch (parseError) {
          reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
        }
      },
    );
  });
}

/**
 * Binary PPM (P6, 8-bit): "P6", width, height and maxval separated by whitespace (with `#`
 * comments allowed between them), one whitespace byte, then width × height RGB triples.
 */
export function parsePpm(bytes: Buffer): ScreenImage {
  let at = 0;
  const token = (): string => {
    for (;;) {
      while (at < bytes.length && isSpace(bytes[at]!)) at++;
      if (bytes[at] !== 0x23 /* # */) break;
      while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++;
    }
    const start = at;
    while (at < bytes.length && !isSpace(bytes[at]!) && bytes[at] !== 0x23) at++;
    return bytes.toString('latin1', start, at);
  };
  if (token() !== 'P6') throw new Error('the screen grab is not a binary PPM image');
  const [width, height, maxval] = [token(), token(), token()].map((t) => (/^\d{1,6}$/.test(t) ? Number(t) : NaN));
  if (!width || !height || maxval !== 255) throw new Error('the screen grab has a bad PPM header');
  at++; // the single whitespace byte before the pixels
  const length = width * height * 3;
  if (bytes.length - at < length) throw new Error('the screen grab is cut short');
  return { data: bytes.subarray(at, at + length), raw: { width, height, channels: 3 } };
}

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;

/** Displays change rarely; asking costs a program run (xrandr) per screenshot, so ask every 30 s. */
const DISPLAYS_TTL_MS = 30_000;
let displaysCache: { at: number; displays: Awaited<ReturnType<typeof screenshotDesktop.listDisplays>> } | undefined;

async function listDisplaysCached(
  timeoutMs: number,
): Promise<Awaited<ReturnType<typeof screenshotDesktop.listDisplays>>> {
  const now = Date.now();
  if (displaysCache && now - displaysCache.at < DISPLAYS_TTL_MS && displaysCache.displays.length > 0) {
    return displaysCache.displays;
  }
  const displays = await withTimeout(screenshotDesktop.listDisplays(), timeoutMs);
  displaysCache = { at: now, displays };
  return displays;
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

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
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

import screenshotDesktop from 'screenshot-desktop';
import sharp from 'sharp';

/**
 * The screen as PNG through screenshot-desktop (ImageMagick `import` on X11, the platform tools
 * elsewhere). The displays are listed first: screenshot-desktop does so too but loses that error
 * (its promise would never settle), so "no display" fails here instead. With `allDisplays`, every
 * display is in the image: on X11 the root window already spans every monitor; elsewhere each
 * display is its own image and they are put side by side.
 */
export async function grabScreenPng(
  timeoutMs: number,
  options: { allDisplays: boolean; platform?: NodeJS.Platform },
): Promise<Buffer> {
  const displays = await listDisplaysCached(timeoutMs);
  if (displays.length === 0) throw new Error('no display');
  if (options.allDisplays && displays.length > 1 && (options.platform ?? process.platform) !== 'linux') {
    return stitchDisplays(await withTimeout(screenshotDesktop.all(), timeoutMs));
  }
  return withTimeout(screenshotDesktop({ format: 'png' }), timeoutMs);
}

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

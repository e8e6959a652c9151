import sharp from 'sharp';
import { stitchDisplays } from './screen-grab';
import { BANNER_HEIGHT, NativeScreenshot } from './screenshot.native';

const stamp = { at: Date.parse('2026-11-25T20:41:07Z'), device: 'LAPTOP-07', user: 'pupil01' };

async function screen(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 250, g: 250, b: 250 } } })
    .png()
    .toBuffer();
}

async function greyStats(image: Uint8Array, region: { left: number; top: number; width: number; height: number }) {
  const pixels = await sharp(image).extract(region).greyscale().png().toBuffer();
  return (await sharp(pixels).stats()).channels[0]!;
}

describe('NativeScreenshot.encode', () => {
  const shots = new NativeScreenshot();

  it('keeps the screen whole and adds a dark banner with light text below it', async () => {
    const image = await shots.encode(await screen(1280, 800), stamp);
    expect([image.width, image.height]).toEqual([1280, 800 + BANNER_HEIGHT]);
    const meta = await sharp(image.webp).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 1280, 800 + BANNER_HEIGHT]);
    expect((await greyStats(image.webp, { left: 0, top: 0, width: 1280, height: 800 })).min).toBeGreaterThan(200);
    const banner = await greyStats(image.webp, { left: 0, top: 800, width: 1280, height: BANNER_HEIGHT });
    expect(banner.mean).toBeLessThan(80); // dark strip
    expect(banner.max).toBeGreaterThan(200); // with white text on it
  });

  it('scales a wide screen to 1600 px and makes a 320 px thumbnail', async () => {
    const image = await shots.encode(await screen(3200, 1800), stamp);
    expect([image.width, image.height]).toEqual([1600, 900 + BANNER_HEIGHT]);
    const thumb = await sharp(image.thumbnail).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 320, 180]);
  });

  it('writes a user name with markup characters as text, not markup', async () => {
    const image = await shots.encode(await screen(800, 600), { ...stamp, user: '<b>&"pupil"' });
    expect(image.height).toBe(600 + BANNER_HEIGHT);
  });
});

describe('stitchDisplays', () => {
  it('puts every display side by side, so a second monitor is in the evidence too', async () => {
    const left = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const right = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const both = await stitchDisplays([left, right]);
    const meta = await sharp(both).metadata();
    expect([meta.width, meta.height]).toEqual([500, 200]);
    const pixel = async (x: number, y: number) =>
      [...(await sharp(both).extract({ left: x, top: y, width: 1, height: 1 }).raw().toBuffer())].slice(0, 3);
    expect(await pixel(10, 10)).toEqual([255, 255, 255]);
    expect(await pixel(400, 50)).toEqual([255, 0, 0]);
    expect(await pixel(400, 150)).toEqual([0, 0, 0]);
  });
});

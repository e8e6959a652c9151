import sharp from 'sharp';
import { imageStructureOk, readImageHeader } from './image-check';

/** A screenshot-like image with some noise, so the encoders produce real, varied bitstreams. */
async function image(format: 'png' | 'webp' | 'webp-lossless' | 'jpeg'): Promise<Buffer> {
  const noise = Buffer.alloc(300 * 40 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  const img = sharp({ create: { width: 300, height: 200, channels: 3, background: '#f4f6f8' } }).composite([
    { input: noise, raw: { width: 300, height: 40, channels: 3 }, top: 100, left: 0 },
  ]);
  if (format === 'png') return img.png().toBuffer();
  if (format === 'jpeg') return img.jpeg().toBuffer();
  return img.webp({ lossless: format === 'webp-lossless' }).toBuffer();
}

const formatOf = (f: string): string => (f.startsWith('webp') ? 'webp' : f);

describe('image structure checks', () => {
  it.each(['png', 'webp', 'webp-lossless', 'jpeg'] as const)('accepts a whole %s', async (f) => {
    expect(imageStructureOk(await image(f), formatOf(f), 300, 200)).toBe(true);
  });

  it.each(['png', 'webp', 'webp-lossless', 'jpeg'] as const)('refuses a %s truncated anywhere', async (f) => {
    const bytes = await image(f);
    for (const keep of [0.2, 0.5, 0.9, 0.999]) {
      const cut = bytes.subarray(0, Math.floor(bytes.length * keep));
      expect({ keep, ok: imageStructureOk(cut, formatOf(f), 300, 200) }).toEqual({ keep, ok: false });
    }
  });

  it('refuses a PNG with one damaged byte in its pixel data (chunk CRC)', async () => {
    const bytes = Buffer.from(await image('png'));
    const idat = bytes.indexOf('IDAT', 8, 'latin1');
    bytes[idat + 20] = bytes[idat + 20]! ^ 0xff;
    expect(imageStructureOk(bytes, 'png', 300, 200)).toBe(false);
  });

  it('refuses a WebP whose bitstream says another size than its header, and other formats', async () => {
    expect(imageStructureOk(await image('webp'), 'webp', 301, 200)).toBe(false);
    expect(imageStructureOk(await image('png'), 'webp', 300, 200)).toBe(false);
    expect(imageStructureOk(Buffer.from('<html>not an image</html>'), 'png', 300, 200)).toBe(false);
    expect(imageStructureOk(await image('png'), 'gif', 300, 200)).toBe(false);
  });

  it.each(['png', 'webp', 'webp-lossless'] as const)('reads the size of a %s as sharp does', async (f) => {
    const bytes = await image(f);
    const meta = await sharp(bytes).metadata();
    expect(readImageHeader(bytes)).toEqual({ format: meta.format, width: meta.width, height: meta.height });
  });

  it('reads the canvas of an extended (VP8X) WebP, and nothing of a JPEG', async () => {
    const withAlpha = await sharp({
      create: { width: 123, height: 45, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } },
    })
      .webp()
      .toBuffer();
    expect(withAlpha.toString('latin1', 12, 16)).toBe('VP8X');
    expect(readImageHeader(withAlpha)).toEqual({ format: 'webp', width: 123, height: 45 });
    expect(imageStructureOk(withAlpha, 'webp', 123, 45)).toBe(true);
    expect(readImageHeader(await image('jpeg'))).toBeUndefined();
  });
});

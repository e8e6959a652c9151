import sharp from 'sharp';
import { parsePpm, screenSharp } from './screen-grab';

const ppm = (header: string, pixels: number[]) => Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from(pixels)]);

describe('parsePpm (the X11 screen grab)', () => {
  it('reads the size and the RGB pixels, which sharp then takes as raw input', async () => {
    const image = parsePpm(ppm('P6\n2 1\n255\n', [255, 0, 0, 0, 0, 255]));
    expect(image.raw).toEqual({ width: 2, height: 1, channels: 3 });
    const png = await screenSharp(image).png().toBuffer();
    const pixels = [...(await sharp(png).raw().toBuffer())];
    expect(pixels).toEqual([255, 0, 0, 0, 0, 255]);
  });

  it('skips comments and any whitespace between the header fields', () => {
    const image = parsePpm(ppm('P6 # made by import\n1\t1 # size\n255\n', [9, 8, 7]));
    expect([...image.data]).toEqual([9, 8, 7]);
  });

  it('ignores bytes after the pixels', () => {
    expect(parsePpm(ppm('P6\n1 1\n255\n', [1, 2, 3, 4, 5])).data.length).toBe(3);
  });

  it.each([
    ['another format', 'P3\n1 1\n255\n', [1, 2, 3], /not a binary PPM/],
    ['16-bit samples', 'P6\n1 1\n65535\n', [1, 2, 3, 4, 5, 6], /bad PPM header/],
    ['a zero size', 'P6\n0 1\n255\n', [], /bad PPM header/],
    ['pixels cut short', 'P6\n2 2\n255\n', [1, 2, 3], /cut short/],
    ['nothing at all', '', [], /not a binary PPM/],
  ])('refuses %s with a clear error', (_what, header, pixels, message) => {
    expect(() => parsePpm(ppm(header, pixels))).toThrow(message);
  });
});
